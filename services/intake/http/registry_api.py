"""Intake's JSON API, part 4: the registries of deputies and liaison stations (congress staff
edit them; anyone reads them), their codes (PNG, SVG) and printable posters (one A4 PDF, or every
poster of a county or town in one), reception days, the county's overview of its liaison network,
and intake's part of a deputy's record of duty (履职档案). No phone number is ever taken or shown."""

from __future__ import annotations

from typing import Annotated, Literal, get_args
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from services.intake.app.application import IntakeApplication
from services.intake.domain.deputy import LEVELS, Deputy, deputy_key
from services.intake.domain.reception import KINDS, Reception
from services.intake.domain.station import LiaisonStation
from services.intake.http.codes import (
    deputy_poster,
    deputy_url,
    home_station,
    station_poster,
    station_url,
    stations_of,
)
from services.intake.http.demands_api import READERS, County, now_of
from services.intake.read.duty import demand_outcome, intake_record, public_deputy, public_station
from services.intake.read.overview import CHINA, in_year, overview
from services.intake.read.projections import DEMAND, SUGGESTION
from services.intake.read.registry import DEPUTY, RECEPTION, STATION
from shared import divisions
from shared.auth import Principal, Role
from shared.views.store import ViewStore
from shared.web.access import PUBLIC, allow, check_county, require_county
from shared.web.posters import Poster, posters_pdf, public_origin, qr_png, qr_svg
from shared.web.problems import Problem
from shared.web.requests import meta_for

STAFF = Annotated[Principal, Depends(allow(Role.CONGRESS_STAFF, write=True))]
ANYONE = Annotated[Principal, Depends(allow(PUBLIC))]
READER = Annotated[Principal, Depends(allow(*READERS))]
DeputyId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
Level = Literal["national", "provincial", "city", "county", "township"]
Kind = Literal["reception_day", "night_station", "night_chat"]
Year = Annotated[int | None, Query(ge=2000, le=2100, description="default: this year (China time)")]
assert set(LEVELS) == set(get_args(Level)) and set(KINDS) == set(get_args(Kind))  # one list each


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


def pdf_response(content: bytes, filename: str) -> Response:
    return Response(
        content, media_type="application/pdf", headers={"content-disposition": f'inline; filename="{filename}"'}
    )


def make_registry_router(app: IntakeApplication, views: ViewStore) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["deputies and liaison stations"])

    def origin(request: Request) -> str:
        return public_origin(request, request.app.state.settings.public_origin)

    def deputy_doc(county: str, deputy_id: str) -> dict:
        doc = views.get(DEPUTY, str(deputy_key(county, deputy_id)))
        if doc is None or doc["county"] != county:
            raise Problem(404, "Not found", "no such deputy in this county", reason="not_found")
        return doc

    def names(county: str) -> dict[str, str]:
        return {d["deputy_id"]: d["name"] for d in views.list(DEPUTY, county)}

    def station_of(station_id: UUID, principal: Principal | None = None) -> LiaisonStation:
        found = app.find_as(LiaisonStation, station_id)
        if principal is not None:
            require_county(principal, found.county if found is not None else None)
        if found is None:
            raise Problem(404, "Not found", "no such liaison station", reason="not_found")
        return found

    def reception_of(reception_id: UUID, principal: Principal | None = None) -> Reception:
        found = app.find_as(Reception, reception_id)
        if principal is not None:
            require_county(principal, found.county if found is not None else None)
        if found is None:
            raise Problem(404, "Not found", "no such reception", reason="not_found")
        return found

    # -- deputies ------------------------------------------------------------------------------------
    @router.post("/counties/{county}/deputies", status_code=201)
    def register_deputy(county: County, body: DeputyIn, request: Request, principal: STAFF) -> dict:
        """Register a deputy (level, town/street, deputy group). Their id is their account's subject."""
        check_county(principal, county)
        meta = meta_for(request, principal, county)
        return deputy_view(app.register_deputy(meta, body.deputy_id, body.name, body.level, body.town, body.group))

    @router.get("/counties/{county}/deputies")
    def list_deputies(county: County, principal: ANYONE, town: str = "", include_retired: bool = False) -> dict:
        """The county's deputies (亮身份: public), by town/street and name."""
        items = [
            public_deputy(d)
            for d in views.list(DEPUTY, county)
            if (include_retired or d["active"]) and (not town or d["town"] == town)
        ]
        items.sort(key=lambda d: (d["town"], d["name"]))
        return {"county": county, "total": len(items), "items": items}

    @router.get("/counties/{county}/deputies/{deputy_id}")
    def get_deputy(county: County, deputy_id: str, principal: ANYONE) -> dict:
        """One deputy: who they are, their stations and receptions ahead. No phone number."""
        doc = deputy_doc(county, deputy_id)
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

    @router.get("/counties/{county}/deputies/{deputy_id}/qr.png", response_class=Response)
    def deputy_png(county: County, deputy_id: str, request: Request, principal: ANYONE) -> Response:
        """The deputy's code (亮码): opens the phone form addressed to them."""
        deputy_doc(county, deputy_id)
        return Response(qr_png(deputy_url(origin(request), county, deputy_id)), media_type="image/png")

    @router.get("/counties/{county}/deputies/{deputy_id}/qr.svg", response_class=Response)
    def deputy_svg(county: County, deputy_id: str, request: Request, principal: ANYONE) -> Response:
        doc = deputy_doc(county, deputy_id)
        svg = qr_svg(deputy_url(origin(request), county, deputy_id), title=f"{doc['name']} 代表")
        return Response(svg, media_type="image/svg+xml")

    @router.get("/counties/{county}/deputies/{deputy_id}/poster.pdf", response_class=Response)
    def deputy_poster_pdf(county: County, deputy_id: str, request: Request, principal: READER) -> Response:
        """The deputy's A4 poster: who they are, their station, the code."""
        check_county(principal, county)
        doc = deputy_doc(county, deputy_id)
        poster = deputy_poster(origin(request), doc, home_station(views, county, doc))
        return pdf_response(posters_pdf([poster], title=poster.title), f"deputy-{deputy_id}.pdf")

    # -- liaison stations ----------------------------------------------------------------------------
    @router.post("/counties/{county}/stations", status_code=201)
    def open_station(county: County, body: StationIn, request: Request, principal: STAFF) -> dict:
        """A liaison station (代表联络站): town/street, address, reception times, deputies assigned."""
        check_county(principal, county)
        meta = meta_for(request, principal, county)
        return station_view(app.open_station(meta, body.name, body.town, body.address, body.hours, body.deputy_ids))

    @router.get("/counties/{county}/stations")
    def list_stations(county: County, principal: ANYONE, town: str = "") -> dict:
        items = [public_station(s) for s in views.list(STATION, county) if not town or s["town"] == town]
        items.sort(key=lambda s: (s["town"], s["name"]))
        return {"county": county, "total": len(items), "items": items}

    @router.get("/stations/{station_id}")
    def get_station(station_id: UUID, principal: ANYONE) -> dict:
        station = station_of(station_id)
        who = names(station.county)
        return {
            **station_view(station),
            "deputies": [{"deputy_id": d, "name": who.get(d, d)} for d in station.deputy_ids],
            "code_url": f"/intake/api/stations/{station_id}/qr.svg",
        }

    @router.put("/stations/{station_id}")
    def revise_station(station_id: UUID, body: StationRevision, request: Request, principal: STAFF) -> dict:
        county = station_of(station_id, principal).county
        meta = meta_for(request, principal, county)
        return station_view(app.revise_station(meta, station_id, body.name, body.town, body.address, body.hours))

    @router.put("/stations/{station_id}/deputies")
    def assign_deputies(station_id: UUID, body: RosterIn, request: Request, principal: STAFF) -> dict:
        """The station's deputies become these (who joined and who left is recorded)."""
        county = station_of(station_id, principal).county
        meta = meta_for(request, principal, county, reason=body.reason)
        return station_view(app.assign_deputies(meta, station_id, body.deputy_ids))

    @router.get("/stations/{station_id}/qr.png", response_class=Response)
    def station_png(station_id: UUID, request: Request, principal: ANYONE) -> Response:
        station_of(station_id)
        return Response(qr_png(station_url(origin(request), str(station_id))), media_type="image/png")

    @router.get("/stations/{station_id}/qr.svg", response_class=Response)
    def station_svg(station_id: UUID, request: Request, principal: ANYONE) -> Response:
        station = station_of(station_id)
        return Response(
            qr_svg(station_url(origin(request), str(station_id)), title=station.name), media_type="image/svg+xml"
        )

    @router.get("/stations/{station_id}/poster.pdf", response_class=Response)
    def station_poster_pdf(station_id: UUID, request: Request, principal: READER) -> Response:
        station = station_of(station_id, principal)
        doc = station_view(station)
        poster = station_poster(origin(request), doc, names(station.county))
        return pdf_response(posters_pdf([poster], title=poster.title), f"station-{station_id}.pdf")

    def county_posters(request: Request, county: str, town: str, of: str) -> list[Poster]:
        """Stations first, each followed by its deputies; then deputies in no station."""
        here = origin(request)
        deputies = {d["deputy_id"]: d for d in views.list(DEPUTY, county) if d["active"]}
        stations = sorted(
            (s for s in views.list(STATION, county) if not town or s["town"] == town),
            key=lambda s: (s["town"], s["name"]),
        )
        who = {k: d["name"] for k, d in deputies.items()}
        posters: list[Poster] = []
        printed: set[str] = set()
        for s in stations:
            if of in ("all", "stations"):
                posters.append(station_poster(here, s, who))
            if of in ("all", "deputies"):
                for d in s["deputy_ids"]:
                    if d in deputies and d not in printed:
                        posters.append(deputy_poster(here, deputies[d], s))
                        printed.add(d)
        if of in ("all", "deputies"):
            for d in sorted(deputies.values(), key=lambda d: (d["town"], d["name"])):
                if d["deputy_id"] not in printed and (not town or d["town"] == town):
                    posters.append(deputy_poster(here, d, home_station(views, county, d)))
        return posters

    @router.get("/counties/{county}/posters.pdf", response_class=Response)
    def batch_posters(
        county: County,
        request: Request,
        principal: READER,
        town: str = "",
        of: Literal["all", "deputies", "stations"] = "all",
    ) -> Response:
        """Batch printing: every poster of the county (or of one town/street) in one PDF, stations
        first, each followed by its deputies; then deputies in no station."""
        check_county(principal, county)
        posters = county_posters(request, county, town, of)
        if not posters:
            raise Problem(404, "Not found", "no deputy or station to print here", reason="nothing_to_print")
        where = divisions.county_name(county) + (f" {town}" if town else "")
        code = next((c for c, n in divisions.towns_of(county) if n == town), county) if town else county
        return pdf_response(posters_pdf(posters, title=f"{where} 亮码海报"), f"posters-{code}.pdf")

    @router.get("/counties/{county}/posters.json")
    def batch_poster_texts(
        county: County,
        request: Request,
        principal: READER,
        town: str = "",
        of: Literal["all", "deputies", "stations"] = "all",
    ) -> dict:
        """The same posters as data (what each says, the address its code opens), for printing them
        together with other services' posters (the origin's ``/posters/<county>.pdf``)."""
        check_county(principal, county)
        return {
            "county": county,
            "town": town,
            "posters": [p.as_json() for p in county_posters(request, county, town, of)],
        }

    # -- receptions ----------------------------------------------------------------------------------
    @router.post("/stations/{station_id}/receptions", status_code=201)
    def schedule_reception(station_id: UUID, body: ReceptionIn, request: Request, principal: STAFF) -> dict:
        """A station schedules a reception (接待日, 夜间联络站, 代表夜聊) with the deputies expected."""
        county = station_of(station_id, principal).county
        meta = meta_for(request, principal, county)
        reception = app.schedule_reception(
            meta, station_id, body.kind, body.starts_at, body.ends_at, body.topic, body.deputy_ids
        )
        return reception_view(reception)

    @router.get("/counties/{county}/receptions")
    def list_receptions(
        county: County, request: Request, principal: ANYONE, station_id: UUID | None = None, year: Year = None
    ) -> dict:
        wanted = year_of(request, year)
        items = [
            r
            for r in views.list(RECEPTION, county)
            if (station_id is None or r["station_id"] == str(station_id)) and in_year(r["starts_at"], wanted)
        ]
        items.sort(key=lambda r: r["starts_at"])
        return {"county": county, "year": wanted, "total": len(items), "items": items}

    @router.get("/receptions/{reception_id}")
    def get_reception(reception_id: UUID, principal: ANYONE) -> dict:
        """A reception, who was there, and what became of each demand raised there."""
        r = reception_of(reception_id)
        raised = [d for d in views.list(DEMAND, r.county) if d.get("reception_id") == str(reception_id)]
        raised.sort(key=lambda d: d["submitted_at"])
        return {**reception_view(r), "demands": [demand_outcome(d) for d in raised]}

    @router.post("/receptions/{reception_id}/attendance")
    def record_attendance(reception_id: UUID, body: AttendanceIn, request: Request, principal: STAFF) -> dict:
        """The deputies present (once the reception has begun; again, with a reason, to correct it)."""
        county = reception_of(reception_id, principal).county
        meta = meta_for(request, principal, county, reason=body.reason)
        return reception_view(app.record_attendance(meta, reception_id, body.present))

    @router.post("/receptions/{reception_id}/cancel")
    def cancel_reception(reception_id: UUID, body: Reason, request: Request, principal: STAFF) -> dict:
        county = reception_of(reception_id, principal).county
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
            deputy_doc(county, deputy_id),
            views.list(STATION, county),
            views.list(RECEPTION, county),
            views.list(DEMAND, county),
            views.list(SUGGESTION, county),
            year_of(request, year),
        )
        return {"county": county, **record}

    return router
