"""Intake's JSON API, part 4: the registries of deputies and liaison stations, kept by congress
staff and read by anyone (亮身份). No phone number is ever taken or shown: the registry holds none."""

from __future__ import annotations

from typing import Annotated, Literal, get_args
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from services.intake.app.application import IntakeApplication
from services.intake.domain.deputy import LEVELS, Deputy, deputy_key
from services.intake.domain.station import LiaisonStation
from services.intake.http.codes import stations_of
from services.intake.http.demands_api import READERS, County
from services.intake.read.duty import public_deputy, public_station
from services.intake.read.lists import deputies_query, stations_query
from services.intake.read.registry import DEPUTY
from shared.auth import Principal, Role
from shared.views.paging import page_in_store
from shared.views.store import ViewStore
from shared.web.access import PUBLIC, allow, check_county, require_county
from shared.web.paging import PAGED, PagingDep
from shared.web.posters import public_origin
from shared.web.problems import Problem
from shared.web.requests import meta_for

STAFF = Annotated[Principal, Depends(allow(Role.CONGRESS_STAFF, write=True))]
ANYONE = Annotated[Principal, Depends(allow(PUBLIC))]
READER = Annotated[Principal, Depends(allow(*READERS))]
DeputyId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
Level = Literal["national", "provincial", "city", "county", "township"]
assert set(LEVELS) == set(get_args(Level))  # one list


class DeputyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")  # no phone: the registry holds none
    deputy_id: DeputyId = Field(description="the subject of the deputy's account (sign-in)")
    name: str = Field(min_length=1, max_length=40)
    level: Level = Field(description="national, provincial, city, county or township (五级人大代表)")
    town: str = Field(min_length=1, max_length=40, description="乡镇/街道 (name or 9-digit code)")
    group: str = Field(default="", max_length=60, description="代表小组")


class DeputyRevision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=40)
    level: Level
    town: str = Field(min_length=1, max_length=40)
    group: str = Field(default="", max_length=60)


class Reason(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=2, max_length=500)


class StationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=2, max_length=60)
    town: str = Field(min_length=1, max_length=40)
    address: str = Field(min_length=2, max_length=200)
    hours: str = Field(min_length=2, max_length=200, description="reception times, e.g. 每周三 19:00–21:00")
    deputy_ids: list[DeputyId] = Field(default_factory=list, max_length=200)


class StationRevision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=2, max_length=60)
    town: str = Field(min_length=1, max_length=40)
    address: str = Field(min_length=2, max_length=200)
    hours: str = Field(min_length=2, max_length=200)


class RosterIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    deputy_ids: list[DeputyId] = Field(max_length=200)
    reason: str = Field(default="", max_length=500)


def deputy_view(d: Deputy) -> dict:
    return {
        "deputy_id": d.deputy_id,
        "county": d.county,
        "name": d.name,
        "level": d.level,
        "town": d.town,
        "group": d.group,
        "active": d.active,
    }


def station_view(s: LiaisonStation) -> dict:
    return {
        "id": str(s.id),
        "county": s.county,
        "name": s.name,
        "town": s.town,
        "address": s.address,
        "hours": s.hours,
        "deputy_ids": list(s.deputy_ids),
    }


def origin(request: Request) -> str:
    return public_origin(request, request.app.state.settings.public_origin)


def deputy_doc(views: ViewStore, county: str, deputy_id: str) -> dict:
    """The registry's document of a deputy of ``county`` (404 otherwise)."""
    doc = views.get(DEPUTY, str(deputy_key(county, deputy_id)))
    if doc is None or doc["county"] != county:
        raise Problem(404, "Not found", "no such deputy in this county", reason="not_found")
    return doc


def names(views: ViewStore, county: str) -> dict[str, str]:
    return {d["deputy_id"]: d["name"] for d in views.list(DEPUTY, county)}


def station_of(app: IntakeApplication, station_id: UUID, principal: Principal | None = None) -> LiaisonStation:
    """The station (404 otherwise; also when ``principal`` is given and does not cover its county)."""
    found = app.find_as(LiaisonStation, station_id)
    if principal is not None:
        require_county(principal, found.county if found is not None else None)
    if found is None:
        raise Problem(404, "Not found", "no such liaison station", reason="not_found")
    return found


def make_registry_router(app: IntakeApplication, views: ViewStore) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["deputies and liaison stations"])

    # -- deputies ------------------------------------------------------------------------------------
    @router.post("/counties/{county}/deputies", status_code=201)
    def register_deputy(county: County, body: DeputyIn, request: Request, principal: STAFF) -> dict:
        """Register a deputy (level, town/street, deputy group). Their id is their account's subject."""
        check_county(principal, county)
        meta = meta_for(request, principal, county)
        return deputy_view(app.register_deputy(meta, body.deputy_id, body.name, body.level, body.town, body.group))

    @router.get("/counties/{county}/deputies", **PAGED)
    def list_deputies(
        county: County, principal: ANYONE, paging: PagingDep, town: str = "", include_retired: bool = False
    ) -> dict:
        """The county's deputies (亮身份: public), by town/street and name, a page at a time."""
        query = deputies_query(county, active=None if include_retired else True, town=town)
        return {"county": county, **page_in_store(views, query, paging, public_deputy)}

    @router.get("/counties/{county}/deputies/{deputy_id}")
    def get_deputy(county: County, deputy_id: str, principal: ANYONE) -> dict:
        """One deputy: who they are, their stations and receptions ahead. No phone number."""
        doc = deputy_doc(views, county, deputy_id)
        return {
            **public_deputy(doc),
            "stations": [public_station(s) for s in stations_of(views, county, deputy_id)],
            "code_url": f"/intake/api/counties/{county}/deputies/{deputy_id}/qr.svg",
        }

    @router.put("/counties/{county}/deputies/{deputy_id}")
    def revise_deputy(county: County, deputy_id: str, body: DeputyRevision, request: Request, principal: STAFF) -> dict:
        check_county(principal, county)
        meta = meta_for(request, principal, county)
        return deputy_view(app.revise_deputy(meta, deputy_id, body.name, body.level, body.town, body.group))

    @router.post("/counties/{county}/deputies/{deputy_id}/retire")
    def retire_deputy(county: County, deputy_id: str, body: Reason, request: Request, principal: STAFF) -> dict:
        """The term ended: the entry and its record stay; the deputy's code no longer reaches them."""
        check_county(principal, county)
        return deputy_view(app.retire_deputy(meta_for(request, principal, county, reason=body.reason), deputy_id))

    # -- liaison stations ----------------------------------------------------------------------------
    @router.post("/counties/{county}/stations", status_code=201)
    def open_station(county: County, body: StationIn, request: Request, principal: STAFF) -> dict:
        """A liaison station (代表联络站): town/street, address, reception times, deputies assigned."""
        check_county(principal, county)
        meta = meta_for(request, principal, county)
        return station_view(app.open_station(meta, body.name, body.town, body.address, body.hours, body.deputy_ids))

    @router.get("/counties/{county}/stations", **PAGED)
    def list_stations(county: County, principal: ANYONE, paging: PagingDep, town: str = "") -> dict:
        """The county's liaison stations, by town/street and name, a page at a time."""
        return {"county": county, **page_in_store(views, stations_query(county, town), paging, public_station)}

    @router.get("/stations/{station_id}")
    def get_station(station_id: UUID, principal: ANYONE) -> dict:
        station = station_of(app, station_id)
        who = names(views, station.county)
        return {
            **station_view(station),
            "deputies": [{"deputy_id": d, "name": who.get(d, d)} for d in station.deputy_ids],
            "code_url": f"/intake/api/stations/{station_id}/qr.svg",
        }

    @router.put("/stations/{station_id}")
    def revise_station(station_id: UUID, body: StationRevision, request: Request, principal: STAFF) -> dict:
        county = station_of(app, station_id, principal).county
        meta = meta_for(request, principal, county)
        return station_view(app.revise_station(meta, station_id, body.name, body.town, body.address, body.hours))

    @router.put("/stations/{station_id}/deputies")
    def assign_deputies(station_id: UUID, body: RosterIn, request: Request, principal: STAFF) -> dict:
        """The station's deputies become these (who joined and who left is recorded)."""
        county = station_of(app, station_id, principal).county
        meta = meta_for(request, principal, county, reason=body.reason)
        return station_view(app.assign_deputies(meta, station_id, body.deputy_ids))

    return router
