"""Evaluation's pages: the public results of deputies' rating."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from shared.pages import viewer_county
from shared.views import ViewStore
from shared.web.i18n import register_messages
from shared.web.templating import make_templates, render
from services.evaluation.application import EvaluationApplication
from services.evaluation.projections import RATING

TEMPLATES = Path(__file__).parent / "templates"

register_messages({
    "zh": {"evaluation_title": "满意度测评结果", "verdict_satisfied": "满意", "verdict_basically_satisfied": "基本满意",
           "verdict_unsatisfied": "不满意", "verdict_none": "待测评", "counts": "票数（满意/基本满意/不满意）"},
    "en": {"evaluation_title": "Rating results", "verdict_satisfied": "Satisfied",
           "verdict_basically_satisfied": "Basically satisfied", "verdict_unsatisfied": "Unsatisfied",
           "verdict_none": "Not yet rated", "counts": "Ballots (satisfied / basic / unsatisfied)"},
})


def make_pages(app: EvaluationApplication, views: ViewStore) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    templates = make_templates(TEMPLATES, static_base="/evaluation/static")

    @router.get("/", response_class=HTMLResponse)
    def results(request: Request, county: str = "") -> Response:
        _, county, _ = viewer_county(request, county)
        items = sorted(views.list(RATING, county), key=lambda d: (-d["year"], d["name"]))
        return render(templates, request, "results.html", {"county": county, "items": items})

    return router
