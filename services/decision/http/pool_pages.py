"""Decision's pages: the pool and micro projects of a county."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.decision.app.application import DecisionApplication
from services.decision.read.projections import MICRO, POOL
from shared.views.store import ViewStore
from shared.web.i18n import register_messages
from shared.web.templating import make_templates, render
from shared.web.viewer import viewer_county

TEMPLATES = Path(__file__).parent / "templates"

register_messages(
    {
        "zh": {
            "decision_title": "票决",
            "pool_title": "民意池（可纳入项目的诉求）",
            "micro_title": "民生微实事",
            "investment": "投资额度",
            "deadline": "完成时限",
            "implementing_body": "实施主体",
            "sign_in_needed": "请先登录",
        },
        "en": {
            "decision_title": "Vote",
            "pool_title": "Demand pool",
            "micro_title": "Micro projects",
            "investment": "Investment",
            "deadline": "Deadline",
            "implementing_body": "Implementing body",
            "sign_in_needed": "Please sign in",
        },
    }
)


def make_pages(app: DecisionApplication, views: ViewStore) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    templates = make_templates(TEMPLATES, static_base="/decision/static")

    @router.get("/", response_class=HTMLResponse)
    def index(request: Request, county: str = "") -> Response:
        principal, county, allowed = viewer_county(request, county)
        micro = sorted(views.list(MICRO, county), key=lambda d: d["proposed_at"], reverse=True) if allowed else []
        pool = [d for d in views.list(POOL, county) if d["used_by"] is None] if allowed and principal.roles else []
        return render(
            templates,
            request,
            "decision_index.html",
            {"county": county, "micro": micro, "pool": pool[:100], "pool_total": len(pool), "allowed": allowed},
        )

    return router
