"""Intake's JSON API, part 6: reception days at the liaison stations (接待日, 夜间联络站, 代表夜聊)
and what became of their demands, the county's overview of its liaison network, and intake's part
of a deputy's record of duty (履职档案)."""

from __future__ import annotations

from typing import Annotated, Literal, get_args
from uuid import UUID

from fastapi import APIRouter, Query, Request
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from services.intake.app.application import IntakeApplication
from services.intake.domain.reception import KINDS, Reception
from services.intake.http.demands_api import County, now_of
from services.intake.http.registry_api import ANYONE, READER, STAFF, DeputyId, Reason, deputy_doc, station_of
from services.intake.read.duty import demand_outcome, intake_record
from services.intake.read.overview import CHINA, in_year, overview
from services.intake.read.projections import DEMAND, SUGGESTION
from services.intake.read.registry import DEPUTY, RECEPTION, STATION
from shared import divisions
from shared.auth import Principal
from shared.views.paging import page_of
from shared.views.query import Condition, DocQuery
from shared.views.store import ViewStore
from shared.web.access import check_county, require_county
from shared.web.paging import PAGED, PagingDep
from shared.web.problems import Problem
from shared.web.requests import meta_for

Kind = Literal["reception_day", "night_station", "night_chat"]
Year = Annotated[int | None, Query(ge=2000, le=2100, description="default: this year (China time)")]
assert set(KINDS) == set(get_args(Kind))  # one list


class ReceptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Kind = Field(default="reception_day", description="接待日, 夜间联络站 or 代表夜聊")
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    topic: str = Field(default="", max_length=200)
    deputy_ids: list[DeputyId] = Field(default_factory=list, max_length=200, description="deputies expected")


class AttendanceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    present: list[DeputyId] = Field(min_length=1, max_length=200)
    reason: str = Field(default="", max_length=500, description="needed when correcting an earlier record")


def reception_view(r: Reception) -> dict:
    return {
        "id": str(r.id),
        "county": r.county,
        "station_id": str(r.station_id),
        "town": r.town,
        "kind": r.kind,
        "starts_at": r.starts_at.isoformat(),
        "ends_at": r.ends_at.isoformat(),
        "topic": r.topic,
        "deputy_ids": list(r.deputy_ids),
        "present": list(r.present),
        "status": "cancelled" if r.cancelled else "held" if r.attendance_recorded else "scheduled",
    }


def year_of(request: Request, year: int | None) -> int:
    return year or now_of(request).astimezone(CHINA).year


def reception_of(app: IntakeApplication, reception_id: UUID, principal: Principal | None = None) -> Reception:
    found = app.find_as(Reception, reception_id)
    if principal is not None:
        require_county(principal, found.county if found is not None else None)
    if found is None:
        raise Problem(404, "Not found", "no such reception", reason="not_found")
    return found


def make_receptions_router(app: IntakeApplication, views: ViewStore) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["deputies and liaison stations"])

    # -- receptions ----------------------------------------------------------------------------------
    @router.post("/stations/{station_id}/receptions", status_code=201)
    def schedule_reception(station_id: UUID, body: ReceptionIn, request: Request, principal: STAFF) -> dict:
        """A station schedules a reception (接待日, 夜间联络站, 代表夜聊) with the deputies expected."""
        county = station_of(app, station_id, principal).county
        meta = meta_for(request, principal, county)
        reception = app.schedule_reception(
            meta, station_id, body.kind, body.starts_at, body.ends_at, body.topic, body.deputy_ids
        )
        return reception_view(reception)

    @router.get("/counties/{county}/receptions", **PAGED)
    def list_receptions(
        county: County,
        request: Request,
        principal: ANYONE,
        paging: PagingDep,
        station_id: UUID | None = None,
        year: Year = None,
    ) -> dict:
        """The receptions of a year (China time), of one station or all, in time order, a page at a time.
        The store picks the station's; the year is the China date of ``starts_at``, which is stored with
        the offset it was entered with, so the year is chosen here and the page sliced from it."""
        wanted = year_of(request, year)
        at = (Condition("station_id", "=", str(station_id)),) if station_id is not None else ()
        items = [r for r in views.select(DocQuery(RECEPTION, county, at)) if in_year(r["starts_at"], wanted)]
        items.sort(key=lambda r: r["starts_at"])
        return {"county": county, "year": wanted, **page_of(items, paging)}

    @router.get("/receptions/{reception_id}")
    def get_reception(reception_id: UUID, principal: ANYONE) -> dict:
        """A reception, who was there, and what became of each demand raised there."""
        r = reception_of(app, reception_id)
        raised = [d for d in views.list(DEMAND, r.county) if d.get("reception_id") == str(reception_id)]
        raised.sort(key=lambda d: d["submitted_at"])
        return {**reception_view(r), "demands": [demand_outcome(d) for d in raised]}

    @router.post("/receptions/{reception_id}/attendance")
    def record_attendance(reception_id: UUID, body: AttendanceIn, request: Request, principal: STAFF) -> dict:
        """The deputies present (once the reception has begun; again, with a reason, to correct it)."""
        county = reception_of(app, reception_id, principal).county
        meta = meta_for(request, principal, county, reason=body.reason)
        return reception_view(app.record_attendance(meta, reception_id, body.present))

    @router.post("/receptions/{reception_id}/cancel")
    def cancel_reception(reception_id: UUID, body: Reason, request: Request, principal: STAFF) -> dict:
        county = reception_of(app, reception_id, principal).county
        return reception_view(
            app.cancel_reception(meta_for(request, principal, county, reason=body.reason), reception_id)
        )

    # -- the county's overview and the deputy's record -------------------------------------------------
    @router.get("/counties/{county}/liaison-overview")
    def liaison_overview(county: County, request: Request, principal: READER, year: Year = None) -> dict:
        """Stations per town/street, deputies per station, demands per station and per deputy; towns
        with no station or no reception held in the last quarter (91 days) are flagged."""
        check_county(principal, county)
        towns = [name for _, name in divisions.towns_of(county)]
        return {
            "county": county,
            **overview(
                towns,
                views.list(DEPUTY, county),
                views.list(STATION, county),
                views.list(RECEPTION, county),
                views.list(DEMAND, county),
                now_of(request),
                year_of(request, year),
            ),
        }

    @router.get("/counties/{county}/deputies/{deputy_id}/duty")
    def duty(county: County, deputy_id: str, request: Request, principal: ANYONE, year: Year = None) -> dict:
        """Intake's part of the deputy's record of duty for a year: demands received and what became
        of each, receptions attended, suggestions made, micro-wishes claimed (public; no demand's
        text, tracking code or resident)."""
        record = intake_record(
            deputy_doc(views, county, deputy_id),
            views.list(STATION, county),
            views.list(RECEPTION, county),
            views.list(DEMAND, county),
            views.list(SUGGESTION, county),
            year_of(request, year),
        )
        return {"county": county, **record}

    return router
