"""Supervision's pages: the public progress board per county and per project, the responsible
unit's board, the inspector's mobile findings page, and the committee's dashboard."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from uuid import UUID, uuid4

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.supervision.app.application import SupervisionApplication
from services.supervision.domain.warning_rules import KINDS
from services.supervision.http.projects_api import county_summary
from services.supervision.http.texts import register
from services.supervision.http.warnings_api import open_warnings
from services.supervision.read.projections import PROJECT
from shared.auth import Role
from shared.kernel.meta import RuleViolation
from shared.persistence.application import NotFound
from shared.views.store import ViewStore
from shared.web.access import principal_of
from shared.web.requests import meta_for
from shared.web.templating import make_templates, render
from shared.web.viewer import viewer_county

TEMPLATES = Path(__file__).parent / "templates"
STAFF_VIEW = {Role.CONGRESS_STAFF, Role.GOV_UNIT, Role.DEPUTY, Role.AUDITOR, Role.PROVINCE_VIEWER}


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
                    "problem": {"title": "无权查看该县 / County outside your scope", "detail": county},
                },
                status_code=403,
            )
        return None

    @router.get("/", response_class=HTMLResponse)
    def board(request: Request, county: str = "", year: int | None = None) -> Response:
        """民生实事进度榜: public."""
        _, county, _ = viewer_county(request, county)
        items = board_items(county, year)
        years = sorted({d["year"] for d in views.list(PROJECT, county)}, reverse=True)
        return render(
            templates,
            request,
            "board.html",
            {"county": county, "items": items, "year": year, "years": years, "summary": county_summary(items)},
        )

    @router.get("/projects/{project_id}", response_class=HTMLResponse)
    def project_page(request: Request, project_id: UUID) -> Response:
        """A project's public page: its plan (and the original after any change), progress, findings."""
        try:
            project = app.project(project_id)
        except NotFound:
            return render(templates, request, "project.html", {"p": None}, status_code=404)
        return render(
            templates,
            request,
            "project.html",
            {"p": project, "counts": project.finding_counts(), "funds": project.funds()},
        )

    @router.get("/unit", response_class=HTMLResponse)
    def unit_board(request: Request, county: str = "") -> Response:
        """The responsible unit's project board: plans due, entries, findings to answer, warnings."""
        principal, county, _ = viewer_county(request, county)
        if (denied := refused(request, "unit.html", county, {Role.GOV_UNIT, Role.CONGRESS_STAFF})) is not None:
            return denied
        items = [d for d in board_items(county, None) if d["status"] != "accepted"]
        to_answer = [
            (d, f)
            for d in items
            for f in app.project(UUID(d["id"])).findings.values()
            if f["status"] in ("assigned", "reopened")
        ]
        return render(
            templates,
            request,
            "unit.html",
            {"county": county, "items": items, "to_answer": to_answer, "warnings": open_warnings(views, county)},
        )

    @router.get("/inspect", response_class=HTMLResponse)
    def inspect(request: Request, flash: str = "") -> Response:
        """The inspector's mobile page: my group's projects, record a finding, review answers."""
        principal = principal_of(request)
        if not principal.has_any({Role.DEPUTY, Role.CONGRESS_STAFF}):
            return RedirectResponse("/login", status_code=303)
        mine = [
            d
            for c in principal.counties
            if c.isdigit()
            for d in views.list(PROJECT, c)
            if principal.subject in d.get("members", []) and d["status"] != "accepted"
        ]
        findings = {
            d["id"]: [f for f in app.project(UUID(d["id"])).findings.values() if f["status"] != "closed"] for d in mine
        }
        return render(templates, request, "inspect.html", {"items": mine, "findings": findings, "flash": flash})

    @router.post("/inspect/{project_id}")
    def inspect_submit(
        request: Request,
        project_id: UUID,
        inspected_on: Annotated[str, Form()],
        text: Annotated[str, Form()],
        severity: Annotated[str, Form()] = "medium",
        location: Annotated[str, Form()] = "",
    ) -> Response:
        principal = principal_of(request)
        if not principal.has_any({Role.DEPUTY, Role.CONGRESS_STAFF}):
            return RedirectResponse("/login", status_code=303)
        try:
            project = app.project(project_id)
            if not principal.covers(project.county) or severity not in ("low", "medium", "high") or not text.strip():
                raise RuleViolation("invalid finding")
            meta = meta_for(request, principal, project.county)
            app.record_inspection(
                meta,
                project_id,
                {"id": uuid4().hex[:12], "inspected_on": inspected_on[:10], "location": location, "notes": ""},
                [
                    {
                        "id": uuid4().hex[:12],
                        "text": text.strip(),
                        "severity": severity,
                        "location": location,
                        "photos": [],
                    }
                ],
            )
            flash = "recorded"
        except (NotFound, RuleViolation, ValueError) as exc:
            flash = f"refused: {exc}"
        return RedirectResponse(f"/supervision/inspect?flash={flash}", status_code=303)

    @router.post("/inspect/{project_id}/findings/{finding_id}")
    def review_submit(
        request: Request,
        project_id: UUID,
        finding_id: str,
        accepted: Annotated[str, Form()],
        reason: Annotated[str, Form()] = "",
    ) -> Response:
        principal = principal_of(request)
        if not principal.has_any({Role.DEPUTY, Role.CONGRESS_STAFF}):
            return RedirectResponse("/login", status_code=303)
        try:
            project = app.project(project_id)
            if not principal.covers(project.county):
                raise NotFound(str(project_id))
            app.review_finding(
                meta_for(request, principal, project.county, reason=reason), project_id, finding_id, accepted == "yes"
            )
            flash = "reviewed"
        except (NotFound, RuleViolation) as exc:
            flash = f"refused: {exc}"
        return RedirectResponse(f"/supervision/inspect?flash={flash}", status_code=303)

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
            },
        )

    return router
