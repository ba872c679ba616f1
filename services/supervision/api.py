"""Supervision's JSON API: the county's projects, progress reports, completion and acceptance."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from shared.access import PUBLIC, allow, require_county
from shared.auth import Principal, Role
from shared.contracts.envelope import COUNTY_PATTERN
from shared.requests import meta_for
from shared.views import ViewStore
from services.supervision.application import SupervisionApplication
from services.supervision.domain import Project
from services.supervision.projections import PROJECT

County = Annotated[str, Path(pattern=COUNTY_PATTERN)]
READERS = (Role.CONGRESS_STAFF, Role.GOV_UNIT, Role.DEPUTY, Role.AUDITOR, Role.PROVINCE_VIEWER)


class ProgressIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    progress_pct: int = Field(ge=0, le=100)
    spent: Decimal = Field(ge=0, max_digits=14, decimal_places=2)
    note: str = Field(min_length=1, max_length=2000)


class CompletionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    completed_on: date
    spent: Decimal = Field(ge=0, max_digits=14, decimal_places=2)
    note: str = Field(default="", max_length=2000)


class AcceptanceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    verdict: Literal["accepted", "rejected"]
    reason: str = Field(default="", max_length=2000)


def project_view(p: Project) -> dict:
    return {"id": str(p.id), "county": p.county, "year": p.year, "tier": p.tier, "name": p.name,
            "content": p.content, "implementing_body": p.implementing_body, "investment": str(p.investment),
            "deadline": p.deadline.isoformat(), "progress_pct": p.progress_pct, "spent": str(p.spent),
            "status": p.status, "reports": p.reports, "demand_ids": [str(d) for d in p.demand_ids],
            "completed_on": p.completed_on.isoformat() if p.completed_on else None}


def make_router(app: SupervisionApplication, views: ViewStore) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["supervision"])

    def owned(project_id: UUID, principal: Principal) -> Project:
        project = app.find(project_id)
        require_county(principal, getattr(project, "county", None))
        return app.project(project_id)

    @router.get("/counties/{county}/projects")
    def projects(county: County, principal: Annotated[Principal, Depends(allow(PUBLIC))],
                 year: int | None = None) -> dict:
        """The public progress board of a county (民生实事进度榜): projects are public information."""
        items = [d for d in views.list(PROJECT, county) if year is None or d["year"] == year]
        items.sort(key=lambda d: (d["year"], d["name"]))
        return {"county": county, "total": len(items), "items": items}

    @router.get("/projects/{project_id}")
    def project_detail(project_id: UUID, principal: Annotated[Principal, Depends(allow(*READERS))]) -> dict:
        return project_view(owned(project_id, principal))

    @router.post("/projects/{project_id}/progress")
    def progress(project_id: UUID, body: ProgressIn, request: Request, principal: Annotated[
            Principal, Depends(allow(Role.GOV_UNIT, write=True))]) -> dict:
        """The responsible unit's tracking entry (一月一跟踪)."""
        project = owned(project_id, principal)
        meta = meta_for(request, principal, project.county)
        return project_view(app.report_progress(meta, project_id, body.progress_pct, body.spent, body.note))

    @router.post("/projects/{project_id}/completion")
    def completion(project_id: UUID, body: CompletionIn, request: Request, principal: Annotated[
            Principal, Depends(allow(Role.GOV_UNIT, write=True))]) -> dict:
        """The responsible unit reports the project complete."""
        project = owned(project_id, principal)
        meta = meta_for(request, principal, project.county)
        return project_view(app.report_completion(meta, project_id, body.completed_on, body.spent, body.note))

    @router.post("/projects/{project_id}/acceptance")
    def acceptance(project_id: UUID, body: AcceptanceIn, request: Request, principal: Annotated[
            Principal, Depends(allow(Role.DEPUTY, Role.CONGRESS_STAFF, write=True))]) -> dict:
        """The supervision group's acceptance check (验收); accepted projects go to evaluation."""
        project = owned(project_id, principal)
        meta = meta_for(request, principal, project.county, reason=body.reason)
        return project_view(app.accept(meta, project_id, body.verdict))

    return router
