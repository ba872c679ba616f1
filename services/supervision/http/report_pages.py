"""The responsible unit's cadence reports (一季一汇报、年中问进度、年终问结果): the reports due are listed with
their due days (late ones marked), as on the unit's worklist; the form picks the kind and its period
(a quarter, or the project's year) and posts the report, which is public on the project's page."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from services.supervision.app.worklists import Worklists
from services.supervision.domain.project import REPORT_KINDS, Project
from services.supervision.domain.rules import quarters_between
from services.supervision.http.forms import text
from services.supervision.http.page_frame import UNIT, PageFrame, Refused
from services.supervision.http.plan_api import ReportIn
from shared.web.forms import FormDep
from shared.web.i18n import language, translate
from shared.web.problems import Problem


def make_report_pages(frame: PageFrame, lists: Worklists) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    app = frame.app

    def context(request: Request, p: Project, form: FormData | None = None) -> dict[str, Any]:
        today = frame.today(request)
        _, rules = app.rules(p.county)
        due = lists.reports_due(p, rules, today)
        start = date.fromisoformat(p.plans[0]["filed_on"]) if p.plans else p.session_closed_on
        quarters = list(reversed(quarters_between(min(start, today), today)))
        years = sorted({p.year, today.year}, reverse=True)
        if form is not None:
            values = {k: str(v) for k, v in form.items()}
        elif due:
            values = {"kind": due[0]["kind"], "period": due[0]["period"]}
        else:
            values = {"kind": "quarterly"}
        filed = sorted(p.reports.values(), key=lambda r: r["at"], reverse=True)
        return {
            "p": p,
            "due": due,
            "kinds": REPORT_KINDS,
            "quarters": quarters,
            "years": years,
            "values": values,
            "filed": filed,
        }

    @router.get("/projects/{project_id}/reports", response_class=HTMLResponse)
    def report_page(request: Request, project_id: UUID) -> Response:
        """The reports due and the form: kind, period, the report's text; the reports already filed below."""
        gate = frame.project_gate(request, project_id, UNIT, "report_form.html")
        if isinstance(gate, Response):
            return gate
        return frame.page(request, "report_form.html", context(request, gate[1]))

    @router.post("/projects/{project_id}/reports")
    def report_submit(request: Request, project_id: UUID, form: FormDep) -> Response:
        gate = frame.project_gate(request, project_id, UNIT, "report_form.html")
        if isinstance(gate, Response):
            return gate
        principal, p = gate
        lang = language(request)
        labels = {
            "kind": translate(lang, "report_kind"),
            "period": translate(lang, "report_period"),
            "text": translate(lang, "report_text"),
        }

        def submit() -> None:
            body = ReportIn.model_validate({k: text(form, k) for k in ("kind", "period", "text")})
            if (body.kind == "quarterly") != ("Q" in body.period):
                raise Problem(
                    422,
                    "Invalid request",
                    "季度汇报写明季度，年中、年终报告写明年份 / a quarterly report names a quarter; the others a year",
                    reason="invalid_period",
                )
            app.file_report(frame.meta(request, principal, p.county), project_id, body.kind, body.period, body.text)

        try:
            frame.run(request, submit, labels)
        except Refused as refusal:
            return frame.refused_page(request, "report_form.html", context(request, p, form), refusal)
        return frame.done(f"/supervision/unit?county={p.county}", "report_filed")

    return router
