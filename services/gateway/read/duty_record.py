"""A deputy's record of duty (履职档案) for a year, assembled from the four services' public
read-only routes (``GET /<service>/api/counties/{c}/deputies/{id}/duty?year=``):

- intake: who the deputy is (no phone number), their stations, the demands that reached them and
  what became of each, the receptions they attended, the suggestions they made, micro-wishes claimed;
- supervision: the groups they serve on, the inspections they recorded, the findings they raised
  and whether each was closed;
- decision: the micro projects they proposed, and the vote sessions whose roll names them, each
  with whether they attended;
- evaluation: the rating rounds they attended.

Votes and ratings appear as attendance only. Each attendance row is rebuilt here from a fixed list
of fields, so whatever a service may answer, no choice a deputy made can enter the record."""

from __future__ import annotations

import asyncio
from urllib.parse import quote

from services.gateway.read.upstream import Fetch
from shared import divisions

SESSION_FIELDS = ("session_id", "name", "year", "level", "town", "date", "attended")
ROUND_FIELDS = ("round_id", "session_year", "rated_year", "date", "projects", "attended")


def _only(row: dict, fields: tuple[str, ...]) -> dict:
    return {k: row.get(k) for k in fields}


def assemble(
    county: str, year: int, intake: dict, decision: dict | None, supervision: dict | None, evaluation: dict | None
) -> dict:
    decision, supervision, evaluation = decision or {}, supervision or {}, evaluation or {}
    votes = [_only(s, SESSION_FIELDS) for s in decision.get("sessions", [])]
    ratings = [_only(r, ROUND_FIELDS) for r in evaluation.get("rating_rounds", [])]
    findings = supervision.get("findings", [])
    demands = intake["demands"]
    return {
        "county": county,
        "county_name": divisions.county_name(county),
        "year": year,
        "deputy": intake["deputy"],
        "stations": intake["stations"],
        "summary": {
            "demands": demands["total"],
            "demands_done": demands["done"],
            "receptions": len(intake["receptions"]),
            "inspections": len(supervision.get("inspections", [])),
            "findings": len(findings),
            "findings_closed": sum(1 for f in findings if f["status"] == "closed"),
            "suggestions": len(intake["suggestions"]),
            "micro_projects": len(decision.get("micro_projects", [])),
            "wishes": len(intake["wishes"]),
            "sessions_attended": sum(1 for v in votes if v["attended"]),
            "sessions_on_roll": len(votes),
            "ratings_attended": len(ratings),
        },
        "demands": demands,
        "receptions": intake["receptions"],
        "suggestions": intake["suggestions"],
        "wishes": intake["wishes"],
        "micro_projects": decision.get("micro_projects", []),
        "groups": supervision.get("groups", []),
        "inspections": supervision.get("inspections", []),
        "findings": findings,
        "attendance": {"votes": votes, "ratings": ratings},
        "available": {
            "intake": True,
            "decision": bool(decision),
            "supervision": bool(supervision),
            "evaluation": bool(evaluation),
        },
    }


async def record_of_duty(fetch: Fetch, county: str, deputy_id: str, year: int) -> dict | None:
    """The record, or None when the county's registry has no such deputy."""
    path = f"counties/{county}/deputies/{quote(deputy_id, safe='')}/duty"
    intake, decision, supervision, evaluation = await asyncio.gather(
        *(fetch(service, path, {"year": year}) for service in ("intake", "decision", "supervision", "evaluation"))
    )
    if intake is None:
        return None
    return assemble(county, year, intake, decision, supervision, evaluation)
