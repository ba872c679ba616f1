"""Decision's part of a deputy's record of duty (履职档案), read-only and public: the vote
sessions whose roll names them and whether they attended (check-in is public record), and the
micro projects they proposed (代表提). Attendance only: nothing here reads a ballot, so no choice
a deputy made can appear."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from services.decision.read.projections import MICRO
from services.decision.read.vote_projections import SESSIONS
from shared.auth import Principal
from shared.contracts.envelope import COUNTY_PATTERN
from shared.kernel.china_time import china_date
from shared.views.store import ViewStore
from shared.web.access import PUBLIC, allow

County = Annotated[str, Path(pattern=COUNTY_PATTERN)]


def attendance(session: dict, deputy_id: str) -> dict | None:
    """``deputy X attended session Y on date Z``: from the session's roll and its check-ins only."""
    if deputy_id not in {member["id"] for member in session["roll"]}:
        return None
    opened = [r["opened_at"] for r in session.get("rounds", []) if r.get("opened_at")]
    return {
        "session_id": session["id"],
        "name": session["name"],
        "year": session["year"],
        "level": session["level"],
        "town": session["town"],
        "date": china_date(min(opened) if opened else session["scheduled_at"]).isoformat(),
        "attended": deputy_id in session["present"],
    }


def make_duty_router(views: ViewStore) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["deputies' record"])

    @router.get("/counties/{county}/deputies/{deputy_id}/duty")
    def duty(
        county: County,
        deputy_id: str,
        principal: Annotated[Principal, Depends(allow(PUBLIC))],
        year: Annotated[int, Query(ge=2000, le=2100)],
    ) -> dict:
        """The sessions of the year whose roll names the deputy, each with whether they checked in;
        the micro projects they proposed in the year, with what became of each."""
        sessions = [
            a for s in views.list(SESSIONS, county) if s["year"] == year and (a := attendance(s, deputy_id)) is not None
        ]
        micro = [
            {
                "id": m["id"],
                "name": m["name"],
                "town": m["town"],
                "year": m["year"],
                "status": m["status"],
                "proposed_on": china_date(m["proposed_at"]).isoformat(),
            }
            for m in views.list(MICRO, county)
            if m["history"][0]["by"] == deputy_id and china_date(m["proposed_at"]).year == year
        ]
        return {
            "county": county,
            "deputy_id": deputy_id,
            "year": year,
            "sessions": sorted(sessions, key=lambda s: s["date"]),
            "micro_projects": sorted(micro, key=lambda m: m["proposed_on"]),
        }

    return router
