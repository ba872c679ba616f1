"""The county's overview of its liaison network (pure queries over the read models): stations per
town/street, deputies per station, demands per station and per deputy; towns/streets with no
station, or with no reception held in the last quarter, are flagged. ``now`` is passed in."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from shared.kernel.china_time import CHINA as CHINA  # business dates are China's; re-exported for the pages
from shared.kernel.china_time import china_date

QUARTER_DAYS = 91  # "the last quarter": the 91 days up to today


def in_year(iso: str, year: int) -> bool:
    return china_date(iso).year == year


def demand_reaches(doc: dict[str, Any], deputy_id: str) -> bool:
    """The demand reached this deputy: raised through them, or pushed to their inbox."""
    return doc.get("deputy_id") == deputy_id or deputy_id in doc.get("deputies", [])


def _held_in(reception: dict[str, Any], start: date, end: date) -> bool:
    return reception["status"] == "held" and start <= china_date(reception["starts_at"]) <= end


def overview(
    towns: list[str],
    deputies: list[dict[str, Any]],
    stations: list[dict[str, Any]],
    receptions: list[dict[str, Any]],
    demands: list[dict[str, Any]],
    now: datetime,
    year: int,
) -> dict[str, Any]:
    today = china_date(now)
    since = today - timedelta(days=QUARTER_DAYS)
    active = [d for d in deputies if d["active"]]
    names = {d["deputy_id"]: d["name"] for d in deputies}
    of_year = [d for d in demands if in_year(d["submitted_at"], year)]
    by_station: dict[str, list[dict[str, Any]]] = {}
    for doc in of_year:
        if doc.get("station_id"):
            by_station.setdefault(doc["station_id"], []).append(doc)
    station_rows = []
    for s in sorted(stations, key=lambda s: (s["town"], s["name"])):
        held = [r for r in receptions if r["station_id"] == s["id"] and r["status"] == "held"]
        docs = by_station.get(s["id"], [])
        station_rows.append(
            {
                "id": s["id"],
                "name": s["name"],
                "town": s["town"],
                "deputies": [{"deputy_id": d, "name": names.get(d, d)} for d in s["deputy_ids"]],
                "receptions_held": sum(1 for r in held if in_year(r["starts_at"], year)),
                "last_reception": max((china_date(r["starts_at"]).isoformat() for r in held), default=None),
                "demands": len(docs),
                "demands_closed": sum(1 for d in docs if d["status"] in ("closed", "completed", "rated")),
            }
        )
    elsewhere = ({d["town"] for d in active} | {s["town"] for s in stations}) - set(towns)
    every_town = list(towns) + sorted(elsewhere)
    town_rows = []
    for town in every_town:
        here = [s for s in stations if s["town"] == town]
        recent = [r for r in receptions if r["town"] == town and _held_in(r, since, today)]
        flags = [] if here else ["no_station"]
        if not recent:
            flags.append("no_recent_reception")
        town_rows.append(
            {
                "town": town,
                "stations": [s["name"] for s in here],
                "deputies": sum(1 for d in active if d["town"] == town),
                "receptions_recent": len(recent),
                "demands": sum(len(by_station.get(s["id"], [])) for s in here),
                "flags": flags,
            }
        )
    deputy_rows = []
    for d in sorted(active, key=lambda d: (d["town"], d["name"])):
        mine = [doc for doc in of_year if demand_reaches(doc, d["deputy_id"])]
        deputy_rows.append(
            {
                "deputy_id": d["deputy_id"],
                "name": d["name"],
                "level": d["level"],
                "town": d["town"],
                "group": d["group"],
                "stations": [s["name"] for s in stations if d["deputy_id"] in s["deputy_ids"]],
                "demands": len(mine),
                "receptions_attended": sum(
                    1 for r in receptions if d["deputy_id"] in r["present"] and in_year(r["starts_at"], year)
                ),
            }
        )
    return {
        "year": year,
        "quarter": {"from": since.isoformat(), "to": today.isoformat()},
        "summary": {
            "towns": len(every_town),
            "towns_without_station": sum(1 for t in town_rows if "no_station" in t["flags"]),
            "towns_without_recent_reception": sum(1 for t in town_rows if "no_recent_reception" in t["flags"]),
            "stations": len(stations),
            "deputies": len(active),
            "demands_via_stations": sum(r["demands"] for r in station_rows),
        },
        "towns": town_rows,
        "stations": station_rows,
        "deputies": deputy_rows,
    }
