"""The year's figures over HTTP, for one county or across counties (a city or province viewer)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import AfterValidator

from services.evaluation.read.figures import metrics_for
from services.evaluation.read.metrics import across_counties
from services.evaluation.read.projections import ADOPTED, DEMAND, RATING
from shared.auth import Principal, Role
from shared.contracts.envelope import COUNTY_PATTERN
from shared.contracts.plausible import known_county
from shared.views.store import ViewStore
from shared.web.access import PUBLIC, allow, check_county

County = Annotated[str, Path(pattern=COUNTY_PATTERN), AfterValidator(known_county)]  # 422 unknown_county


def make_metrics_router(views: ViewStore) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["metrics"])

    @router.get("/counties/{county}/metrics")
    def metrics(county: County, year: int, principal: Annotated[Principal, Depends(allow(PUBLIC))]) -> dict:
        """Completion, on-time, verdicts, residents' satisfaction, reply / solved / 24-hour reply rates (public)."""
        return metrics_for(views, county, year)

    @router.get("/metrics/by-county")
    def metrics_by_county(
        year: int,
        principal: Annotated[Principal, Depends(allow(Role.PROVINCE_VIEWER, Role.CONGRESS_STAFF, Role.AUDITOR))],
        scope: Annotated[str, Query(pattern=r"^\d{0,6}$", description="a code prefix (4407); empty: all")] = "",
    ) -> dict:
        """The figures of every county with data that the caller may read (under ``scope``), in one
        answer: the province view without a request per county."""
        counties = sorted(
            {
                county
                for kind in (RATING, ADOPTED, DEMAND)
                for county in views.counties(kind)
                if county.startswith(scope) and principal.covers(county)
            }
        )
        return {"items": {county: metrics_for(views, county, year) for county in counties}}

    @router.get("/metrics")
    def metrics_across(
        year: int,
        principal: Annotated[Principal, Depends(allow(Role.PROVINCE_VIEWER, Role.CONGRESS_STAFF, Role.AUDITOR))],
        scope: Annotated[str, Query(pattern=r"^\d{2,6}$", description="code prefix, e.g. 4407")],
    ) -> dict:
        """Every county under ``scope`` side by side, and their totals."""
        counties = sorted(
            {
                county
                for kind in (RATING, ADOPTED, DEMAND)
                for county in views.counties(kind)
                if county.startswith(scope)
            }
        )
        for county in counties:
            check_county(principal, county)
        per_county = [metrics_for(views, c, year) for c in counties]
        for m in per_county:
            m.pop("projects")
        return {"scope": scope, "year": year, "counties": per_county, "totals": across_counties(per_county)}

    return router
