"""The year's figures (pure): computed from evaluation's read-model documents, which are folded
from events only (its own, and those it recorded from intake's and decision's contracts).

Every figure is ``{"value": share or None, "numerator", "denominator", "note"}``; ``value`` is
None when its denominator is 0 or its input is not published yet. Definitions: README
"Evaluation" section.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any

from shared.kernel.china_time import china_date

# Statuses intake publishes (demand-status-changed) once a demand was answered, and once it was solved.
SOLVED_STATUSES = {"closed", "completed", "rated"}
REPLIED_STATUSES = {"replied"} | SOLVED_STATUSES
SMALL_SCOPES = {"household", "community"}
LOCAL_TIERS = {"department", "micro_wish", "micro"}
REPLY_HOURS = 24
NOT_PUBLISHED = "input not published yet"


def figure(numerator: int, denominator: int, note: str = "") -> dict:
    value = None if denominator == 0 else round(float(Fraction(numerator, denominator)), 4)
    return {"value": value, "numerator": numerator, "denominator": denominator, "note": note}


def unpublished(what: str) -> dict:
    return {"value": None, "numerator": 0, "denominator": 0, "note": f"{NOT_PUBLISHED}: {what}"}


def coverage(county: str, year: int, votes: list[dict], towns: list[str]) -> dict:
    """Towns/streets that held a town- or street-level vote with a result (not void) in the year,
    out of the county's registered towns and streets."""
    if not towns:
        return {
            "value": None,
            "numerator": 0,
            "denominator": 0,
            "missing": [],
            "note": "register the county's towns/streets (evaluation rule 'towns')",
        }
    voted = {
        v["town"]
        for v in votes
        if v["county"] == county and v["year"] == year and v["level"] in ("town", "street") and v["status"] != "void"
    }
    registered = sorted(set(towns))
    result = figure(len(voted & set(registered)), len(registered))
    result["missing"] = [t for t in registered if t not in voted]
    return result


DEMAND_COUNTS = ("demands", "replied", "solved", "consultations", "replied_24h", "small", "small_local")


def demand_counts(doc: dict) -> dict[str, int]:
    """What one demand adds to its county's and year's demand figures (0 or 1 each): the read model
    keeps these added up per county and year (``demand-year``), so the figures read one document."""
    consultation = doc.get("kind") == "consultation"
    small = doc.get("scope") in SMALL_SCOPES
    solved = _reached(doc, SOLVED_STATUSES)
    return {
        "demands": 1,
        "replied": int(_reached(doc, REPLIED_STATUSES)),
        "solved": int(solved),
        "consultations": int(consultation),
        "replied_24h": int(consultation and _replied_within(doc, REPLY_HOURS)),
        "small": int(small),
        "small_local": int(small and doc.get("tier") in LOCAL_TIERS and solved),
    }


def tally(demands: list[dict]) -> dict[str, int]:
    total = dict.fromkeys(DEMAND_COUNTS, 0)
    for doc in demands:
        for key, value in demand_counts(doc).items():
            total[key] += value
    return total


def county_metrics(
    county: str,
    year: int,
    ratings: list[dict],
    adopted: list[dict],
    demands: list[dict],
    votes: list[dict] | None = None,
    towns: list[str] | None = None,
    demand_tally: dict[str, int] | None = None,
) -> dict:
    """``demand_tally``: the year's demand counts already added up (the ``demand-year`` document);
    without it they are counted from ``demands``."""
    projects = sorted(
        (d for d in ratings if d["county"] == county and d["year"] == year),
        key=lambda d: (d["tier"], d["name"], d["project_id"]),
    )
    adopted_ids = {a["project_id"] for a in adopted if a["county"] == county and a["year"] == year}
    completed_ids = {p["project_id"] for p in projects}
    verdicts = Counter(p["verdict"] for p in projects if p["verdict"])
    rated = sum(verdicts.values())
    residents: Counter[str] = Counter()
    for p in projects:
        residents.update(p["residents"])
        residents.update(v["level"] for v in p["return_visits"])
    voices = sum(residents.values())
    usage = [Fraction(p["usage"]["rate"]) for p in projects if p.get("usage")]
    if demand_tally is None:
        year_demands = [d for d in demands if d["county"] == county and china_date(d["submitted_at"]).year == year]
        demand_tally = tally(year_demands)
    n = {key: int(demand_tally.get(key, 0)) for key in DEMAND_COUNTS}
    rectifications = [p["rectification"] for p in projects if p.get("rectification")]
    return {
        "county": county,
        "year": year,
        "projects": projects,
        "counts": {
            "adopted": len(adopted_ids),
            "completed": len(completed_ids),
            "rated": rated,
            "demands": n["demands"],
            "rectifications": len(rectifications),
            "rectifications_closed": sum(1 for r in rectifications if r["status"] == "closed"),
            "escalated": sum(1 for r in rectifications if r["status"] == "escalated"),
            "overdue_warnings": sum(1 for r in rectifications if r["overdue_warning"]),
        },
        "completion_rate": figure(len(completed_ids & adopted_ids), len(adopted_ids)),
        "on_time_rate": figure(sum(1 for p in projects if p["on_time"]), len(projects)),
        "verdicts": {v: verdicts.get(v, 0) for v in ("satisfied", "basically_satisfied", "unsatisfied")},
        "deputy_satisfied_rate": figure(verdicts.get("satisfied", 0) + verdicts.get("basically_satisfied", 0), rated),
        "resident_satisfaction": figure(residents["satisfied"] + residents["basically_satisfied"], voices),
        "resident_levels": {v: residents.get(v, 0) for v in ("satisfied", "basically_satisfied", "unsatisfied")},
        "usage_rate": {
            "value": round(float(sum(usage) / len(usage)), 4) if usage else None,
            "numerator": len(usage),
            "denominator": len(projects),
            "note": "mean of measured projects",
        },
        "reply_rate": figure(n["replied"], n["demands"]),
        "solved_rate": figure(n["solved"], n["demands"]),
        "reply_24h_rate": figure(
            n["replied_24h"], n["consultations"], "" if n["consultations"] else "no consultation demand recorded"
        ),
        "local_share": figure(n["small_local"], n["small"], "" if n["small"] else "no small matter routed"),
        "coverage": coverage(county, year, votes or [], towns or []),
    }


def _reached(demand: dict, statuses: set[str]) -> bool:
    return any(s["status"] in statuses for s in demand["statuses"])


def _replied_within(demand: dict, hours: int) -> bool:
    replies = [datetime.fromisoformat(s["at"]) for s in demand["statuses"] if s["status"] in REPLIED_STATUSES]
    if not replies:
        return False
    submitted = datetime.fromisoformat(demand["submitted_at"])
    first = min(replies)
    return first - submitted <= timedelta(hours=hours)


def across_counties(per_county: list[dict]) -> dict:
    """Totals across counties: each figure's numerators and denominators added up."""
    keys = (
        "completion_rate",
        "on_time_rate",
        "deputy_satisfied_rate",
        "resident_satisfaction",
        "reply_rate",
        "solved_rate",
        "reply_24h_rate",
        "local_share",
        "coverage",
    )
    totals: dict[str, Any] = {
        k: figure(sum(m[k]["numerator"] for m in per_county), sum(m[k]["denominator"] for m in per_county))
        for k in keys
    }
    verdicts: Counter[str] = Counter()
    for m in per_county:
        verdicts.update(m["verdicts"])
    totals["verdicts"] = {v: verdicts.get(v, 0) for v in ("satisfied", "basically_satisfied", "unsatisfied")}
    totals["counties"] = len(per_county)
    return totals
