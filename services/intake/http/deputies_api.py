"""Intake's JSON API, part 3: the deputy's inbox (代表线上接单) and micro-wishes (微心愿)."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from services.intake.app.application import IntakeApplication
from services.intake.app.deputies import FundingSource, Satisfaction
from services.intake.domain.demand import Demand
from services.intake.domain.suggestion import ProjectSuggestion
from services.intake.http.demands_api import READERS, County
from services.intake.http.triage_api import demand_brief
from services.intake.read.lists import inbox_query, wishes_query
from shared.auth import Principal, Role
from shared.views.paging import page_in_store
from shared.views.store import ViewStore
from shared.web.access import allow, check_county, require_county
from shared.web.paging import PAGED, PagingDep
from shared.web.requests import meta_for

DEPUTY = allow(Role.DEPUTY, write=True)


class DeputyActionIn(BaseModel):
    action: Literal["accept", "answer", "forward", "suggest"]
    note: str = Field(default="", max_length=4000, description="the answer (answer), or a note")
    forward_to: str = Field(default="", max_length=100, description="a department, or deputy:<id>")
    title: str = Field(default="", max_length=200, description="title of the suggestion (suggest)")


class WishStepIn(BaseModel):
    step: Literal["claimed", "funded", "fulfilled", "visited"]
    source: FundingSource | None = None
    amount: str = Field(default="", max_length=20, description="CNY (funded)")
    note: str = Field(default="", max_length=1000)
    satisfaction: Satisfaction | None = None


def make_deputy_router(app: IntakeApplication, views: ViewStore) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["deputies"])

    def county_of(demand_id: UUID, principal: Principal) -> str:
        found = app.find_as(Demand, demand_id)
        return require_county(principal, found.county if found is not None else None)

    @router.get("/counties/{county}/inbox", **PAGED)
    def inbox(
        county: County,
        principal: Annotated[Principal, Depends(allow(Role.DEPUTY))],
        paging: PagingDep,
        include_done: bool = False,
    ) -> dict:
        """Demands pushed to the calling deputy (from their area, or forwarded to them), newest first."""
        check_county(principal, county)
        query = inbox_query(county, principal.subject, include_done)
        return {"county": county, "deputy": principal.subject, **page_in_store(views, query, paging)}

    @router.post("/demands/{demand_id}/deputy-action")
    def act(
        demand_id: UUID, body: DeputyActionIn, request: Request, principal: Annotated[Principal, Depends(DEPUTY)]
    ) -> dict:
        """accept (接单), answer the resident, forward, or turn it into a suggestion."""
        county = county_of(demand_id, principal)
        result = app.deputy_act(
            meta_for(request, principal, county), demand_id, body.action, body.note, body.forward_to, body.title
        )
        if isinstance(result, ProjectSuggestion):
            return {"suggestion_id": str(result.id), "demand_ids": [str(d) for d in result.demand_ids]}
        return demand_brief(result)

    @router.get("/counties/{county}/wishes", **PAGED)
    def wishes(
        county: County,
        principal: Annotated[Principal, Depends(allow(*READERS))],
        paging: PagingDep,
        open_only: bool = True,
    ) -> dict:
        """Micro-wishes (微心愿) for deputies to claim (认领), with their funding and return visits, the
        oldest first."""
        check_county(principal, county)
        return {"county": county, **page_in_store(views, wishes_query(county, unclaimed=open_only), paging)}

    @router.post("/demands/{demand_id}/wish")
    def wish_step(
        demand_id: UUID,
        body: WishStepIn,
        request: Request,
        principal: Annotated[Principal, Depends(allow(Role.DEPUTY, Role.CONGRESS_STAFF, Role.GOV_UNIT, write=True))],
    ) -> dict:
        """claimed (deputies only) → funded (source: social_donor, deputy, special_fund) → fulfilled →
        visited (回访)."""
        county = county_of(demand_id, principal)
        if body.step == "claimed" and not principal.has_any({Role.DEPUTY}):
            from shared.web.problems import Problem

            raise Problem(403, "Forbidden", "only a deputy claims a micro-wish", reason="forbidden")
        demand = app.wish_step(
            meta_for(request, principal, county),
            demand_id,
            body.step,
            source=body.source or "",
            amount=body.amount,
            note=body.note,
            satisfaction=body.satisfaction or "",
        )
        return {**demand_brief(demand), "wish": demand.wish}

    return router
