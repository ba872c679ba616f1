"""Supervision's pages: the public progress board of a county."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from shared.pages import viewer_county
from shared.views import ViewStore
from shared.web.i18n import register_messages
from shared.web.templating import make_templates, render
from services.supervision.application import SupervisionApplication
from services.supervision.projections import PROJECT

TEMPLATES = Path(__file__).parent / "templates"

register_messages({
    "zh": {"supervision_title": "民生实事进度榜", "progress": "进度", "spent": "已支出", "tier_major": "实事项目",
           "tier_micro": "微实事", "implementing_body": "实施主体"},
    "en": {"supervision_title": "Progress board", "progress": "Progress", "spent": "Spent",
           "tier_major": "Project", "tier_micro": "Micro project", "implementing_body": "Implementing body"},
})


def make_pages(app: SupervisionApplication, views: ViewStore) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    templates = make_templates(TEMPLATES, static_base="/supervision/static")

    @router.get("/", response_class=HTMLResponse)
    def board(request: Request, county: str = "") -> Response:
        _, county, _ = viewer_county(request, county)
        items = sorted(views.list(PROJECT, county), key=lambda d: (-d["year"], d["name"]))
        return render(templates, request, "board.html", {"county": county, "items": items})

    return router
