"""``/audit`` on the origin: where an auditor starts — each service's audit page (its tamper-evident
log, any object's history and state as of any moment) and each county's dashboards as of a moment."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from shared.audit.pages import READERS
from shared.config import SERVICES
from shared.kernel.meta import is_county_code
from shared.web.access import principal_of
from shared.web.templating import make_templates, render


def make_audit_hub_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)
    templates = make_templates(Path(__file__).parent / "templates", static_base="/static")

    @router.get("/audit", response_class=HTMLResponse)
    def hub(request: Request) -> Response:
        principal = principal_of(request)
        if not principal.has_any(READERS):
            return RedirectResponse("/login", status_code=303)
        codes = [c for c in principal.counties if is_county_code(c)]
        return render(templates, request, "audit_hub.html", {"audit": {"services": SERVICES, "counties": codes}})

    return router
