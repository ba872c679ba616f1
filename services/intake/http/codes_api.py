"""Intake's JSON API, part 5: the codes of deputies and liaison stations (亮码; PNG and SVG,
public) and their printable posters (one A4 PDF, or every poster of a county or town/street in
one; also as data, for the origin's batch printing with the project sites)."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.intake.app.application import IntakeApplication
from services.intake.http.codes import deputy_poster, deputy_url, home_station, station_poster, station_url
from services.intake.http.demands_api import County
from services.intake.http.registry_api import ANYONE, READER, deputy_doc, names, origin, station_of, station_view
from services.intake.read.registry import DEPUTY, STATION
from shared import divisions
from shared.views.store import ViewStore
from shared.web.access import check_county
from shared.web.posters import Poster, posters_pdf, qr_png, qr_svg
from shared.web.problems import Problem


def pdf_response(content: bytes, filename: str) -> Response:
    return Response(
        content, media_type="application/pdf", headers={"content-disposition": f'inline; filename="{filename}"'}
    )


def make_codes_router(app: IntakeApplication, views: ViewStore) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["deputies and liaison stations"])

    @router.get("/counties/{county}/deputies/{deputy_id}/qr.png", response_class=Response)
    def deputy_png(county: County, deputy_id: str, request: Request, principal: ANYONE) -> Response:
        """The deputy's code (亮码): opens the phone form addressed to them."""
        deputy_doc(views, county, deputy_id)
        return Response(qr_png(deputy_url(origin(request), county, deputy_id)), media_type="image/png")

    @router.get("/counties/{county}/deputies/{deputy_id}/qr.svg", response_class=Response)
    def deputy_svg(county: County, deputy_id: str, request: Request, principal: ANYONE) -> Response:
        doc = deputy_doc(views, county, deputy_id)
        svg = qr_svg(deputy_url(origin(request), county, deputy_id), title=f"{doc['name']} 代表")
        return Response(svg, media_type="image/svg+xml")

    @router.get("/counties/{county}/deputies/{deputy_id}/poster.pdf", response_class=Response)
    def deputy_poster_pdf(county: County, deputy_id: str, request: Request, principal: READER) -> Response:
        """The deputy's A4 poster: who they are, their station, the code."""
        check_county(principal, county)
        doc = deputy_doc(views, county, deputy_id)
        poster = deputy_poster(origin(request), doc, home_station(views, county, doc))
        return pdf_response(posters_pdf([poster], title=poster.title), f"deputy-{deputy_id}.pdf")

    @router.get("/stations/{station_id}/qr.png", response_class=Response)
    def station_png(station_id: UUID, request: Request, principal: ANYONE) -> Response:
        station_of(app, station_id)
        return Response(qr_png(station_url(origin(request), str(station_id))), media_type="image/png")

    @router.get("/stations/{station_id}/qr.svg", response_class=Response)
    def station_svg(station_id: UUID, request: Request, principal: ANYONE) -> Response:
        station = station_of(app, station_id)
        return Response(
            qr_svg(station_url(origin(request), str(station_id)), title=station.name), media_type="image/svg+xml"
        )

    @router.get("/stations/{station_id}/poster.pdf", response_class=Response)
    def station_poster_pdf(station_id: UUID, request: Request, principal: READER) -> Response:
        station = station_of(app, station_id, principal)
        doc = station_view(station)
        poster = station_poster(origin(request), doc, names(views, station.county))
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

    return router
