"""The supervision group, on-site inspections (视察) and their findings, special inquiries (专题询问)."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID, uuid4

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from services.supervision.app.application import SupervisionApplication
from services.supervision.http.projects_api import owner, project_view
from shared.auth import Principal, Role
from shared.contracts.plausible import PlausibleDate, PlausibleDatetime
from shared.web.access import allow
from shared.web.requests import meta_for

Short = Annotated[str, Field(min_length=1, max_length=200)]
Long = Annotated[str, Field(min_length=1, max_length=4000)]


Staff = Annotated[Principal, Depends(allow(Role.CONGRESS_STAFF, write=True))]
Inspector = Annotated[Principal, Depends(allow(Role.DEPUTY, Role.CONGRESS_STAFF, write=True))]
Unit = Annotated[Principal, Depends(allow(Role.GOV_UNIT, write=True))]


class MemberIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: Short = Field(description="the member's account subject (deputies sign in with it)")
    name: Short
    kind: Literal["deputy", "resident"] = "deputy"


class GroupIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    deputies: list[MemberIn]
    residents: list[MemberIn] = Field(default_factory=list)
    reason: str = Field(default="", max_length=500)


class RosterIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    join: list[MemberIn] = Field(default_factory=list)
    leave: list[Short] = Field(default_factory=list)
    reason: str = Field(min_length=2, max_length=500)


class PhotoIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Short
    size_bytes: int = Field(ge=0)
    taken_at: PlausibleDatetime | None = None
    sha256: str = Field(default="", pattern=r"^([0-9a-f]{64})?$")


class FindingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: Long
    severity: Literal["low", "medium", "high"] = "medium"
    location: str = Field(default="", max_length=200)
    photos: list[PhotoIn] = Field(default_factory=list, max_length=20)


class InspectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    inspected_on: PlausibleDate
    location: str = Field(default="", max_length=200)
    notes: str = Field(default="", max_length=4000)
    findings: list[FindingIn] = Field(default_factory=list, max_length=50)


class AssignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    unit: Short


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answer: Long


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    accepted: bool
    reason: str = Field(default="", max_length=2000)


class QuestionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: Long
    answer: str = Field(default="", max_length=4000)
    answered_by: str = Field(default="", max_length=200)


class InquiryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    held_on: PlausibleDate
    topic: Short
    questions: list[QuestionIn] = Field(min_length=1, max_length=50)
    follow_ups: list[Long] = Field(default_factory=list, max_length=50)


def new_id() -> str:
    return uuid4().hex[:12]


def make_oversight_router(app: SupervisionApplication) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["supervision: oversight"])
    owned = owner(app)

    @router.post("/projects/{project_id}/group")
    def assign_group(project_id: UUID, body: GroupIn, request: Request, principal: Staff) -> dict:
        """Congress staff assign the supervision group: 3–5 deputies plus resident representatives."""
        project = owned(project_id, principal)
        meta = meta_for(request, principal, project.county, reason=body.reason or "assigned")
        deputies = [{**m.model_dump(), "kind": "deputy"} for m in body.deputies]
        residents = [{**m.model_dump(), "kind": "resident"} for m in body.residents]
        return project_view(app.assign_group(meta, project_id, deputies, residents))

    @router.post("/projects/{project_id}/group/roster")
    def change_roster(project_id: UUID, body: RosterIn, request: Request, principal: Staff) -> dict:
        """Members join or leave the group, with the reason recorded."""
        project = owned(project_id, principal)
        meta = meta_for(request, principal, project.county, reason=body.reason)
        return project_view(app.change_roster(meta, project_id, [m.model_dump() for m in body.join], body.leave))

    @router.post("/projects/{project_id}/inspections", status_code=201)
    def record_inspection(project_id: UUID, body: InspectionIn, request: Request, principal: Inspector) -> dict:
        """A group member records an on-site inspection (视察) and its findings."""
        project = owned(project_id, principal)
        meta = meta_for(request, principal, project.county)
        inspection = {
            "id": new_id(),
            "inspected_on": body.inspected_on.isoformat(),
            "location": body.location,
            "notes": body.notes,
        }
        findings = [{"id": new_id(), **f.model_dump(mode="json")} for f in body.findings]
        view = project_view(app.record_inspection(meta, project_id, inspection, findings))
        return {**view, "inspection_id": inspection["id"], "finding_ids": [f["id"] for f in findings]}

    @router.post("/projects/{project_id}/findings/{finding_id}/assign")
    def assign_finding(project_id: UUID, finding_id: str, body: AssignIn, request: Request, principal: Staff) -> dict:
        """A finding goes to the unit that must rectify it."""
        project = owned(project_id, principal)
        return project_view(
            app.assign_finding(meta_for(request, principal, project.county), project_id, finding_id, body.unit)
        )

    @router.post("/projects/{project_id}/findings/{finding_id}/answer")
    def answer_finding(project_id: UUID, finding_id: str, body: AnswerIn, request: Request, principal: Unit) -> dict:
        """The unit answers with what it did."""
        project = owned(project_id, principal)
        return project_view(
            app.answer_finding(meta_for(request, principal, project.county), project_id, finding_id, body.answer)
        )

    @router.post("/projects/{project_id}/findings/{finding_id}/review")
    def review_finding(
        project_id: UUID, finding_id: str, body: ReviewIn, request: Request, principal: Inspector
    ) -> dict:
        """The inspector accepts the answer (the finding closes) or reopens it with a reason."""
        project = owned(project_id, principal)
        meta = meta_for(request, principal, project.county, reason=body.reason)
        return project_view(app.review_finding(meta, project_id, finding_id, body.accepted))

    @router.post("/projects/{project_id}/inquiries", status_code=201)
    def record_inquiry(project_id: UUID, body: InquiryIn, request: Request, principal: Staff) -> dict:
        """A special inquiry (专题询问): its questions, the answers and the follow-ups."""
        project = owned(project_id, principal)
        inquiry = {"id": new_id(), **body.model_dump(mode="json")}
        return project_view(app.record_inquiry(meta_for(request, principal, project.county), project_id, inquiry))

    return router
