"""A county's figures of a year (:func:`metrics_for`), from evaluation's read models: the metrics API, the
public pages and the annual report read them alike."""

from __future__ import annotations

from services.evaluation.read.metrics import county_metrics
from services.evaluation.read.projections import ADOPTED, DEMAND_YEAR, RATING, RULES, VOTE
from shared.views.store import ViewStore


def metrics_for(views: ViewStore, county: str, year: int) -> dict:
    rules = views.get(RULES, county) or {"values": {}}
    return county_metrics(
        county,
        year,
        views.list(RATING, county),
        views.list(ADOPTED, county),
        [],
        views.list(VOTE, county),
        rules["values"].get("towns", []),
        demand_tally=views.get(DEMAND_YEAR, f"{county}:{year:04d}") or {},
    )
