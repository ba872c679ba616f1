"""Intake's staff pages for deputies and liaison stations: the registry (register and edit
deputies and stations, assign deputies, schedule receptions, print posters) and the county's
overview of its liaison network (stations per town, deputies per station, demands per station and
per deputy, towns flagged)."""

from __future__ import annotations

from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.intake.app.application import IntakeApplication
from services.intake.domain.deputy import deputy_key
from services.intake.http.codes import home_station, stations_of
from services.intake.http.demands_api import now_of
from services.intake.http.liaison_frame import READERS, STAFF, LiaisonFrame, local_time
from services.intake.read.lists import deputies_query, stations_query
from services.intake.read.overview import CHINA, overview
from services.intake.read.projections import DEMAND
from services.intake.read.registry import DEPUTY, RECEPTION, STATION
from shared import divisions
from shared.views.paging import Paging, page_across, page_in_store
from shared.views.store import ViewStore
from shared.web.forms import FormDep
from shared.web.paging import OtherPageNumber, PageNumber
from shared.web.requests import meta_for

PER_PAGE = 50  # stations, and deputies, on one page of the registry
PICKED = ("deputy_id", "name", "town")  # what the new station's form shows of each serving deputy


def make_registry_pages(app: IntakeApplication, views: ViewStore) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    frame = LiaisonFrame(views)

    # -- staff: the registry -----------------------------------------------------------------------
    @router.get("/registry", response_class=HTMLResponse)
    def registry_page(
        request: Request,
        county: str = "",
        page_number: PageNumber = 1,
        stations_page: OtherPageNumber = 1,
    ) -> Response:
        """The county's stations and deputies (serving ones first), each a page at a time; the new
        station's form offers every serving deputy."""
        principal, county, refused = frame.gate(request, county, READERS)
        if refused:
            return refused
        serving, retired = deputies_query(county, active=True), deputies_query(county, active=False)
        deputies = page_across(views, (serving, retired), Paging(page_number, PER_PAGE))
        stations = page_in_store(views, stations_query(county), Paging(stations_page, PER_PAGE))
        pickable = [dict(zip(PICKED, row, strict=True)) for row in views.fields(serving, PICKED)]
        return frame.page(
            request,
            "registry.html",
            {
                "county": county,
                "county_name": divisions.county_name(county),
                "deputies": deputies,
                "serving": views.count(serving),
                "pickable": sorted(pickable, key=lambda d: (d["town"], d["name"])),
                "stations": stations,
                "pages": {"page": page_number, "stations_page": stations_page},
                "names": frame.names(county),
                "towns": [name for _, name in divisions.towns_of(county)],
                "is_staff": principal.has_any(STAFF),
            },
        )

    @router.post("/registry/deputies")
    def register_deputy(request: Request, form: FormDep) -> Response:
        principal, county, refused = frame.gate(request, str(form.get("county") or ""), STAFF)
        if refused:
            return refused

        def get(k: str) -> str:
            return str(form.get(k) or "").strip()

        meta = meta_for(request, principal, county)
        return frame.act(
            request,
            f"/intake/registry?county={county}",
            lambda: app.register_deputy(meta, get("deputy_id"), get("name"), get("level"), get("town"), get("group")),
        )

    @router.get("/registry/deputies/{county}/{deputy_id}", response_class=HTMLResponse)
    def deputy_edit(request: Request, county: str, deputy_id: str) -> Response:
        principal, county, refused = frame.gate(request, county, READERS)
        if refused:
            return refused
        doc = views.get(DEPUTY, str(deputy_key(county, deputy_id)))
        if doc is None:
            return frame.page(request, "registry_deputy.html", {"county": county, "d": None}, status_code=404)
        return frame.page(
            request,
            "registry_deputy.html",
            {
                "county": county,
                "d": doc,
                "stations": stations_of(views, county, deputy_id),
                "home": home_station(views, county, doc),
                "towns": [name for _, name in divisions.towns_of(county)],
                "is_staff": principal.has_any(STAFF),
            },
        )

    @router.post("/registry/deputies/{county}/{deputy_id}")
    def deputy_action(request: Request, county: str, deputy_id: str, form: FormDep) -> Response:
        principal, county, refused = frame.gate(request, county, STAFF)
        if refused:
            return refused

        def get(k: str) -> str:
            return str(form.get(k) or "").strip()

        back = f"/intake/registry/deputies/{county}/{quote(deputy_id, safe='')}"
        meta = meta_for(request, principal, county, reason=get("reason"))
        if get("action") == "retire":
            return frame.act(request, back, lambda: app.retire_deputy(meta, deputy_id))
        return frame.act(
            request,
            back,
            lambda: app.revise_deputy(meta, deputy_id, get("name"), get("level"), get("town"), get("group")),
        )

    @router.post("/registry/stations")
    def open_station(request: Request, form: FormDep) -> Response:
        principal, county, refused = frame.gate(request, str(form.get("county") or ""), STAFF)
        if refused:
            return refused

        def get(k: str) -> str:
            return str(form.get(k) or "").strip()

        meta = meta_for(request, principal, county)
        deputies = [str(x) for x in form.getlist("deputy")]
        return frame.act(
            request,
            f"/intake/registry?county={county}",
            lambda: app.open_station(meta, get("name"), get("town"), get("address"), get("hours"), deputies),
        )

    @router.get("/registry/stations/{station_id}", response_class=HTMLResponse)
    def station_edit(request: Request, station_id: UUID) -> Response:
        doc = views.get(STATION, str(station_id))
        principal, county, refused = frame.gate(request, doc["county"] if doc else "", READERS)
        if refused:
            return refused
        if doc is None:
            return frame.page(request, "registry_station.html", {"county": county, "s": None}, status_code=404)
        receptions = sorted(
            (r for r in views.list(RECEPTION, county) if r["station_id"] == doc["id"]),
            key=lambda r: r["starts_at"],
            reverse=True,
        )
        return frame.page(
            request,
            "registry_station.html",
            {
                "county": county,
                "s": doc,
                "receptions": receptions,
                "active": sorted(
                    (d for d in views.list(DEPUTY, county) if d["active"]), key=lambda d: (d["town"], d["name"])
                ),
                "names": frame.names(county),
                "towns": [name for _, name in divisions.towns_of(county)],
                "is_staff": principal.has_any(STAFF),
            },
        )

    @router.post("/registry/stations/{station_id}")
    def station_action(request: Request, station_id: UUID, form: FormDep) -> Response:
        doc = views.get(STATION, str(station_id))
        principal, county, refused = frame.gate(request, doc["county"] if doc else "", STAFF)
        if refused or doc is None:
            return refused or RedirectResponse("/intake/registry", status_code=303)

        def get(k: str) -> str:
            return str(form.get(k) or "").strip()

        back = f"/intake/registry/stations/{station_id}"
        meta = meta_for(request, principal, county, reason=get("reason"))
        deputies = [str(x) for x in form.getlist("deputy")]
        action = get("action")
        if action == "roster":
            return frame.act(request, back, lambda: app.assign_deputies(meta, station_id, deputies))
        if action == "schedule":
            return frame.act(
                request,
                back,
                lambda: app.schedule_reception(
                    meta,
                    station_id,
                    get("kind"),
                    local_time(get("starts_at")),
                    local_time(get("ends_at")),
                    get("topic"),
                    deputies,
                ),
            )
        return frame.act(
            request,
            back,
            lambda: app.revise_station(meta, station_id, get("name"), get("town"), get("address"), get("hours")),
        )

    @router.get("/liaison", response_class=HTMLResponse)
    def liaison_overview(request: Request, county: str = "", year: int = 0) -> Response:
        """The county's overview: stations per town, deputies per station, demands per station and
        per deputy; towns with no station or no reception in the last quarter flagged."""
        _, county, refused = frame.gate(request, county, READERS)
        if refused:
            return refused
        now = now_of(request)
        data = overview(
            [name for _, name in divisions.towns_of(county)],
            views.list(DEPUTY, county),
            views.list(STATION, county),
            views.list(RECEPTION, county),
            views.list(DEMAND, county),
            now,
            year or now.astimezone(CHINA).year,
        )
        return frame.page(
            request,
            "liaison_overview.html",
            {"county": county, "county_name": divisions.county_name(county), "o": data},
        )

    return router
