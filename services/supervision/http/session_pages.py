"""Dates and warnings congress staff set right: the close of the county's annual session (闭会), from
which every voted project's 30-day plan runs, recorded for the year with a reason, and corrected for one
project (a micro project runs from its approval); and an early warning (预警督办) resolved from the
committee's dashboard, only with a recorded reason."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from services.supervision.app.application import SWEEPER
from services.supervision.domain.project import Project
from services.supervision.domain.warning_rules import plan_due_on
from services.supervision.http.forms import text
from services.supervision.http.page_frame import STAFF, PageFrame, Refused
from services.supervision.http.plan_api import CountySessionCloseIn, SessionCloseIn
from services.supervision.http.warnings_api import ResolveIn
from shared.auth import Principal
from shared.web.forms import FormDep
from shared.web.i18n import language, translate
from shared.web.refusals import refusal_text


def make_session_pages(frame: PageFrame) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    app = frame.app

    def labels(lang: str) -> dict[str, str]:
        return {
            "year": translate(lang, "sv_session_year"),
            "closed_on": translate(lang, "closed_on"),
            "reason": translate(lang, "record_reason"),
        }

    # -- the county's session close -------------------------------------------------------------------
    def county_context(request: Request, county: str, year: int, form: FormData | None = None) -> dict[str, Any]:
        _, rules = app.rules(county)
        projects = sorted(
            (p for p in (app.project(pid) for pid in app.project_ids(county)) if p.tier == "major" and p.year == year),
            key=lambda p: p.name,
        )
        items = [{"p": p, "due_on": plan_due_on(p.session_closed_on, rules).isoformat()} for p in projects]
        values = {k: str(v) for k, v in (form or {}).items()} or {"year": str(year)}
        today = frame.today(request).isoformat()
        return {"county": county, "year": year, "items": items, "values": values, "rules": rules, "today": today}

    @router.get("/session-close", response_class=HTMLResponse)
    def county_page(request: Request, county: str = "", year: int | None = None) -> Response:
        """The session's close for a year (default this year): the voted projects of that year with the
        close on record and the plan's due date that follows from it, and the form to record the close."""
        gate = frame.gate(request, county, STAFF, "session_close.html", write=True)
        if isinstance(gate, Response):
            return gate
        _, county = gate
        return frame.page(
            request, "session_close.html", county_context(request, county, year or frame.today(request).year)
        )

    @router.post("/session-close")
    def county_submit(request: Request, form: FormDep) -> Response:
        gate = frame.gate(request, text(form, "county"), STAFF, "session_close.html", write=True)
        if isinstance(gate, Response):
            return gate
        principal, county = gate
        fields = {k: text(form, k) for k in ("year", "closed_on", "reason")}

        def record() -> None:
            body = CountySessionCloseIn.model_validate(fields)
            meta = frame.meta(request, principal, county, reason=body.reason)
            app.record_county_session_close(meta, body.year, body.closed_on)

        year = int(fields["year"]) if fields["year"].isdigit() else frame.today(request).year
        try:
            frame.run(request, record, labels(language(request)))
        except Refused as refusal:
            context = county_context(request, county, year, form)
            return frame.refused_page(request, "session_close.html", context, refusal)
        return frame.done(f"/supervision/session-close?county={county}&year={year}", "session_close_recorded")

    # -- one project's correction -----------------------------------------------------------------------
    def project_context(request: Request, p: Project, form: FormData | None = None) -> dict[str, Any]:
        _, rules = app.rules(p.county)
        values = {k: str(v) for k, v in (form or {}).items()}
        return {
            "p": p,
            "values": values,
            "due_on": plan_due_on(p.session_closed_on, rules).isoformat(),
            "today": frame.today(request).isoformat(),
        }

    @router.get("/projects/{project_id}/session-close", response_class=HTMLResponse)
    def project_page(request: Request, project_id: UUID) -> Response:
        """Correct one project's session close (the day its 30 days run from), with a reason."""
        gate = frame.project_gate(request, project_id, STAFF, "session_close_project.html")
        if isinstance(gate, Response):
            return gate
        return frame.page(request, "session_close_project.html", project_context(request, gate[1]))

    @router.post("/projects/{project_id}/session-close")
    def project_submit(request: Request, project_id: UUID, form: FormDep) -> Response:
        gate = frame.project_gate(request, project_id, STAFF, "session_close_project.html")
        if isinstance(gate, Response):
            return gate
        principal, p = gate

        def record() -> None:
            body = SessionCloseIn.model_validate({k: text(form, k) for k in ("closed_on", "reason")})
            meta = frame.meta(request, principal, p.county, reason=body.reason)
            app.record_session_close(meta, project_id, body.closed_on)

        try:
            frame.run(request, record, labels(language(request)))
        except Refused as refusal:
            context = project_context(request, p, form)
            return frame.refused_page(request, "session_close_project.html", context, refusal)
        return frame.done(f"/supervision/projects/{p.id}", "session_close_recorded")

    # -- resolving a warning (预警督办) ---------------------------------------------------------------------
    def warning_context(request: Request, p: Project, key: str, form: FormData | None = None) -> dict[str, Any]:
        values = {k: str(v) for k, v in (form or {}).items()}
        w = p.warnings.get(key)
        lang = language(request)
        resolution = refusal_text(w["resolution"], lang) if w else ""  # the sweep writes both halves
        by_sweep = bool(w and w["resolved_by"] == SWEEPER)
        by = translate(lang, "resolved_by_sweep") if by_sweep else (w or {}).get("resolved_by_name", "")
        return {"p": p, "w": w, "key": quote(key, safe=""), "values": values, "resolution": resolution, "by": by}

    def warning_gate(request: Request, project_id: UUID, key: str) -> tuple[Principal, Project] | Response:
        gate = frame.project_gate(request, project_id, STAFF, "warning_resolve.html")
        if isinstance(gate, Response) or key in gate[1].warnings:
            return gate
        problem = {"title": translate(language(request), "no_such_warning"), "detail": ""}
        return frame.page(request, "warning_resolve.html", {"p": gate[1], "w": None, "problem": problem}, 404)

    @router.get("/projects/{project_id}/warnings/{key}/resolve", response_class=HTMLResponse)
    def warning_page(request: Request, project_id: UUID, key: str) -> Response:
        """The warning (its kind, why it was raised, when, whether escalated) and the reason to resolve it."""
        gate = warning_gate(request, project_id, key)
        if isinstance(gate, Response):
            return gate
        return frame.page(request, "warning_resolve.html", warning_context(request, gate[1], key))

    @router.post("/projects/{project_id}/warnings/{key}/resolve")
    def warning_submit(request: Request, project_id: UUID, key: str, form: FormDep) -> Response:
        gate = warning_gate(request, project_id, key)
        if isinstance(gate, Response):
            return gate
        principal, p = gate

        def resolve() -> None:
            body = ResolveIn.model_validate({"reason": text(form, "reason")})
            app.resolve_warning(frame.meta(request, principal, p.county, reason=body.reason), project_id, key)

        try:
            frame.run(request, resolve, {"reason": translate(language(request), "resolve_reason")})
        except Refused as refusal:
            return frame.refused_page(request, "warning_resolve.html", warning_context(request, p, key, form), refusal)
        return frame.done(f"/supervision/dashboard?county={p.county}", "warning_resolved")

    return router
