"""Batch printing across the services: ``/posters/<county>.pdf[?town=&year=]`` puts every QR poster of
a county, or of one town/street, in one PDF — the liaison stations and their deputies (intake's
``posters.json``) and the project sites (supervision's ``site-posters.json``). The services describe
their posters; the gateway lays them out with the same poster layout (``shared/web/posters.py``)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from services.gateway.http.province_pages import forwarded_auth
from services.gateway.read.upstream import http_fetch
from shared import divisions
from shared.auth import Principal, Role
from shared.contracts.envelope import COUNTY_PATTERN
from shared.web.access import allow, check_county
from shared.web.posters import Poster, posters_pdf
from shared.web.problems import Problem

READERS = (Role.CONGRESS_STAFF, Role.GOV_UNIT, Role.DEPUTY, Role.AUDITOR, Role.PROVINCE_VIEWER)


def make_poster_router(upstreams: Mapping[str, str], transport: httpx.AsyncBaseTransport | None = None) -> APIRouter:
    router = APIRouter(prefix="/posters", include_in_schema=False)

    @router.get("/{county}.pdf", response_class=Response)
    async def every_poster(
        county: Annotated[str, Path(pattern=COUNTY_PATTERN)],
        request: Request,
        principal: Annotated[Principal, Depends(allow(*READERS))],
        town: str = "",
        year: Annotated[int | None, Query(ge=2000, le=2100, description="the project sites' year")] = None,
    ) -> Response:
        check_county(principal, county)
        site_params: dict[str, Any] = {"town": town, **({"year": year} if year else {})}
        async with httpx.AsyncClient(timeout=httpx.Timeout(60.0, connect=5.0), transport=transport) as client:
            # the services print the origin they were asked on: this one's, not their own address
            origin = {"x-forwarded-host": request.headers.get("host", ""), "x-forwarded-proto": request.url.scheme}
            fetch = http_fetch(client, upstreams, {**forwarded_auth(request), **origin})
            liaison, sites = await asyncio.gather(
                fetch("intake", f"counties/{county}/posters.json", {"town": town}),
                fetch("supervision", f"counties/{county}/site-posters.json", site_params),
            )
        if liaison is None or sites is None:
            missing = "、".join(name for name, part in (("intake", liaison), ("supervision", sites)) if part is None)
            raise Problem(502, "Bad gateway", f"not answering: {missing}", reason="upstream_unavailable")
        posters = [Poster.from_json(p) for p in liaison["posters"] + sites["posters"]]
        if not posters:
            raise Problem(404, "Not found", "nothing to print here", reason="nothing_to_print")
        title = f"{divisions.county_name(county)}{' ' + town if town else ''} 亮码海报"
        pdf = await asyncio.to_thread(posters_pdf, posters, title=title)  # fonts and layout: not on the loop
        return Response(
            pdf,
            media_type="application/pdf",
            headers={"content-disposition": f'inline; filename="posters-{county}.pdf"'},
        )

    return router
