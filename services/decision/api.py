"""Decision's JSON API: the demand pool, micro projects (立办制)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from shared.access import allow, check_county, require_county
from shared.auth import Principal, Role
from shared.contracts.envelope import COUNTY_PATTERN
from shared.requests import meta_for
from shared.views import ViewStore
from services.decision.application import DecisionApplication, MicroProposal
from services.decision.domain import MicroProject
from services.decision.projections import MICRO, POOL

County = Annotated[str, Path(pattern=COUNTY_PATTERN)]
READERS = (Role.CONGRESS_STAFF, Role.GOV_UNIT, Role.DEPUTY, Role.AUDITOR, Role.PROVINCE_VIEWER)


class MicroIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year: int = Field(ge=2000, le=2100)
    town: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=2, max_length=100)
    content: str = Field(min_length=2, max_length=4000)
    implementing_body: str = Field(min_length=2, max_length=100, description="实施主体")
    investment: Decimal = Field(gt=0, max_digits=14, decimal_places=2, description="投资额度 (CNY)")
    deadline: date = Field(description="完成时限")
    demand_ids: list[UUID] = Field(min_length=1, max_length=500)


class Reason(BaseModel):
    reason: str = Field(default="", max_length=500)


def micro_view(p: MicroProject) -> dict:
    return {"id": str(p.id), "county": p.county, "year": p.year, "town": p.town, "name": p.name,
            "content": p.content, "implementing_body": p.implementing_body, "investment": str(p.investment),
            "deadline": p.deadline.isoformat(), "demand_ids": [str(d) for d in p.demand_ids], "status": p.status,
            "rule_version": p.rule_version, "project_id": str(p.project_id)}


def make_router(app: DecisionApplication, views: ViewStore) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["decision"])

    @router.get("/counties/{county}/pool")
    def pool(county: County, principal: Annotated[Principal, Depends(allow(*READERS))],
             include_used: bool = False) -> dict:
        """Residents' demands available for candidate and micro projects."""
        check_county(principal, county)
        items = [d for d in views.list(POOL, county) if include_used or d["used_by"] is None]
        items.sort(key=lambda d: d["pooled_at"], reverse=True)
        return {"county": county, "total": len(items), "items": items}

    @router.get("/counties/{county}/micro-projects")
    def micro_projects(county: County, principal: Annotated[Principal, Depends(allow(*READERS))],
                       status: str | None = None) -> dict:
        check_county(principal, county)
        items = [d for d in views.list(MICRO, county) if status is None or d["status"] == status]
        items.sort(key=lambda d: d["proposed_at"], reverse=True)
        return {"county": county, "total": len(items), "items": items}

    @router.post("/counties/{county}/micro-projects", status_code=201)
    def propose_micro(county: County, body: MicroIn, request: Request, principal: Annotated[
            Principal, Depends(allow(Role.DEPUTY, Role.CONGRESS_STAFF, write=True))]) -> dict:
        """A deputy proposes a micro project (代表提) from demands in the pool; capped per item."""
        check_county(principal, county)
        project = app.propose_micro(meta_for(request, principal, county), MicroProposal(**body.model_dump()))
        return micro_view(project)

    @router.get("/micro-projects/{project_id}")
    def micro_detail(project_id: UUID, principal: Annotated[Principal, Depends(allow(*READERS))]) -> dict:
        project = app.find(project_id)
        require_county(principal, getattr(project, "county", None))
        return micro_view(app.micro(project_id))

    @router.post("/micro-projects/{project_id}/approve")
    def approve_micro(project_id: UUID, body: Reason, request: Request, principal: Annotated[
            Principal, Depends(allow(Role.CONGRESS_STAFF, write=True))]) -> dict:
        """The town/street presidium or standing committee approves: the project goes to supervision."""
        project = app.find(project_id)
        require_county(principal, getattr(project, "county", None))
        meta = meta_for(request, principal, project.county, reason=body.reason)
        return micro_view(app.approve_micro(meta, project_id))

    @router.post("/micro-projects/{project_id}/decline")
    def decline_micro(project_id: UUID, body: Reason, request: Request, principal: Annotated[
            Principal, Depends(allow(Role.CONGRESS_STAFF, Role.GOV_UNIT, write=True))]) -> dict:
        project = app.find(project_id)
        require_county(principal, getattr(project, "county", None))
        meta = meta_for(request, principal, project.county, reason=body.reason)
        return micro_view(app.decline_micro(meta, project_id))

    return router
