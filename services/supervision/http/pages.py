"""Supervision's public pages (the progress board per county, the project's page) and the committee's
dashboard. The pages people act from are in ``unit_pages.py`` (the responsible unit), ``staff_pages.py``
(congress staff: groups and their roster, findings to assign, acceptance), ``inspect_pages.py`` (group
deputies), ``change_pages.py`` (change requests and the committee's decision), ``report_pages.py`` (the
cadence reports), ``record_pages.py`` (special inquiries, audit findings) and ``session_pages.py`` (the
session's close, resolving a warning)."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.supervision.app.application import SupervisionApplication
from services.supervision.app.worklists import names_of
from services.supervision.domain.warning_rules import KINDS, plan_due_on
from services.supervision.http.page_frame import DONE
from services.supervision.http.projects_api import county_summary, summary_of
from services.supervision.http.texts import register
from services.supervision.read.projections import PROJECT
from services.supervision.read.warnings import open_warnings
from shared.auth import Role
from shared.persistence.application import NotFound
from shared.views.paging import Paging, of_year, page_in_store
from shared.views.query import DocQuery
from shared.views.store import ViewStore
from shared.web.access import principal_of
from shared.web.i18n import language, translate
from shared.web.paging import PageNumber
from shared.web.templating import make_templates, render
from shared.web.viewer import viewer_county

TEMPLATES = Path(__file__).parent / "templates"
STAFF_VIEW = {Role.CONGRESS_STAFF, Role.GOV_UNIT, Role.DEPUTY, Role.AUDITOR, Role.PROVINCE_VIEWER}
PER_PAGE = 50  # projects on one page of the public board


def flash(request: Request) -> str:
    """What a page says after a step that returns to it (``?done=<step>``, only the steps listed)."""
    done = request.query_params.get("done", "")
    return translate(language(request), f"done_{done}") if done in DONE else ""


def make_pages(app: SupervisionApplication, views: ViewStore) -> APIRouter:
    register()
    router = APIRouter(include_in_schema=False)
    templates = make_templates(TEMPLATES, static_base="/supervision/static")

    def board_items(county: str, year: int | None) -> list[dict]:
        items = [d for d in views.list(PROJECT, county) if year is None or d["year"] == year]
        return sorted(items, key=lambda d: (-d["year"], d["tier"], d["name"]))

    def refused(request: Request, name: str, county: str, allowed: set[Role]) -> Response | None:
        principal = principal_of(request)
        if not principal.has_any(allowed):
            return RedirectResponse("/login", status_code=303)
        if not principal.covers(county):
            return render(
                templates,
                request,
                name,
                {
                    "county": county,
                    "items": [],
                    "warnings": [],
                    "summary": {},
                    "kinds": [],
                    "chart": {"names": [], "progress": [], "warnings_by_kind": []},
                    "problem": {"title": translate(language(request), "county_outside_scope"), "detail": county},
                },
                status_code=403,
            )
        return None

    @router.get("/", response_class=HTMLResponse)
    def board(request: Request, county: str = "", year: int | None = None, page_number: PageNumber = 1) -> Response:
        """民生实事进度榜: public; the latest year first, a page at a time, the summary over every page."""
        _, county, _ = viewer_county(request, county)
        query = DocQuery(PROJECT, county, of_year(year), order=(("year", True), ("tier", False), ("name", False)))
        result = page_in_store(views, query, Paging(page_number, PER_PAGE))
        years = sorted({int(y) for (y,) in views.fields(DocQuery(PROJECT, county), ("year",))}, reverse=True)
        context = {"county": county, "result": result, "year": year, "years": years}
        return render(templates, request, "board.html", {**context, "summary": summary_of(views, query)})

    @router.get("/projects/{project_id}", response_class=HTMLResponse)
    def project_page(request: Request, project_id: UUID) -> Response:
        """A project's public page: its plan (and the original after any change), progress, findings."""
        principal_of(request)  # the layout shows who is signed in
        try:
            project = app.project(project_id)
        except NotFound:
            return render(templates, request, "project.html", {"p": None}, status_code=404)
        return render(
            templates,
            request,
            "project.html",
            {
                "p": project,
                "counts": project.finding_counts(),
                "funds": project.funds(),
                "names": names_of(project),
                "plan_due": plan_due_on(project.session_closed_on, app.rules(project.county)[1]).isoformat(),
                "flash": flash(request),
            },
        )

    @router.get("/dashboard", response_class=HTMLResponse)
    def dashboard(request: Request, county: str = "", year: int | None = None) -> Response:
        """The standing committee's dashboard: progress charts (ECharts) and open warnings."""
        _, county, _ = viewer_county(request, county)
        if (denied := refused(request, "dashboard.html", county, STAFF_VIEW)) is not None:
            return denied
        items = board_items(county, year)
        warnings = open_warnings(views, county)
        by_kind: dict[str, int] = {}
        for w in warnings:
            by_kind[w["kind"]] = by_kind.get(w["kind"], 0) + 1
        chart = {
            "names": [d["name"] for d in items],
            "progress": [d["progress_pct"] for d in items],
            "warnings_by_kind": [{"name": k, "value": v} for k, v in sorted(by_kind.items())],
        }
        return render(
            templates,
            request,
            "dashboard.html",
            {
                "county": county,
                "items": items,
                "year": year,
                "warnings": warnings,
                "chart": chart,
                "kinds": KINDS,
                "summary": county_summary(items),
                "flash": flash(request),
            },
        )

    return router
