"""Intake's public pages for deputies and liaison stations: a deputy's page (亮身份: who they are,
their stations, receptions ahead, their code; never a phone number), a station's page, and a
reception's page — who was there and what became of the demands raised there — where the county's
staff also record who was present, the demands raised, or cancel it."""

from __future__ import annotations

from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.intake.app.application import IntakeApplication, NewDemand
from services.intake.domain.deputy import deputy_key
from services.intake.domain.rules import CATEGORIES
from services.intake.http.codes import level_title, stations_of
from services.intake.http.demands_api import now_of
from services.intake.http.liaison_frame import STAFF, LiaisonFrame
from services.intake.read.duty import demand_outcome
from services.intake.read.projections import DEMAND
from services.intake.read.registry import DEPUTY, RECEPTION, STATION
from shared import divisions
from shared.views.store import ViewStore
from shared.web.access import principal_of
from shared.web.forms import FormDep
from shared.web.requests import meta_for


def make_liaison_pages(app: IntakeApplication, views: ViewStore) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    frame = LiaisonFrame(views)

    # -- public ----------------------------------------------------------------------------------
    @router.get("/deputies/{county}/{deputy_id}", response_class=HTMLResponse)
    def deputy_page(request: Request, county: str, deputy_id: str) -> Response:
        """亮身份: who the deputy is, their stations and receptions ahead, their code; never a phone."""
        principal_of(request)
        doc = views.get(DEPUTY, str(deputy_key(county, deputy_id))) if county.isdigit() else None
        if doc is None:
            return frame.page(request, "deputy_public.html", {"d": None}, status_code=404)
        stations = stations_of(views, county, deputy_id)
        return frame.page(
            request,
            "deputy_public.html",
            {
                "d": doc,
                "title": level_title(county, doc["level"], doc["town"]),
                "stations": stations,
                "receptions": frame.upcoming(county, now_of(request), {s["id"] for s in stations}, deputy_id),
            },
        )

    @router.get("/stations/{station_id}", response_class=HTMLResponse)
    def station_page(request: Request, station_id: UUID) -> Response:
        principal_of(request)
        doc = views.get(STATION, str(station_id))
        if doc is None:
            return frame.page(request, "station_public.html", {"s": None}, status_code=404)
        who = frame.names(doc["county"])
        return frame.page(
            request,
            "station_public.html",
            {
                "s": doc,
                "county_name": divisions.county_name(doc["county"]),
                "deputies": [{"deputy_id": d, "name": who.get(d, d)} for d in doc["deputy_ids"]],
                "receptions": frame.upcoming(doc["county"], now_of(request), {doc["id"]}),
            },
        )

    @router.get("/receptions/{reception_id}", response_class=HTMLResponse)
    def reception_page(request: Request, reception_id: UUID) -> Response:
        """A reception: who was there, and what became of the demands raised there. Staff also
        record who was present, the demands raised, or cancel it."""
        principal = principal_of(request)
        doc = views.get(RECEPTION, str(reception_id))
        if doc is None:
            return frame.page(request, "reception.html", {"r": None}, status_code=404)
        county = doc["county"]
        raised = sorted(
            (d for d in views.list(DEMAND, county) if d.get("reception_id") == doc["id"]),
            key=lambda d: d["submitted_at"],
        )
        is_staff = principal.has_any(STAFF) and principal.covers(county)
        station = views.get(STATION, doc["station_id"]) or {}
        return frame.page(
            request,
            "reception.html",
            {
                "r": doc,
                "county": county,
                "station": station,
                "names": frame.names(county),
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
        principal, county, refused = frame.gate(request, doc["county"] if doc else "", STAFF)
        if refused or doc is None:
            return refused or RedirectResponse("/intake/registry", status_code=303)

        def get(k: str) -> str:
            return str(form.get(k) or "").strip()

        back = f"/intake/receptions/{reception_id}"
        meta = meta_for(request, principal, county, reason=get("reason"))
        action = get("action")
        if action == "attendance":
            present = [str(x) for x in form.getlist("present")]
            return frame.act(request, back, lambda: app.record_attendance(meta, reception_id, present))
        if action == "cancel":
            return frame.act(request, back, lambda: app.cancel_reception(meta, reception_id))
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
            return frame.act(request, back, lambda: app.submit(staff_meta, new))
        return RedirectResponse(back, status_code=303)

    return router
