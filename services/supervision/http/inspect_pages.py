"""The supervision group member's phone page (监督小组代表): my projects, an on-site inspection (视察)
with its finding, the review of a unit's answer (accept and close, or reopen with a reason), and the
acceptance checks due (验收)."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.supervision.app.worklists import Worklists
from services.supervision.http.forms import text
from services.supervision.http.oversight_api import InspectionIn, ReviewIn
from services.supervision.http.page_frame import INSPECTORS, PageFrame, Refused
from shared.auth import Principal
from shared.web.access import principal_of
from shared.web.forms import FormDep
from shared.web.i18n import language, translate


def make_inspect_pages(frame: PageFrame, lists: Worklists) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    app = frame.app

    def context(request: Request, principal: Principal) -> dict[str, Any]:
        counties = [c for c in principal.counties if c.isdigit()]
        return {"w": lists.deputy(counties, principal.subject), "today": frame.today(request).isoformat()}

    @router.get("/inspect", response_class=HTMLResponse)
    def inspect(request: Request) -> Response:
        """My group's projects: record a finding on site, review the answers to mine, check acceptance."""
        principal = principal_of(request)
        if not principal.has_any(INSPECTORS):
            return RedirectResponse("/login", status_code=303)
        return frame.page(request, "inspect.html", context(request, principal))

    @router.post("/inspect/{project_id}")
    def inspect_submit(request: Request, project_id: UUID, form: FormDep) -> Response:
        """An on-site inspection with its finding, from the phone."""
        gate = frame.project_gate(request, project_id, INSPECTORS, "inspect.html")
        if isinstance(gate, Response):
            return gate
        principal, p = gate
        lang = language(request)
        labels = {
            "inspected_on": translate(lang, "inspected_on"),
            "location": translate(lang, "location"),
            "findings.0.text": translate(lang, "record_finding"),
            "findings.0.severity": translate(lang, "severity"),
            "findings.0.location": translate(lang, "location"),
        }

        def record() -> None:
            finding = {"text": text(form, "text"), "severity": text(form, "severity") or "medium"}
            fields = {k: text(form, k) for k in ("inspected_on", "location") if text(form, k)}
            body = InspectionIn.model_validate(
                {**fields, "findings": [{**finding, "location": text(form, "location")}]}
            )
            inspection = {
                "id": uuid4().hex[:12],
                "inspected_on": body.inspected_on.isoformat(),
                "location": body.location,
                "notes": "",
            }
            findings = [{"id": uuid4().hex[:12], **f.model_dump(mode="json")} for f in body.findings]
            app.record_inspection(frame.meta(request, principal, p.county), project_id, inspection, findings)

        try:
            frame.run(request, record, labels)
        except Refused as refusal:
            return frame.refused_page(request, "inspect.html", context(request, principal), refusal)
        return frame.done("/supervision/inspect", "finding_recorded")

    @router.post("/inspect/{project_id}/findings/{finding_id}")
    def review_submit(request: Request, project_id: UUID, finding_id: str, form: FormDep) -> Response:
        """The inspector accepts the unit's answer (the finding closes) or reopens it with a reason."""
        gate = frame.project_gate(request, project_id, INSPECTORS, "inspect.html")
        if isinstance(gate, Response):
            return gate
        principal, p = gate
        lang = language(request)

        def review() -> None:
            body = ReviewIn.model_validate(
                {"accepted": text(form, "accepted") == "yes", "reason": text(form, "reason")}
            )
            meta = frame.meta(request, principal, p.county, reason=body.reason)
            app.review_finding(meta, project_id, finding_id, body.accepted)

        try:
            frame.run(request, review, {"reason": translate(lang, "reason")})
        except Refused as refusal:
            return frame.refused_page(request, "inspect.html", context(request, principal), refusal)
        return frame.done("/supervision/inspect", "finding_reviewed")

    return router
