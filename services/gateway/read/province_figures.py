"""One county's row of the side-by-side view, gathered from the services' own APIs with the
viewer's own token (so each service still checks the viewer's scope)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from shared import divisions

DATA_SERVICES = ("intake", "decision", "supervision", "evaluation")


async def counties_with_data(
    client: httpx.AsyncClient, upstreams: Mapping[str, str], covers: Callable[[str], bool]
) -> list[str]:
    """Every county any service holds data for (``GET /<service>/api/counties``) that the viewer may see."""

    async def of(service: str) -> set[str]:
        try:
            r = await client.get(f"{upstreams[service]}/{service}/api/counties")
        except httpx.HTTPError:
            return set()
        return {item["code"] for item in r.json()["items"]} if r.status_code == 200 else set()

    found = await asyncio.gather(*(of(s) for s in DATA_SERVICES if s in upstreams))
    return sorted(code for code in set().union(*found) if covers(code))


def county_row(county: str, year: int, demands: int | None, supervision: dict | None, metrics: dict | None) -> dict:
    # Coverage is evaluation's figure: towns/streets that held a vote with a result in the year,
    # out of the county's registered towns/streets (DOMAIN.md: 4 of 12 streets in Jiangmen).
    coverage = (metrics or {}).get("coverage") or {}
    return {
        "county": county,
        "name": divisions.county_name(county),
        "year": year,
        "demands": demands,
        "towns": coverage.get("denominator"),
        "towns_covered": coverage.get("numerator"),
        "coverage": coverage.get("value"),
        "coverage_gaps": coverage.get("missing", []),
        "projects": (supervision or {}).get("projects"),
        "progress_pct": (supervision or {}).get("progress_pct"),
        "open_warnings": (supervision or {}).get("open_warnings"),
        "completion_rate": ((metrics or {}).get("completion_rate") or {}).get("value"),
        "deputy_satisfied_rate": ((metrics or {}).get("deputy_satisfied_rate") or {}).get("value"),
        "resident_satisfaction": ((metrics or {}).get("resident_satisfaction") or {}).get("value"),
        "verdicts": (metrics or {}).get("verdicts"),
        "available": {
            "intake": demands is not None,
            "supervision": supervision is not None,
            "evaluation": metrics is not None,
        },
    }


async def side_by_side(
    upstreams: Mapping[str, str],
    covers: Callable[[str], bool],
    year: int,
    headers: dict[str, str],
    transport: httpx.AsyncBaseTransport | None = None,
) -> list[dict]:
    """One row per county with data that the viewer may see: one request to each service for every
    county at once (until 2026-12, three per county: a hundred counties took seconds), with the
    viewer's own token, so each service still answers only what the viewer may read. A service that
    does not answer leaves its columns empty (``available``); ``transport``: how the services are reached."""

    async with httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=5.0), transport=transport) as client:

        async def get(service: str, path: str, **params: Any) -> dict | None:
            """The service's ``items`` by county; None when it does not answer."""
            if service not in upstreams:
                return None
            try:
                r = await client.get(f"{upstreams[service]}/{service}/api/{path}", params=params, headers=headers)
            except httpx.HTTPError:
                return None
            return dict(r.json().get("items", {})) if r.status_code == 200 else None

        counties, demands, summaries, metrics = await asyncio.gather(
            counties_with_data(client, upstreams, covers),
            get("intake", "demand-totals"),
            get("supervision", "summaries", year=year),
            get("evaluation", "metrics/by-county", year=year),
        )
    return [
        county_row(
            county,
            year,
            demands.get(county, 0) if demands is not None else None,
            summaries.get(county, {"projects": 0, "open_warnings": 0}) if summaries is not None else None,
            metrics.get(county, {}) if metrics is not None else None,
        )
        for county in counties
    ]
