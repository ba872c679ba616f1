"""Evaluation's part of a deputy's record of duty (履职档案), read-only and public: the rating
rounds (满意度测评) they checked in to. Attendance only: a rating round's check-in is public
record, its ballots carry no deputy, and nothing here reads them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from services.evaluation.read.projections import ROUND
from shared.auth import Principal
from shared.contracts.envelope import COUNTY_PATTERN
from shared.kernel.china_time import china_date
from shared.views.store import ViewStore
from shared.web.access import PUBLIC, allow

County = Annotated[str, Path(pattern=COUNTY_PATTERN)]


def make_duty_router(views: ViewStore) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["deputies' record"])

    @router.get("/counties/{county}/deputies/{deputy_id}/duty")
    def duty(
        county: County,
        deputy_id: str,
        principal: Annotated[Principal, Depends(allow(PUBLIC))],
        year: Annotated[int, Query(ge=2000, le=2100)],
    ) -> dict:
        """``deputy X attended rating round Y on date Z``: the rounds of the year's session they checked in to."""
        rounds = [
            {
                "round_id": r["id"],
                "session_year": r["session_year"],
                "rated_year": r["rated_year"],
                "date": china_date(r["opened_at"]).isoformat(),
                "projects": len(r["projects"]),
                "attended": True,
            }
            for r in views.list(ROUND, county)
            if r["session_year"] == year and deputy_id in r["present"]
        ]
        return {
            "county": county,
            "deputy_id": deputy_id,
            "year": year,
            "rating_rounds": sorted(rounds, key=lambda r: r["date"]),
        }

    return router
