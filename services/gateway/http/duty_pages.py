"""A deputy's record of duty (履职档案), for the deputy, their voters and the standing committee:
``/deputies/{county}/{deputy_id}?year=`` (page), ``/deputies/api/{county}/{deputy_id}?year=``
(JSON) and ``/deputies/{county}/{deputy_id}/record-{year}.pdf`` (the yearly PDF). Public, as
the parts it is assembled from are; votes and ratings show attendance only."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

import httpx
from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, Response

from services.gateway.http.duty_pdf import record_pdf
from services.gateway.http.duty_texts import MESSAGES, labels
from services.gateway.http.province_pages import forwarded_auth
from services.gateway.read.duty_record import record_of_duty
from services.gateway.read.upstream import http_fetch
from shared.auth import Principal
from shared.contracts.envelope import COUNTY_PATTERN
from shared.kernel.china_time import china_today
from shared.web.access import PUBLIC, allow
from shared.web.i18n import language, register_messages
from shared.web.problems import Problem
from shared.web.templating import make_templates, render

County = Annotated[str, PathParam(pattern=COUNTY_PATTERN)]
DeputyId = Annotated[str, PathParam(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
Year = Annotated[int | None, Query(ge=2000, le=2100, description="default: this year (China time)")]

register_messages(MESSAGES)


def this_year() -> int:
    return china_today().year


def make_duty_router(upstreams: Mapping[str, str], transport: httpx.AsyncBaseTransport | None = None) -> APIRouter:
    """``transport``: how the services are reached (default: over the network at ``upstreams``)."""
    router = APIRouter(prefix="/deputies", include_in_schema=False)
    templates = make_templates(Path(__file__).parent / "templates", static_base="/static")

    async def record(request: Request, county: str, deputy_id: str, year: int) -> dict | None:
        async with httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=5.0), transport=transport) as client:
            return await record_of_duty(http_fetch(client, upstreams, forwarded_auth(request)), county, deputy_id, year)

    @router.get("/api/{county}/{deputy_id}")
    async def record_json(
        county: County,
        deputy_id: DeputyId,
        request: Request,
        principal: Annotated[Principal, Depends(allow(PUBLIC))],
        year: Year = None,
    ) -> dict:
        """The record of duty as JSON."""
        found = await record(request, county, deputy_id, year or this_year())
        if found is None:
            raise Problem(404, "Not found", "no such deputy in this county's registry", reason="not_found")
        return found

    @router.get("/{county}/{deputy_id}", response_class=HTMLResponse)
    async def record_page(county: County, deputy_id: DeputyId, request: Request, year: Year = None) -> Response:
        year = year or this_year()
        found = await record(request, county, deputy_id, year)
        lang = language(request)
        context = {"r": found, "year": year, "county": county, "deputy_id": deputy_id, "L": labels(lang)}
        return render(templates, request, "duty.html", context, status_code=200 if found else 404)

    @router.get("/{county}/{deputy_id}/record-{year}.pdf", response_class=Response)
    async def record_download(
        county: County, deputy_id: DeputyId, request: Request, year: Annotated[int, PathParam(ge=2000, le=2100)]
    ) -> Response:
        found = await record(request, county, deputy_id, year)
        if found is None:
            raise Problem(404, "Not found", "no such deputy in this county's registry", reason="not_found")
        pdf = await asyncio.to_thread(record_pdf, found)  # fonts and layout: not on the event loop
        return Response(
            pdf,
            media_type="application/pdf",
            headers={"content-disposition": f'inline; filename="record-{county}-{deputy_id}-{year}.pdf"'},
        )

    return router
