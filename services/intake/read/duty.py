"""Intake's part of a deputy's record of duty (履职档案) for a year (pure queries over the read
models): the demands that reached them and what became of each, the receptions they attended,
the suggestions they made and the micro-wishes they claimed. Public: a demand is told by its
town, category and outcome, never by its text, its tracking code or who raised it."""

from __future__ import annotations

from typing import Any

from services.intake.read.overview import china_date, demand_reaches, in_year

DONE = ("closed", "completed", "rated")


def public_deputy(doc: dict[str, Any]) -> dict[str, Any]:
    """What anyone may know of a deputy (亮身份). The registry holds no phone number."""
    return {k: doc[k] for k in ("deputy_id", "county", "name", "level", "town", "group", "active")}


def public_station(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: doc[k] for k in ("id", "county", "name", "town", "address", "hours", "deputy_ids")}


def demand_outcome(doc: dict[str, Any], deputy_id: str = "") -> dict[str, Any]:
    return {
        "submitted_on": china_date(doc["submitted_at"]).isoformat(),
        "town": doc["town"],
        "category": doc["category"],
        "channel": doc["channel"],
        "via": "code" if doc.get("deputy_id") == deputy_id and deputy_id else "inbox",
        "station_id": doc.get("station_id"),
        "reception_id": doc.get("reception_id"),
        "status": doc["status"],
        "tier": doc["tier"],
        "stages": [{"stage": s["stage"], "title": s["title"]} for s in doc.get("stages", [])],
        "actions": [
            {"action": a["action"], "on": china_date(a["at"]).isoformat()}
            for a in doc.get("deputy_actions", [])
            if a["by"] == deputy_id
        ],
    }


def intake_record(
    deputy: dict[str, Any],
    stations: list[dict[str, Any]],
    receptions: list[dict[str, Any]],
    demands: list[dict[str, Any]],
    suggestions: list[dict[str, Any]],
    year: int,
) -> dict[str, Any]:
    me = deputy["deputy_id"]
    mine = sorted(
        (d for d in demands if demand_reaches(d, me) and in_year(d["submitted_at"], year)),
        key=lambda d: d["submitted_at"],
    )
    items = [demand_outcome(d, me) for d in mine]
    by_status: dict[str, int] = {}
    for item in items:
        by_status[item["status"]] = by_status.get(item["status"], 0) + 1
    attended = sorted(
        (r for r in receptions if me in r["present"] and in_year(r["starts_at"], year)),
        key=lambda r: r["starts_at"],
    )
    made = sorted(
        (s for s in suggestions if s["raised_by"] == me and in_year(s["raised_at"], year)),
        key=lambda s: s["raised_at"],
    )
    wishes = sorted(
        (
            d
            for d in demands
            if (d.get("wish") or {}).get("claimed", {}).get("by") == me and in_year(d["wish"]["claimed"]["at"], year)
        ),
        key=lambda d: d["wish"]["claimed"]["at"],
    )
    return {
        "deputy": public_deputy(deputy),
        "year": year,
        "stations": [public_station(s) for s in stations if me in s["deputy_ids"]],
        "demands": {
            "total": len(items),
            "done": sum(1 for i in items if i["status"] in DONE),
            "by_status": by_status,
            "items": items,
        },
        "receptions": [
            {
                "id": r["id"],
                "station_id": r["station_id"],
                "station_name": r["station_name"],
                "town": r["town"],
                "kind": r["kind"],
                "starts_at": r["starts_at"],
                "topic": r["topic"],
                "demands": sum(1 for d in demands if d.get("reception_id") == r["id"]),
            }
            for r in attended
        ],
        "suggestions": [
            {
                "id": s["id"],
                "title": s["title"],
                "raised_on": china_date(s["raised_at"]).isoformat(),
                "demands": len(s["demand_ids"]),
                "status": s["status"],
            }
            for s in made
        ],
        "wishes": [
            {
                "claimed_on": china_date(d["wish"]["claimed"]["at"]).isoformat(),
                "town": d["town"],
                "status": d["status"],
                "steps": [step for step in ("claimed", "funded", "fulfilled", "visited") if step in d["wish"]],
            }
            for d in wishes
        ],
    }
