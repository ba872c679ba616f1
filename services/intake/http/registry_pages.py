"""Intake's pages for deputies and liaison stations: public pages of a deputy (亮身份, with their
code and no phone number), a station and a reception (what became of its demands); the staff's
registry (register and edit deputies and stations, assign deputies, schedule receptions, record
who was present, print posters) and the county's overview of its liaison network."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.intake.app.application import IntakeApplication, NewDemand
from services.intake.domain.deputy import LEVELS, deputy_key
from services.intake.domain.reception import KINDS
from services.intake.domain.rules import CATEGORIES
from services.intake.http.codes import home_station, level_title, stations_of
from services.intake.http.demands_api import now_of
from services.intake.http.registry_texts import MESSAGES
from services.intake.read.duty import demand_outcome
from services.intake.read.overview import CHINA, overview
from services.intake.read.projections import DEMAND
from services.intake.read.registry import DEPUTY, RECEPTION, STATION
from shared import divisions
from shared.auth import Principal, Role
from shared.kernel.meta import RuleViolation
from shared.persistence.application import NotFound
from shared.views.store import ViewStore
from shared.web.access import principal_of
from shared.web.forms import FormDep
from shared.web.i18n import register_messages
from shared.web.requests import meta_for
from shared.web.templating import make_templates, render
from shared.web.viewer import viewer_county

TEMPLATES = Path(__file__).parent / "templates"
STAFF = {Role.CONGRESS_STAFF}
READERS = {Role.CONGRESS_STAFF, Role.GOV_UNIT, Role.DEPUTY, Role.AUDITOR, Role.PROVINCE_VIEWER}
register_messages(MESSAGES)


def local_time(value: str) -> datetime:
    """A ``datetime-local`` field (``2026-03-15T19:00``), read as China time."""
    moment = datetime.fromisoformat(value.strip())
    return moment if moment.tzinfo else moment.replace(tzinfo=CHINA)


def make_registry_pages(app: IntakeApplication, views: ViewStore) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    templates = make_templates(TEMPLATES, static_base="/intake/static")

    def page(request: Request, name: str, context: dict, status_code: int = 200) -> Response:
        error = request.query_params.get("error")
        if error:
            context = {**context, "problem": {"title": error, "detail": ""}}
        base = {"levels": LEVELS, "kinds": KINDS, "categories": list(CATEGORIES)}
        return render(templates, request, name, {**base, **context}, status_code=status_code)

    def gate(request: Request, county: str, roles: set[Role]) -> tuple[Principal, str, Response | None]:
        principal, county, allowed = viewer_county(request, county)
        if not principal.has_any(roles):
            return principal, county, RedirectResponse("/login", status_code=303)
        if not allowed:
            problem = {"title": "无权查看该县 / County outside your scope", "detail": county}
            return (
                principal,
                county,
                page(request, "registry.html", {"county": county, "denied": True, "problem": problem}, 403),
            )
        return principal, county, None

    def act(back: str, fn: Callable[[], object]) -> Response:
        try:
            fn()
        except (RuleViolation, NotFound, ValueError) as exc:
            sep = "&" if "?" in back else "?"
            return RedirectResponse(f"{back}{sep}error={quote(str(exc))}", status_code=303)
        return RedirectResponse(back, status_code=303)

    def names(county: str) -> dict[str, str]:
        return {d["deputy_id"]: d["name"] for d in views.list(DEPUTY, county)}

    def upcoming(county: str, now: datetime, station_ids: set[str], deputy_id: str = "") -> list[dict]:
        found = [
            r
            for r in views.list(RECEPTION, county)
            if r["status"] == "scheduled"
            and datetime.fromisoformat(r["ends_at"]) >= now
            and (r["station_id"] in station_ids or (deputy_id and deputy_id in r["deputy_ids"]))
        ]
        return sorted(found, key=lambda r: r["starts_at"])[:10]

    # -- public ----------------------------------------------------------------------------------
    @router.get("/deputies/{county}/{deputy_id}", response_class=HTMLResponse)
    def deputy_page(request: Request, county: str, deputy_id: str) -> Response:
        """亮身份: who the deputy is, their stations and receptions ahead, their code; never a phone."""
        principal_of(request)
        doc = views.get(DEPUTY, str(deputy_key(county, deputy_id))) if county.isdigit() else None
        if doc is None:
            return page(request, "deputy_public.html", {"d": None}, status_code=404)
        stations = stations_of(views, county, deputy_id)
        return page(
            request,
            "deputy_public.html",
            {
                "d": doc,
                "title": level_title(county, doc["level"], doc["town"]),
                "stations": stations,
                "receptions": upcoming(county, now_of(request), {s["id"] for s in stations}, deputy_id),
            },
        )

    @router.get("/stations/{station_id}", response_class=HTMLResponse)
    def station_page(request: Request, station_id: UUID) -> Response:
        principal_of(request)
        doc = views.get(STATION, str(station_id))
        if doc is None:
            return page(request, "station_public.html", {"s": None}, status_code=404)
        who = names(doc["county"])
        return page(
            request,
            "station_public.html",
            {
                "s": doc,
                "county_name": divisions.county_name(doc["county"]),
                "deputies": [{"deputy_id": d, "name": who.get(d, d)} for d in doc["deputy_ids"]],
                "receptions": upcoming(doc["county"], now_of(request), {doc["id"]}),
            },
        )

    @router.get("/receptions/{reception_id}", response_class=HTMLResponse)
    def reception_page(request: Request, reception_id: UUID) -> Response:
        """A reception: who was there, and what became of the demands raised there. Staff also
        record who was present, the demands raised, or cancel it."""
        principal = principal_of(request)
        doc = views.get(RECEPTION, str(reception_id))
        if doc is None:
            return page(request, "reception.html", {"r": None}, status_code=404)
        county = doc["county"]
        raised = sorted(
            (d for d in views.list(DEMAND, county) if d.get("reception_id") == doc["id"]),
            key=lambda d: d["submitted_at"],
        )
        is_staff = principal.has_any(STAFF) and principal.covers(county)
        station = views.get(STATION, doc["station_id"]) or {}
        return page(
            request,
            "reception.html",
            {
                "r": doc,
                "county": county,
                "station": station,
                "names": names(county),
                "outcomes": [demand_outcome(d) for d in raised],
                "texts": [d["text"] for d in raised] if is_staff else [],
                "is_staff": is_staff,
                "station_deputies": station.get("deputy_ids", []),
                "active": [d for d in views.list(DEPUTY, county) if d["active"]],
            },
        )

    @router.post("/receptions/{reception_id}")
    def reception_action(request: Request, reception_id: UUID, form: FormDep) -> Response:
        doc = views.get(RECEPTION, str(reception_id))
        principal, county, refused = gate(request, doc["county"] if doc else "", STAFF)
        if refused or doc is None:
            return refused or RedirectResponse("/intake/registry", status_code=303)

        def get(k: str) -> str:
            return str(form.get(k) or "").strip()

        back = f"/intake/receptions/{reception_id}"
        meta = meta_for(request, principal, county, reason=get("reason"))
        action = get("action")
        if action == "attendance":
            present = [str(x) for x in form.getlist("present")]
            return act(back, lambda: app.record_attendance(meta, reception_id, present))
        if action == "cancel":
            return act(back, lambda: app.cancel_reception(meta, reception_id))
        if action == "demand":
            new = NewDemand(
                channel="liaison_station",
                town=get("town") or doc["town"],
                category=get("category"),
                text=get("text"),
                name=get("name"),
                phone=get("phone"),
                address=get("address"),
                station_id=UUID(doc["station_id"]),
                deputy_id=get("deputy"),
                reception_id=reception_id,
            )
            staff_meta = meta_for(request, principal, county)
            if len(new.text) < 2 or new.category not in CATEGORIES:
                return RedirectResponse(f"{back}?error={quote('请填写诉求内容并选择类别')}", status_code=303)
            return act(back, lambda: app.submit(staff_meta, new))
        return RedirectResponse(back, status_code=303)

    # -- staff: the registry -----------------------------------------------------------------------
    @router.get("/registry", response_class=HTMLResponse)
    def registry_page(request: Request, county: str = "") -> Response:
        principal, county, refused = gate(request, county, READERS)
        if refused:
            return refused
        deputies = sorted(views.list(DEPUTY, county), key=lambda d: (not d["active"], d["town"], d["name"]))
        stations = sorted(views.list(STATION, county), key=lambda s: (s["town"], s["name"]))
        return page(
            request,
            "registry.html",
            {
                "county": county,
                "county_name": divisions.county_name(county),
                "deputies": deputies,
                "stations": stations,
                "names": names(county),
                "towns": [name for _, name in divisions.towns_of(county)],
                "is_staff": principal.has_any(STAFF),
            },
        )

    @router.post("/registry/deputies")
    def register_deputy(request: Request, form: FormDep) -> Response:
        principal, county, refused = gate(request, str(form.get("county") or ""), STAFF)
        if refused:
            return refused

        def get(k: str) -> str:
            return str(form.get(k) or "").strip()

        meta = meta_for(request, principal, county)
        return act(
            f"/intake/registry?county={county}",
            lambda: app.register_deputy(meta, get("deputy_id"), get("name"), get("level"), get("town"), get("group")),
        )

    @router.get("/registry/deputies/{county}/{deputy_id}", response_class=HTMLResponse)
    def deputy_edit(request: Request, county: str, deputy_id: str) -> Response:
        principal, county, refused = gate(request, county, READERS)
        if refused:
            return refused
        doc = views.get(DEPUTY, str(deputy_key(county, deputy_id)))
        if doc is None:
            return page(request, "registry_deputy.html", {"county": county, "d": None}, status_code=404)
        return page(
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
        principal, county, refused = gate(request, county, STAFF)
        if refused:
            return refused

        def get(k: str) -> str:
            return str(form.get(k) or "").strip()

        back = f"/intake/registry/deputies/{county}/{quote(deputy_id, safe='')}"
        meta = meta_for(request, principal, county, reason=get("reason"))
        if get("action") == "retire":
            return act(back, lambda: app.retire_deputy(meta, deputy_id))
        return act(
            back, lambda: app.revise_deputy(meta, deputy_id, get("name"), get("level"), get("town"), get("group"))
        )

    @router.post("/registry/stations")
    def open_station(request: Request, form: FormDep) -> Response:
        principal, county, refused = gate(request, str(form.get("county") or ""), STAFF)
        if refused:
            return refused

        def get(k: str) -> str:
            return str(form.get(k) or "").strip()

        meta = meta_for(request, principal, county)
        deputies = [str(x) for x in form.getlist("deputy")]
        return act(
            f"/intake/registry?county={county}",
            lambda: app.open_station(meta, get("name"), get("town"), get("address"), get("hours"), deputies),
        )

    @router.get("/registry/stations/{station_id}", response_class=HTMLResponse)
    def station_edit(request: Request, station_id: UUID) -> Response:
        doc = views.get(STATION, str(station_id))
        principal, county, refused = gate(request, doc["county"] if doc else "", READERS)
        if refused:
            return refused
        if doc is None:
            return page(request, "registry_station.html", {"county": county, "s": None}, status_code=404)
        receptions = sorted(
            (r for r in views.list(RECEPTION, county) if r["station_id"] == doc["id"]),
            key=lambda r: r["starts_at"],
            reverse=True,
        )
        return page(
            request,
            "registry_station.html",
            {
                "county": county,
                "s": doc,
                "receptions": receptions,
                "active": sorted(
                    (d for d in views.list(DEPUTY, county) if d["active"]), key=lambda d: (d["town"], d["name"])
                ),
                "names": names(county),
                "towns": [name for _, name in divisions.towns_of(county)],
                "is_staff": principal.has_any(STAFF),
            },
        )

    @router.post("/registry/stations/{station_id}")
    def station_action(request: Request, station_id: UUID, form: FormDep) -> Response:
        doc = views.get(STATION, str(station_id))
        principal, county, refused = gate(request, doc["county"] if doc else "", STAFF)
        if refused or doc is None:
            return refused or RedirectResponse("/intake/registry", status_code=303)

        def get(k: str) -> str:
            return str(form.get(k) or "").strip()

        back = f"/intake/registry/stations/{station_id}"
        meta = meta_for(request, principal, county, reason=get("reason"))
        deputies = [str(x) for x in form.getlist("deputy")]
        action = get("action")
        if action == "roster":
            return act(back, lambda: app.assign_deputies(meta, station_id, deputies))
        if action == "schedule":
            return act(
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
        return act(
            back, lambda: app.revise_station(meta, station_id, get("name"), get("town"), get("address"), get("hours"))
        )

    @router.get("/liaison", response_class=HTMLResponse)
    def liaison_overview(request: Request, county: str = "", year: int = 0) -> Response:
        """The county's overview: stations per town, deputies per station, demands per station and
        per deputy; towns with no station or no reception in the last quarter flagged."""
        _, county, refused = gate(request, county, READERS)
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
        return page(
            request,
            "liaison_overview.html",
            {"county": county, "county_name": divisions.county_name(county), "o": data},
        )

    return router
