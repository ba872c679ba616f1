"""Changes to a filed plan (变更申请): the responsible unit asks for a deadline extension or a scope change
(with the revised plan, prefilled from the current one) and gives its reasons; congress staff record the
standing committee's decision — approved (a new plan version, the old ones kept) or rejected, with the
reason. The unit's worklist and staff's worklist list the requests still pending; the project's public
page shows every request, its decision and the plan's versions."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from services.supervision.app.worklists import names_of
from services.supervision.domain.project import Project
from services.supervision.http.forms import plan_from_form, plan_values, posted_rows, text
from services.supervision.http.page_frame import STAFF, UNIT, PageFrame, Refused
from services.supervision.http.plan_api import ChangeIn, DecisionIn, PlanIn
from shared.web.forms import FormDep
from shared.web.i18n import language, translate


def make_change_pages(frame: PageFrame) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    app = frame.app

    # -- the unit's request ------------------------------------------------------------------------
    def request_context(p: Project, form: FormData | None = None) -> dict[str, Any]:
        if form is None:
            values = {"kind": "extension", **(plan_values(p.plans[-1]) if p.plans else {})}
            rows = {k: n + 1 for k, n in posted_rows(values).items()}  # a blank row to add one
        else:
            values = {k: str(v) for k, v in form.items()}
            rows = posted_rows(values)
        return {
            "p": p,
            "values": values,
            "rows": rows,
            "pending": [c for c in p.changes.values() if c["status"] == "pending"],
        }

    @router.get("/projects/{project_id}/changes", response_class=HTMLResponse)
    def change_page(request: Request, project_id: UUID) -> Response:
        """The change request form: extension (a new deadline) or scope change (the revised plan), with reasons."""
        gate = frame.project_gate(request, project_id, UNIT, "change_form.html")
        if isinstance(gate, Response):
            return gate
        return frame.page(request, "change_form.html", request_context(gate[1]))

    @router.post("/projects/{project_id}/changes")
    def change_submit(request: Request, project_id: UUID, form: FormDep) -> Response:
        gate = frame.project_gate(request, project_id, UNIT, "change_form.html")
        if isinstance(gate, Response):
            return gate
        principal, p = gate
        lang = language(request)
        labels = {
            "kind": translate(lang, "change_kind"),
            "reason": translate(lang, "change_reason"),
            "new_deadline": translate(lang, "new_deadline"),
        }

        def submit() -> None:
            kind = text(form, "kind")
            plan = None
            if kind == "scope":
                body, plan_labels = plan_from_form(form, lang)
                labels.update(plan_labels)
                plan = PlanIn.model_validate(body)
            fields = {"kind": kind, "reason": text(form, "reason"), "new_deadline": text(form, "new_deadline") or None}
            change = ChangeIn.model_validate(fields)
            meta = frame.meta(request, principal, p.county, reason=change.reason)
            revised = plan.as_plan(frame.today(request)) if plan else None
            app.request_change(meta, project_id, uuid4().hex[:12], change.kind, change.new_deadline, revised)

        try:
            frame.run(request, submit, labels)
        except Refused as refusal:
            return frame.refused_page(request, "change_form.html", request_context(p, form), refusal)
        return frame.done(f"/supervision/unit?county={p.county}", "change_requested")

    # -- the standing committee's decision, recorded by staff ----------------------------------------
    def decision_context(p: Project, request_id: str, form: FormData | None = None) -> dict[str, Any]:
        change = p.changes.get(request_id)
        values = {k: str(v) for k, v in (form or {}).items()}
        return {"p": p, "c": change, "names": names_of(p), "values": values}

    @router.get("/projects/{project_id}/changes/{request_id}", response_class=HTMLResponse)
    def decision_page(request: Request, project_id: UUID, request_id: str) -> Response:
        """The request as the committee sees it (kind, reasons, the deadlines, the revised plan beside the
        current one, who asked) and the decision with its reason."""
        gate = frame.project_gate(request, project_id, STAFF, "change_decision.html")
        if isinstance(gate, Response):
            return gate
        _, p = gate
        context = decision_context(p, request_id)
        if context["c"] is None:
            problem = {"title": translate(language(request), "no_such_change"), "detail": ""}
            return frame.page(request, "change_decision.html", {**context, "problem": problem}, 404)
        return frame.page(request, "change_decision.html", context)

    @router.post("/projects/{project_id}/changes/{request_id}/decision")
    def decision_submit(request: Request, project_id: UUID, request_id: str, form: FormDep) -> Response:
        gate = frame.project_gate(request, project_id, STAFF, "change_decision.html")
        if isinstance(gate, Response):
            return gate
        principal, p = gate
        lang = language(request)

        def decide() -> None:
            choice = {"yes": {"approved": True}, "no": {"approved": False}}.get(text(form, "approved"), {})
            body = DecisionIn.model_validate({**choice, "reason": text(form, "reason")})
            app.decide_change(
                frame.meta(request, principal, p.county, reason=body.reason), project_id, request_id, body.approved
            )

        labels = {"approved": translate(lang, "decision"), "reason": translate(lang, "decision_reason")}
        try:
            frame.run(request, decide, labels)
        except Refused as refusal:
            return frame.refused_page(request, "change_decision.html", decision_context(p, request_id, form), refusal)
        return frame.done(f"/supervision/staff?county={p.county}", "change_decided")

    return router
