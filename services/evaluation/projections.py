"""Evaluation's read model: ratings and verdicts per county."""

from __future__ import annotations

from shared.views import ViewTx
from services.evaluation.domain import ProjectRating

RATING = "rating"


def project(tx: ViewTx, event: object) -> None:
    oid = str(getattr(event, "originator_id", ""))
    if isinstance(event, ProjectRating.Opened):
        tx.put(RATING, oid, event.meta.county, {
            "id": oid, "county": event.meta.county, "project_id": str(event.project_id), "year": event.year,
            "tier": event.tier, "name": event.name, "on_time": event.on_time, "status": "open", "verdict": None,
            "counts": {}, "opened_at": event.meta.occurred_at.isoformat()})
    elif isinstance(event, ProjectRating.Tallied):
        tx.update(RATING, oid, lambda d: d.update(
            status="rated", verdict=event.verdict, rule_version=event.rule_version,
            counts={"satisfied": event.satisfied, "basically_satisfied": event.basic,
                    "unsatisfied": event.unsatisfied}))
