"""``/province`` (page) and ``/province/api/counties`` (JSON): every county the viewer may see,
side by side — demands and town coverage (with the gaps), projects and progress, completion
and satisfaction. A county's own staff sees only its own row."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

import httpx
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.gateway.read.province_figures import side_by_side
from shared.auth import COOKIE, Principal, Role
from shared.kernel.china_time import china_today
from shared.web.access import allow, principal_of
from shared.web.i18n import register_messages
from shared.web.templating import make_templates, render

VIEWERS = (Role.PROVINCE_VIEWER, Role.AUDITOR, Role.CONGRESS_STAFF)

register_messages(
    {
        "zh": {
            "province_title": "各县（市、区）对比",
            "county": "县（市、区）",
            "demands_total": "诉求数",
            "town_coverage": "开展票决的镇街",
            "coverage_gaps": "未开展票决的镇街",
            "projects_total": "项目数",
            "progress": "总体进度",
            "completion_rate": "完成率",
            "deputy_satisfied": "代表满意率（含基本满意）",
            "resident_satisfaction": "群众满意率",
            "year": "年度",
            "no_data": "—",
        },
        "en": {
            "province_title": "Counties side by side",
            "county": "County",
            "demands_total": "Demands",
            "town_coverage": "Towns that voted",
            "coverage_gaps": "Towns with no vote yet",
            "projects_total": "Projects",
            "progress": "Progress",
            "completion_rate": "Completion",
            "deputy_satisfied": "Deputies satisfied (incl. basic)",
            "resident_satisfaction": "Residents satisfied",
            "year": "Year",
            "no_data": "—",
        },
    }
)


def forwarded_auth(request: Request) -> dict[str, str]:
    header = request.headers.get("authorization")
    if header:
        return {"authorization": header}
    token = request.cookies.get(COOKIE)
    return {"authorization": f"Bearer {token}"} if token else {}


def make_province_router(upstreams: Mapping[str, str], transport: httpx.AsyncBaseTransport | None = None) -> APIRouter:
    router = APIRouter(prefix="/province", include_in_schema=False)
    templates = make_templates(Path(__file__).parent / "templates", static_base="/static")

    @router.get("/api/counties")
    async def counties(
        request: Request,
        principal: Annotated[Principal, Depends(allow(*VIEWERS))],
        year: Annotated[int | None, Query(ge=2000, le=2100, description="default: this year (China time)")] = None,
    ) -> dict:
        """Every county in the caller's scope, side by side."""
        year = year or china_today().year
        rows = await side_by_side(upstreams, principal.covers, year, forwarded_auth(request), transport)
        return {"year": year, "counties": rows}

    @router.get("", response_class=HTMLResponse)
    async def page(request: Request, year: int = 0) -> Response:
        principal = principal_of(request)
        if not principal.has_any(set(VIEWERS)):
            return RedirectResponse("/login", status_code=303)
        year = year or china_today().year
        rows = await side_by_side(upstreams, principal.covers, year, forwarded_auth(request), transport)
        return render(templates, request, "province.html", {"rows": rows, "year": year})

    return router
