"""Intake's JSON API, part 1: submit and track demands (public), the county queue, one demand,
and erasing a resident's contact details (staff)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from services.intake.app.application import IntakeApplication, NewDemand
from services.intake.domain.demand import Demand
from services.intake.domain.rules import CATEGORIES
from services.intake.read.projections import DEMAND
from services.intake.read.queue import QueueFilter, queue_page
from shared.auth import Principal, Role
from shared.contracts.envelope import COUNTY_PATTERN
from shared.contracts.plausible import KnownCounty, PlausibleDatetime, known_county
from shared.views.store import ViewStore
from shared.web.access import PUBLIC, allow, check_county, require_county
from shared.web.idempotency import origin_of
from shared.web.paging import PAGED, PagingDep
from shared.web.problems import Problem
from shared.web.requests import meta_for

STAFF_ROLES = (Role.CONGRESS_STAFF, Role.GOV_UNIT)
READERS = (*STAFF_ROLES, Role.DEPUTY, Role.AUDITOR, Role.PROVINCE_VIEWER)
County = Annotated[str, Path(pattern=COUNTY_PATTERN), AfterValidator(known_county)]  # 422 unknown_county


def now_of(request: Request) -> datetime:
    """Business time of a query: the app's clock when a test sets one."""
    return getattr(request.app.state, "clock", lambda: datetime.now(UTC))()


class Location(BaseModel):
    lat: float = Field(ge=-90, le=90)
    long: float = Field(ge=-180, le=180)


class Attachment(BaseModel):
    name: str = Field(max_length=200)
    content_type: str = Field(max_length=100)
    size: int = Field(ge=0, le=50_000_000)


class DemandIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    county: KnownCounty = Field(description="6-digit 行政区划代码 of a county-level division (MCA registry)")
    channel: Literal["web", "qr_code", "liaison_station", "deputy_suggestion", "department_list"] = Field(
        default="web", description="qr_code: through a deputy's or a liaison station's code (name the source)"
    )
    town: str = Field(min_length=1, max_length=40, description="乡镇/街道")
    category: str = Field(description="one of the county's categories")
    text: str = Field(min_length=2, max_length=4000)
    name: str = Field(default="", max_length=60)
    phone: str = Field(default="", max_length=30)
    address: str = Field(default="", max_length=200)
    location: Location | None = None
    attachments: list[Attachment] = Field(default_factory=list, max_length=10)
    received_at: PlausibleDatetime | None = Field(
        default=None,
        description="when a station, deputy or department received it (staff channels only; defaults to now)",
    )
    station_id: UUID | None = Field(default=None, description="the liaison station it was raised at or through")
    deputy_id: str = Field(
        default="", max_length=100, description="the deputy it was raised with (their account, as registered)"
    )
    reception_id: UUID | None = Field(default=None, description="the reception (接待日) it was raised at")


class DemandCreated(BaseModel):
    id: UUID
    tracking_code: str
    status: str


class Erasure(BaseModel):
    reason: str = Field(min_length=2, max_length=500, description="why the resident's details are erased")


def tracking_view(demand: Demand) -> dict:
    return {
        "tracking_code": demand.tracking_code,
        "county": demand.county,
        "town": demand.town,
        "category": demand.category,
        "channel": demand.channel,
        "text": demand.text,
        "status": demand.status,
        "submitted_at": demand.submitted_at.isoformat(),
        "timeline": demand.timeline,
        "merged_into": str(demand.merged_into) if demand.merged_into else None,
        "duplicate_of": str(demand.duplicate_of) if demand.duplicate_of else None,
        "station_id": str(demand.station_id) if demand.station_id else None,  # the source, when there is one
        "reception_id": str(demand.reception_id) if demand.reception_id else None,
    }


def make_router(app: IntakeApplication, views: ViewStore) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["intake"])

    @router.post("/demands", status_code=201, response_model=DemandCreated)
    async def submit_demand(
        body: DemandIn, request: Request, principal: Annotated[Principal, Depends(allow(PUBLIC))]
    ) -> DemandCreated:
        """Submit a demand (诉求). Public for the web form and a scanned code (``qr_code``, which names
        its station or deputy); other channels need a staff or deputy token. A station, deputy or
        reception named is recorded as the demand's source. Async: the demand is saved in a worker thread
        together with the submissions that arrive meanwhile (one transaction for all: group commit)."""
        public = body.channel in ("web", "qr_code")
        if body.channel == "qr_code" and body.station_id is None and not body.deputy_id:
            raise Problem(
                422, "Invalid request", "a scanned code names its station or deputy", reason="source_required"
            )
        if not public:
            if not principal.has_any({*STAFF_ROLES, Role.DEPUTY}):
                raise Problem(403, "Forbidden", f"channel {body.channel} is for staff and deputies", reason="forbidden")
            check_county(principal, body.county)
        elif body.received_at is not None:
            raise Problem(422, "Invalid request", "received_at is only for staff channels", reason="invalid_request")
        if body.channel == "web" and (body.station_id or body.deputy_id or body.reception_id):
            raise Problem(
                422,
                "Invalid request",
                "a demand with a source comes through a code or a staff channel",
                reason="invalid_request",
            )
        if body.category not in CATEGORIES:
            raise Problem(
                422,
                "Invalid request",
                f"unknown category {body.category!r}",
                reason="unknown_category",
                categories=list(CATEGORIES),
            )
        role = "resident" if public else principal.primary_role
        meta = meta_for(request, principal, body.county, role=role)
        if body.received_at is not None:
            received = body.received_at if body.received_at.tzinfo else body.received_at.replace(tzinfo=UTC)
            if received > meta.occurred_at:
                raise Problem(422, "Invalid request", "received_at is in the future", reason="invalid_request")
            meta = replace(meta, occurred_at=received, entered_late=True)  # entered after it was received
        demand = await app.submit_async(
            meta,
            NewDemand(
                channel=body.channel,
                town=body.town,
                category=body.category,
                text=body.text,
                name=body.name,
                phone=body.phone,
                address=body.address,
                location=body.location.model_dump() if body.location else None,
                attachments=[a.model_dump() for a in body.attachments],
                station_id=body.station_id,
                deputy_id=body.deputy_id,
                reception_id=body.reception_id,
                origin_key=origin_of(request.state),
            ),
        )
        return DemandCreated(id=demand.id, tracking_code=demand.tracking_code, status=demand.status)

    @router.get("/track/{code}")
    def track(code: str, principal: Annotated[Principal, Depends(allow(PUBLIC))]) -> dict:
        """Follow a demand by its tracking code (跟踪码), no account needed."""
        return tracking_view(app.track(code))

    @router.get("/counties/{county}/demands", **PAGED)
    def county_demands(
        county: County,
        request: Request,
        principal: Annotated[Principal, Depends(allow(*READERS))],
        paging: PagingDep,
        status: str | None = None,
        category: str | None = None,
        town: str | None = None,
        channel: str | None = None,
        kind: str | None = None,
        tier: str | None = None,
        overdue: bool | None = None,
        q: str | None = None,
    ) -> dict:
        """The county's triage queue with filters and counts, a page at a time (``page``, ``limit`` per
        page; the answer says ``pages`` and ``total``): overdue consultations first, then by deadline,
        then newest."""
        check_county(principal, county)
        wanted = QueueFilter(
            status=status, category=category, town=town, channel=channel, kind=kind, tier=tier, overdue=overdue, text=q
        )
        return {"county": county, **queue_page(views, county, wanted, now_of(request), paging)}

    @router.get("/demand-totals")
    def demand_totals(
        principal: Annotated[Principal, Depends(allow(*READERS))],
        scope: Annotated[str, Query(pattern=r"^\d{0,6}$", description="a code prefix (4407); empty: all")] = "",
    ) -> dict:
        """How many demands each county the caller may read has (under ``scope``), in one answer: the
        province view's column without a request per county."""
        totals = views.count_by_county(DEMAND)
        return {"items": {c: n for c, n in sorted(totals.items()) if c.startswith(scope) and principal.covers(c)}}

    @router.get("/demands/{demand_id}")
    def demand_detail(demand_id: UUID, principal: Annotated[Principal, Depends(allow(*READERS))]) -> dict:
        """One demand with its timeline; the resident's contact only for the county's staff."""
        demand = app.find(demand_id)
        require_county(principal, getattr(demand, "county", None))
        if not isinstance(demand, Demand):
            raise Problem(404, "Not found", "no such demand", reason="not_found")
        view = {
            "id": str(demand.id),
            **tracking_view(demand),
            "hotline_ticket_id": demand.hotline_ticket_id,
            "kind": demand.kind,
            "tier": demand.tier,
            "owner": demand.owner,
            "scope": demand.scope,
            "estimate": demand.estimate,
            "rules_version": demand.rules_version,
            "due_at": demand.due_at.isoformat() if demand.due_at else None,
            "deputies": demand.deputies,
            "duplicates": demand.duplicates,
            "wish": demand.wish,
            "location": demand.location,
            "attachments": demand.attachments,
        }
        if demand.contact_id and principal.has_any(set(STAFF_ROLES)):
            contact = app.contact(demand.contact_id, demand.county)
            view["contact"] = {
                "name": contact.name,
                "phone": contact.phone,
                "address": contact.address,
                "erased": contact.erased,
            }
        return view

    @router.post("/demands/{demand_id}/erase-contact")
    def erase_contact(
        demand_id: UUID,
        body: Erasure,
        request: Request,
        principal: Annotated[Principal, Depends(allow(Role.CONGRESS_STAFF, write=True))],
    ) -> dict:
        """Erase the resident's name, phone and address: their key is destroyed (crypto-shredding),
        so every stored or published copy becomes unreadable; the demand's history stays."""
        demand = app.find_as(Demand, demand_id)
        county = require_county(principal, demand.county if demand is not None else None)
        return app.erase_contact(meta_for(request, principal, county, reason=body.reason), demand_id)

    return router
