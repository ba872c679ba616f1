"""The responsible unit's pages (责任单位): its worklist, and the steps it takes from there — the 30-day
implementation plan, the monthly entry, the answer to a finding, the completion report (below 100%
reported progress only with a reason). Each form posts back to its page; a refusal is shown there in
the page's language, with what was typed kept."""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from services.supervision.app.worklists import Worklists
from services.supervision.domain.project import Project
from services.supervision.domain.rules import month_of, months_between
from services.supervision.domain.warning_rules import plan_due_on
from services.supervision.http.forms import (
    ROWS,
    latest_figures,
    parse_progress,
    plan_from_form,
    progress_labels,
    text,
)
from services.supervision.http.page_frame import STAFF, UNIT, PageFrame, Refused
from services.supervision.http.plan_api import PlanIn
from services.supervision.http.projects_api import CompletionIn
from shared.web.forms import FormDep
from shared.web.i18n import language, translate


def _rows(values: dict[str, str], prefix: str) -> int:
    """The highest row number of a kind that was posted (so a refused form shows every row typed)."""
    found = [int(m.group(1)) for k in values if (m := re.fullmatch(rf"{prefix}_[a-z]+_(\d{{1,3}})", k))]
    return max(found, default=0)


def make_unit_pages(frame: PageFrame, lists: Worklists) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    app = frame.app

    def worklist(request: Request, county: str, unit: str, *, login_unit: str = "") -> dict[str, Any]:
        """The worklist of ``unit`` (all units when blank); ``login_unit``: the unit to show when the
        county's files name it, else all."""
        principal = request.state.principal
        data = lists.unit(county, frame.today(request), unit)
        if login_unit and login_unit in data["units"]:
            data = lists.unit(county, frame.today(request), login_unit)
        return {"county": county, "w": data, "can_act": principal.has_any(UNIT)}

    def back_to_list(p: Project, form: FormData) -> str:
        unit = text(form, "unit")
        return "/supervision/unit?" + urlencode({"county": p.county, **({"unit": unit} if unit else {})})

    @router.get("/unit", response_class=HTMLResponse)
    def unit_board(request: Request, county: str = "", unit: str = "") -> Response:
        """The responsible unit's worklist: plans due, monthly entries due (late ones marked), findings
        to answer, completions to report, open warnings; ``unit`` narrows it to one unit's projects
        (by default the unit the login names, when the county's files name it)."""
        gate = frame.gate(request, county, UNIT | STAFF, "unit.html")
        if isinstance(gate, Response):
            return gate
        principal, county = gate
        login_unit = principal.name if "unit" not in request.query_params else ""
        return frame.page(request, "unit.html", worklist(request, county, unit, login_unit=login_unit))

    @router.post("/projects/{project_id}/findings/{finding_id}/answer")
    def answer(request: Request, project_id: UUID, finding_id: str, form: FormDep) -> Response:
        """The unit answers a finding assigned to it with what it did (整改答复)."""
        gate = frame.project_gate(request, project_id, UNIT, "unit.html")
        if isinstance(gate, Response):
            return gate
        principal, p = gate
        meta = frame.meta(request, principal, p.county)
        try:
            frame.run(
                request,
                lambda: app.answer_finding(meta, project_id, finding_id, text(form, "answer")),
                {"answer": translate(language(request), "answer")},
            )
        except Refused as refusal:
            context = worklist(request, p.county, text(form, "unit"))
            return frame.refused_page(request, "unit.html", context, refusal)
        return frame.done(back_to_list(p, form), "finding_answered")

    # -- the implementation plan (实施方案) ----------------------------------------------------------
    def plan_context(request: Request, p: Project, form: FormData | None = None) -> dict[str, Any]:
        _, rules = app.rules(p.county)
        values = {k: str(v) for k, v in (form or {}).items()}
        return {
            "p": p,
            "due_on": plan_due_on(p.session_closed_on, rules).isoformat(),
            "today": frame.today(request).isoformat(),
            "values": values,
            "rows": {k: max(n, _rows(values, k)) for k, n in ROWS.items()},
        }

    @router.get("/projects/{project_id}/plan", response_class=HTMLResponse)
    def plan_page(request: Request, project_id: UUID) -> Response:
        """The implementation plan form: budget lines, tasks (unit, person, due date, budget), milestones."""
        gate = frame.project_gate(request, project_id, UNIT, "plan_form.html")
        if isinstance(gate, Response):
            return gate
        _, p = gate
        return frame.page(request, "plan_form.html", plan_context(request, p))

    @router.post("/projects/{project_id}/plan")
    def plan_submit(request: Request, project_id: UUID, form: FormDep) -> Response:
        gate = frame.project_gate(request, project_id, UNIT, "plan_form.html")
        if isinstance(gate, Response):
            return gate
        principal, p = gate
        today, meta = frame.today(request), frame.meta(request, principal, p.county)
        try:
            body, labels = plan_from_form(form, language(request))
            frame.run(
                request, lambda: app.file_plan(meta, project_id, PlanIn.model_validate(body).as_plan(today)), labels
            )
        except Refused as refusal:
            return frame.refused_page(request, "plan_form.html", plan_context(request, p, form), refusal)
        return frame.done(f"/supervision/unit?county={p.county}", "plan_filed")

    # -- the monthly entry (一月一跟踪) ----------------------------------------------------------------
    def progress_context(request: Request, p: Project, form: FormData | None = None) -> dict[str, Any]:
        today = frame.today(request)
        start = date.fromisoformat(p.plans[0]["filed_on"]) if p.plans else p.session_closed_on
        periods = list(reversed(months_between(min(start, today), today)))
        _, rules = app.rules(p.county)
        due = {e["period"]: e for e in lists.entries_due(p, rules, today)}
        values = {k: str(v) for k, v in (form or {}).items()}
        if form is None:
            latest = latest_figures(p)
            values |= {f"task_pct_{k}": str(v) for k, v in latest["tasks"].items()}
            values |= {f"spent_{k}": str(v) for k, v in latest["lines"].items()}
            values |= {"progress_pct": str(p.progress_pct), "spent": str(p.spent)}
            values["period"] = next(iter(sorted(due)), month_of(today))
        return {"p": p, "periods": periods, "due": due, "values": values}

    @router.get("/projects/{project_id}/progress", response_class=HTMLResponse)
    def progress_page(request: Request, project_id: UUID) -> Response:
        """The monthly entry: progress per task (rolled up by budget), cumulative spending per budget
        line, work done, problems; the months still due are listed, late ones marked."""
        gate = frame.project_gate(request, project_id, UNIT, "progress_form.html")
        if isinstance(gate, Response):
            return gate
        _, p = gate
        return frame.page(request, "progress_form.html", progress_context(request, p))

    @router.post("/projects/{project_id}/progress")
    def progress_submit(request: Request, project_id: UUID, form: FormDep) -> Response:
        gate = frame.project_gate(request, project_id, UNIT, "progress_form.html")
        if isinstance(gate, Response):
            return gate
        principal, p = gate
        meta = frame.meta(request, principal, p.county)
        lang = language(request)

        def report() -> None:
            body = parse_progress(form, p)
            if body.period and body.period > month_of(frame.today(request)):
                raise Refused([translate(lang, "future_period")], 422)
            app.report_progress(
                meta,
                project_id,
                body.progress_pct,
                body.spent,
                body.note,
                body.period,
                body.task_progress,
                body.spent_by_line,
                body.work_done,
                body.problems,
            )

        try:
            frame.run(request, report, progress_labels(p, lang))
        except Refused as refusal:
            return frame.refused_page(request, "progress_form.html", progress_context(request, p, form), refusal)
        return frame.done(f"/supervision/unit?county={p.county}", "progress_reported")

    # -- the completion report -------------------------------------------------------------------------
    def completion_context(request: Request, p: Project, form: FormData | None = None) -> dict[str, Any]:
        values = {k: str(v) for k, v in (form or {}).items()}
        if form is None:
            values = {"completed_on": frame.today(request).isoformat(), "spent": str(p.spent)}
        return {"p": p, "values": values, "needs_reason": p.progress_pct < 100}

    @router.get("/projects/{project_id}/completion", response_class=HTMLResponse)
    def completion_page(request: Request, project_id: UUID) -> Response:
        """The completion report: the day, the money spent, a note; below 100% a reason is required."""
        gate = frame.project_gate(request, project_id, UNIT, "completion_form.html")
        if isinstance(gate, Response):
            return gate
        _, p = gate
        return frame.page(request, "completion_form.html", completion_context(request, p))

    @router.post("/projects/{project_id}/completion")
    def completion_submit(request: Request, project_id: UUID, form: FormDep) -> Response:
        gate = frame.project_gate(request, project_id, UNIT, "completion_form.html")
        if isinstance(gate, Response):
            return gate
        principal, p = gate
        lang = language(request)
        labels = {k: translate(lang, k) for k in ("completed_on", "spent", "note")} | {
            "reason": translate(lang, "completion_reason")
        }

        def report() -> None:
            fields = ("completed_on", "spent", "note", "reason")
            body = CompletionIn.model_validate(
                {k: text(form, k) for k in fields if text(form, k) or k in ("note", "reason")}
            )
            meta = frame.meta(request, principal, p.county, reason=body.reason)
            app.report_completion(meta, project_id, body.completed_on, body.spent, body.note)

        try:
            frame.run(request, report, labels)
        except Refused as refusal:
            return frame.refused_page(request, "completion_form.html", completion_context(request, p, form), refusal)
        return frame.done(f"/supervision/unit?county={p.county}", "completion_reported")

    return router
