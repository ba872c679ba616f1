"""Intake's JSON API: submit and track demands (public), the county queue and dead letters (staff)."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from shared.access import PUBLIC, allow, check_county, require_county
from shared.auth import Principal, Role
from shared.bus.deadletter import list_deadletters
from shared.contracts.envelope import COUNTY_PATTERN
from shared.problems import Problem
from shared.requests import meta_for
from shared.views import ViewStore
from services.intake.application import IntakeApplication, NewDemand
from services.intake.domain import Demand
from services.intake.projections import DEMAND
from services.intake.rules import CATEGORIES

STAFF_ROLES = (Role.CONGRESS_STAFF, Role.GOV_UNIT)
READERS = (*STAFF_ROLES, Role.DEPUTY, Role.AUDITOR, Role.PROVINCE_VIEWER)


class Location(BaseModel):
    lat: float = Field(ge=-90, le=90)
    long: float = Field(ge=-180, le=180)


class Attachment(BaseModel):
    name: str = Field(max_length=200)
    content_type: str = Field(max_length=100)
    size: int = Field(ge=0, le=50_000_000)


class DemandIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    county: str = Field(pattern=COUNTY_PATTERN, description="6-digit 行政区划代码")
    channel: Literal["web", "liaison_station", "deputy_suggestion", "department_list"] = "web"
    town: str = Field(min_length=1, max_length=40, description="乡镇/街道")
    category: str = Field(description="one of the county's categories")
    text: str = Field(min_length=2, max_length=4000)
    name: str = Field(default="", max_length=60)
    phone: str = Field(default="", max_length=30)
    address: str = Field(default="", max_length=200)
    location: Location | None = None
    attachments: list[Attachment] = Field(default_factory=list, max_length=10)


class DemandCreated(BaseModel):
    id: UUID
    tracking_code: str
    status: str


def tracking_view(demand: Demand) -> dict:
    return {
        "tracking_code": demand.tracking_code, "county": demand.county, "town": demand.town,
        "category": demand.category, "channel": demand.channel, "text": demand.text, "status": demand.status,
        "submitted_at": demand.submitted_at.isoformat(), "timeline": demand.timeline,
    }


def make_router(app: IntakeApplication, views: ViewStore) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["intake"])

    @router.post("/demands", status_code=201, response_model=DemandCreated)
    def submit_demand(body: DemandIn, request: Request,
                      principal: Annotated[Principal, Depends(allow(PUBLIC))]) -> DemandCreated:
        """Submit a demand (诉求). Public for the web form; other channels need a staff or deputy token."""
        if body.channel != "web":
            if not principal.has_any({*STAFF_ROLES, Role.DEPUTY}):
                raise Problem(403, "Forbidden", f"channel {body.channel} is for staff and deputies", reason="forbidden")
            check_county(principal, body.county)
        if body.category not in CATEGORIES:
            raise Problem(422, "Invalid request", f"unknown category {body.category!r}", reason="unknown_category",
                          categories=list(CATEGORIES))
        role = "resident" if body.channel == "web" else principal.primary_role
        meta = meta_for(request, principal, body.county, role=role)
        demand = app.submit(meta, NewDemand(
            channel=body.channel, town=body.town, category=body.category, text=body.text, name=body.name,
            phone=body.phone, address=body.address, location=body.location.model_dump() if body.location else None,
            attachments=[a.model_dump() for a in body.attachments],
        ))
        return DemandCreated(id=demand.id, tracking_code=demand.tracking_code, status=demand.status)

    submit_demand.allowed_roles = ("public",)  # type: ignore[attr-defined]

    @router.get("/track/{code}")
    def track(code: str, principal: Annotated[Principal, Depends(allow(PUBLIC))]) -> dict:
        """Follow a demand by its tracking code (跟踪码), no account needed."""
        return tracking_view(app.track(code))

    @router.get("/counties/{county}/demands")
    def county_demands(
        county: Annotated[str, Path(pattern=COUNTY_PATTERN)],
        principal: Annotated[Principal, Depends(allow(*READERS))],
        status: str | None = None, category: str | None = None, town: str | None = None,
        channel: str | None = None, limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    ) -> dict:
        """The county's demand queue, newest first, with counts by status."""
        check_county(principal, county)
        docs = views.list(DEMAND, county)
        counts: dict[str, int] = {}
        for doc in docs:
            counts[doc["status"]] = counts.get(doc["status"], 0) + 1
        wanted = [d for d in docs if (status is None or d["status"] == status)
                  and (category is None or d["category"] == category) and (town is None or d["town"] == town)
                  and (channel is None or d["channel"] == channel)]
        wanted.sort(key=lambda d: d["submitted_at"], reverse=True)
        return {"county": county, "total": len(wanted), "counts": counts, "items": wanted[:limit]}

    @router.get("/demands/{demand_id}")
    def demand_detail(demand_id: UUID, principal: Annotated[Principal, Depends(allow(*READERS))]) -> dict:
        """One demand with its timeline; the resident's contact only for the county's staff."""
        demand = app.find(demand_id)
        require_county(principal, getattr(demand, "county", None))
        assert isinstance(demand, Demand)
        view = {"id": str(demand.id), **tracking_view(demand), "hotline_ticket_id": demand.hotline_ticket_id}
        if demand.contact_id and principal.has_any(set(STAFF_ROLES)):
            contact = app.contact(demand.contact_id, demand.county)
            view["contact"] = {"name": contact.name, "phone": contact.phone, "address": contact.address}
        return view

    @router.get("/counties/{county}/deadletters")
    async def deadletters(county: Annotated[str, Path(pattern=COUNTY_PATTERN)], request: Request,
                          principal: Annotated[Principal, Depends(allow(*STAFF_ROLES, Role.AUDITOR))]) -> dict:
        """Messages that could not be processed, with their reasons (死信)."""
        check_county(principal, county)
        runtime = request.app.state.runtime
        if runtime.js is None:
            raise Problem(503, "Unavailable", "not connected to NATS", reason="nats_unavailable")
        items = await list_deadletters(runtime.js, county=county)
        return {"county": county, "total": len(items), "items": [i.as_dict() for i in items]}

    return router
