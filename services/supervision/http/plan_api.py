"""The implementation plan (实施方案), its change requests, the cadence reports and the funds."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID, uuid4

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from services.supervision.app.application import SupervisionApplication
from services.supervision.http.projects_api import County, Money, owner, project_view
from shared.auth import Principal, Role
from shared.contracts.plausible import PlausibleDate
from shared.kernel.china_time import china_date
from shared.web.access import allow, check_county
from shared.web.problems import Problem
from shared.web.requests import meta_for

Text = Annotated[str, Field(min_length=1, max_length=200)]


Unit = Annotated[Principal, Depends(allow(Role.GOV_UNIT, write=True))]
Staff = Annotated[Principal, Depends(allow(Role.CONGRESS_STAFF, write=True))]


class BudgetLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: Annotated[str, Field(min_length=1, max_length=40)]
    name: Text
    amount: Money


class TaskIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: Annotated[str, Field(min_length=1, max_length=40)]
    name: Text
    unit: Text = Field(description="responsible unit (责任单位)")
    person: Text = Field(description="responsible person")
    due: PlausibleDate
    budget_line: Annotated[str, Field(min_length=1, max_length=40)]
    budget: Money


class MilestoneIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: Annotated[str, Field(min_length=1, max_length=40)]
    name: Text
    due: PlausibleDate
    target_pct: int = Field(ge=0, le=100)


class SessionCloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    closed_on: PlausibleDate
    reason: str = Field(min_length=2, max_length=500)


class CountySessionCloseIn(SessionCloseIn):
    year: int = Field(ge=2000, le=2100)


class PlanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    filed_on: PlausibleDate | None = Field(default=None, description="business date of filing; default today (China)")
    tasks: list[TaskIn] = Field(min_length=1, max_length=200)
    milestones: list[MilestoneIn] = Field(min_length=1, max_length=50)
    budget_lines: list[BudgetLineIn] = Field(min_length=1, max_length=50)

    def as_plan(self, today: date) -> dict:
        filed_on = self.filed_on or today
        if filed_on > today:
            raise Problem(
                422,
                "Invalid request",
                "实施方案的报送日期不能晚于今天 / a plan cannot be filed in the future",
                reason="future_date",
            )
        return {
            "filed_on": filed_on.isoformat(),
            "tasks": [{**t.model_dump(mode="json"), "budget": str(t.budget)} for t in self.tasks],
            "milestones": [m.model_dump(mode="json") for m in self.milestones],
            "budget_lines": [{**b.model_dump(mode="json"), "amount": str(b.amount)} for b in self.budget_lines],
        }


class ChangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["extension", "scope"]
    reason: str = Field(min_length=2, max_length=2000)
    new_deadline: PlausibleDate | None = None
    plan: PlanIn | None = None


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    approved: bool
    reason: str = Field(min_length=2, max_length=2000)


class ReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["quarterly", "midyear", "yearend"]
    period: str = Field(pattern=r"^\d{4}(Q[1-4])?$", description="2026Q1 for a quarterly report, 2026 otherwise")
    text: str = Field(min_length=1, max_length=5000)


class AuditIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=2000)
    amount_questioned: Money = Decimal("0")
    budget_line: str = ""
    office: str = Field(default="审计局", max_length=100)


def make_plan_router(app: SupervisionApplication) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["supervision: plan"])
    owned = owner(app)

    @router.post("/projects/{project_id}/session-close")
    def session_close(project_id: UUID, body: SessionCloseIn, request: Request, principal: Staff) -> dict:
        """Record the day the session closed (or the micro project was approved): the plan's
        30 days run from it. A correction event with its reason; the earlier date stays in history."""
        project = owned(project_id, principal)
        meta = meta_for(request, principal, project.county, reason=body.reason)
        return project_view(app.record_session_close(meta, project_id, body.closed_on))

    @router.post("/counties/{county}/session-close")
    def county_session_close(county: County, body: CountySessionCloseIn, request: Request, principal: Staff) -> dict:
        """The close of the county's annual session (闭会), for every major project of that year."""
        check_county(principal, county)
        meta = meta_for(request, principal, county, reason=body.reason)
        changed = app.record_county_session_close(meta, body.year, body.closed_on)
        return {"county": county, "year": body.year, "closed_on": body.closed_on.isoformat(), "projects": changed}

    @router.post("/projects/{project_id}/plan", status_code=201)
    def file_plan(project_id: UUID, body: PlanIn, request: Request, principal: Unit) -> dict:
        """File the implementation plan (within 30 days of the session, by default): published on the
        project's public page and reported to the standing committee (``supervision.plan-filed``)."""
        project = owned(project_id, principal)
        meta = meta_for(request, principal, project.county)
        return project_view(app.file_plan(meta, project_id, body.as_plan(china_date(meta.occurred_at))))

    @router.post("/projects/{project_id}/changes", status_code=201)
    def request_change(project_id: UUID, body: ChangeIn, request: Request, principal: Unit) -> dict:
        """A deadline extension or a scope change, with reasons, for the standing committee."""
        project = owned(project_id, principal)
        meta = meta_for(request, principal, project.county, reason=body.reason)
        plan = body.plan.as_plan(china_date(meta.occurred_at)) if body.plan else None
        request_id = uuid4().hex[:12]
        view = project_view(app.request_change(meta, project_id, request_id, body.kind, body.new_deadline, plan))
        return {**view, "request_id": request_id}

    @router.post("/projects/{project_id}/changes/{request_id}/decision")
    def decide_change(project_id: UUID, request_id: str, body: DecisionIn, request: Request, principal: Staff) -> dict:
        """The standing committee approves (a new plan version) or rejects; nothing is overwritten."""
        project = owned(project_id, principal)
        meta = meta_for(request, principal, project.county, reason=body.reason)
        return project_view(app.decide_change(meta, project_id, request_id, body.approved))

    @router.post("/projects/{project_id}/reports", status_code=201)
    def file_report(project_id: UUID, body: ReportIn, request: Request, principal: Unit) -> dict:
        """Quarterly report (一季一汇报), mid-year review (年中问进度) or year-end result (年终问结果)."""
        if (body.kind == "quarterly") != ("Q" in body.period):
            raise Problem(
                422,
                "Invalid request",
                "季度汇报写明季度（如 2026Q1），年中、年终报告写明年份"
                " / a quarterly report names a quarter (2026Q1); the others a year",
                reason="invalid_period",
            )
        project = owned(project_id, principal)
        return project_view(
            app.file_report(meta_for(request, principal, project.county), project_id, body.kind, body.period, body.text)
        )

    @router.post("/projects/{project_id}/audits", status_code=201)
    def record_audit(project_id: UUID, body: AuditIn, request: Request, principal: Staff) -> dict:
        """An audit finding (审计) recorded against the project by congress staff."""
        project = owned(project_id, principal)
        audit = {**body.model_dump(mode="json"), "amount_questioned": str(body.amount_questioned)}
        return project_view(app.record_audit(meta_for(request, principal, project.county), project_id, audit))

    return router
