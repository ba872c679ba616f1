"""What congress staff record against a project at any time, from the worklist's list of projects under
way: a special inquiry (专题询问: its questions, the answers and who gave them, the follow-ups) and an
audit finding (审计: the office, what it found, the amount questioned, the budget line concerned). Both
are public on the project's page."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from services.supervision.domain.project import Project
from services.supervision.http.forms import text
from services.supervision.http.oversight_api import InquiryIn
from services.supervision.http.page_frame import STAFF, PageFrame, Refused
from services.supervision.http.plan_api import AuditIn
from shared.web.forms import FormDep
from shared.web.i18n import language, translate

QUESTION_ROWS, FOLLOW_UP_ROWS = 3, 2  # blank rows offered (more when more were posted)


def _highest(values: dict[str, str], pattern: str) -> int:
    return max((int(m.group(1)) for k in values if (m := re.fullmatch(pattern, k))), default=0)


def inquiry_from_form(form: FormData, lang: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The inquiry form -> (the body of ``POST …/inquiries``, the label of each of its fields); blank
    rows are skipped, so question 3 may be the body's first."""
    values = {k: str(v) for k, v in form.items()}
    labels = {"held_on": translate(lang, "held_on"), "topic": translate(lang, "inquiry_topic")}
    questions: list[dict[str, str]] = []
    follow_ups: list[str] = []
    for n in range(1, _highest(values, r"q_[a-z]+_(\d{1,2})") + 1):
        row = {"question": text(form, f"q_text_{n}"), "answer": text(form, f"q_answer_{n}")}
        row["answered_by"] = text(form, f"q_by_{n}")
        if any(row.values()):
            k = len(questions)
            labels |= {
                f"questions.{k}.question": translate(lang, "question_n", n=n),
                f"questions.{k}.answer": translate(lang, "answer_n", n=n),
                f"questions.{k}.answered_by": translate(lang, "answered_by_n", n=n),
            }
            questions.append(row)
    for n in range(1, _highest(values, r"follow_(\d{1,2})") + 1):
        if follow := text(form, f"follow_{n}"):
            labels[f"follow_ups.{len(follow_ups)}"] = translate(lang, "follow_up_n", n=n)
            follow_ups.append(follow)
    if not questions:
        raise Refused([translate(lang, "need_question")], 422)
    body = {"held_on": text(form, "held_on") or None, "topic": text(form, "topic"), "questions": questions}
    return {**body, "follow_ups": follow_ups}, labels


def make_record_pages(frame: PageFrame) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    app = frame.app

    # -- special inquiries (专题询问) ------------------------------------------------------------------
    def inquiry_context(request: Request, p: Project, form: FormData | None = None) -> dict[str, Any]:
        today = frame.today(request).isoformat()
        values = {k: str(v) for k, v in (form or {}).items()} or {"held_on": today}
        rows = {
            "q": max(QUESTION_ROWS, _highest(values, r"q_[a-z]+_(\d{1,2})")),
            "follow": max(FOLLOW_UP_ROWS, _highest(values, r"follow_(\d{1,2})")),
        }
        return {"p": p, "values": values, "rows": rows, "today": today}

    @router.get("/projects/{project_id}/inquiries", response_class=HTMLResponse)
    def inquiry_page(request: Request, project_id: UUID) -> Response:
        """A special inquiry's record: the day, the topic, each question with its answer and who answered,
        the follow-ups; the project's earlier inquiries below."""
        gate = frame.project_gate(request, project_id, STAFF, "inquiry_form.html")
        if isinstance(gate, Response):
            return gate
        return frame.page(request, "inquiry_form.html", inquiry_context(request, gate[1]))

    @router.post("/projects/{project_id}/inquiries")
    def inquiry_submit(request: Request, project_id: UUID, form: FormDep) -> Response:
        gate = frame.project_gate(request, project_id, STAFF, "inquiry_form.html")
        if isinstance(gate, Response):
            return gate
        principal, p = gate
        lang = language(request)
        labels: dict[str, str] = {}

        def record() -> None:
            body, found = inquiry_from_form(form, lang)
            labels.update(found)
            inquiry = InquiryIn.model_validate(body)
            if inquiry.held_on > frame.today(request):
                raise Refused([translate(lang, "not_in_future", label=translate(lang, "held_on"))], 422)
            record = {"id": uuid4().hex[:12], **inquiry.model_dump(mode="json")}
            app.record_inquiry(frame.meta(request, principal, p.county), project_id, record)

        try:
            frame.run(request, record, labels)
        except Refused as refusal:
            return frame.refused_page(request, "inquiry_form.html", inquiry_context(request, p, form), refusal)
        return frame.done(f"/supervision/projects/{p.id}", "inquiry_recorded")

    # -- audit findings (审计) -------------------------------------------------------------------------
    def audit_context(p: Project, form: FormData | None = None) -> dict[str, Any]:
        values = {k: str(v) for k, v in (form or {}).items()} or {"office": "审计局"}
        lines = p.plans[-1]["budget_lines"] if p.plans else []
        return {"p": p, "values": values, "lines": lines}

    @router.get("/projects/{project_id}/audits", response_class=HTMLResponse)
    def audit_page(request: Request, project_id: UUID) -> Response:
        """An audit finding: the office, what it found, the amount questioned, the budget line concerned."""
        gate = frame.project_gate(request, project_id, STAFF, "audit_form.html")
        if isinstance(gate, Response):
            return gate
        return frame.page(request, "audit_form.html", audit_context(gate[1]))

    @router.post("/projects/{project_id}/audits")
    def audit_submit(request: Request, project_id: UUID, form: FormDep) -> Response:
        gate = frame.project_gate(request, project_id, STAFF, "audit_form.html")
        if isinstance(gate, Response):
            return gate
        principal, p = gate
        lang = language(request)
        labels = {
            "office": translate(lang, "audit_office"),
            "text": translate(lang, "audit_text"),
            "amount_questioned": translate(lang, "amount_questioned"),
            "budget_line": translate(lang, "audit_line"),
        }

        def record() -> None:
            fields = {k: text(form, k) for k in labels if text(form, k) or k == "text"}
            body = AuditIn.model_validate(fields)
            audit = {**body.model_dump(mode="json"), "amount_questioned": str(body.amount_questioned)}
            app.record_audit(frame.meta(request, principal, p.county), project_id, audit)

        try:
            frame.run(request, record, labels)
        except Refused as refusal:
            return frame.refused_page(request, "audit_form.html", audit_context(p, form), refusal)
        return frame.done(f"/supervision/projects/{p.id}", "audit_recorded")

    return router
