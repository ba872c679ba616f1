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


async def county_row(
    client: httpx.AsyncClient, upstreams: Mapping[str, str], county: str, year: int, headers: dict[str, str]
) -> dict:
    async def get(service: str, path: str, **params: Any) -> dict | None:
        if service not in upstreams:
            return None
        try:
            r = await client.get(f"{upstreams[service]}/{service}/api/{path}", params=params, headers=headers)
        except httpx.HTTPError:
            return None
        return r.json() if r.status_code == 200 else None

    demands, supervision, metrics = await asyncio.gather(
        get("intake", f"counties/{county}/demands", limit=1000),
        get("supervision", f"counties/{county}/summary", year=year),
        get("evaluation", f"counties/{county}/metrics", year=year),
    )
    # Coverage is evaluation's figure: towns/streets that held a vote with a result in the year,
    # out of the county's registered towns/streets (DOMAIN.md: 4 of 12 streets in Jiangmen).
    coverage = (metrics or {}).get("coverage") or {}
    return {
        "county": county,
        "name": divisions.county_name(county),
        "year": year,
        "demands": (demands or {}).get("total"),
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
    """One row per county with data that the viewer may see (``transport``: how the services are reached)."""
    async with httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=5.0), transport=transport) as client:
        counties = await counties_with_data(client, upstreams, covers)
        return list(await asyncio.gather(*(county_row(client, upstreams, c, year, headers) for c in counties)))
