"""Decision's read models: the demand pool and micro projects per county."""

from __future__ import annotations

from shared.views import ViewTx
from services.decision.domain import MicroProject, PooledDemand
from services.decision.projections_votes import project_votes

POOL = "pool"
MICRO = "micro"


def project(tx: ViewTx, event: object) -> None:
    oid = str(getattr(event, "originator_id", ""))
    project_votes(tx, event)
    if isinstance(event, PooledDemand.Pooled):
        tx.put(POOL, oid, event.meta.county, {
            "id": oid, "county": event.meta.county, "channel": event.channel, "town": event.town,
            "category": event.category, "text": event.text, "pooled_at": event.meta.occurred_at.isoformat(),
            "used_by": None})
    elif isinstance(event, PooledDemand.Used):
        tx.update(POOL, oid, lambda d: d.update(used_by=str(event.candidate_id)))
    elif isinstance(event, MicroProject.Proposed):
        tx.put(MICRO, oid, event.meta.county, {
            "id": oid, "county": event.meta.county, "year": event.year, "town": event.town, "name": event.name,
            "content": event.content, "implementing_body": event.implementing_body,
            "investment": str(event.investment), "deadline": event.deadline.isoformat(),
            "demand_ids": [str(x) for x in event.demand_ids], "rule_version": event.rule_version,
            "status": "proposed", "proposed_at": event.meta.occurred_at.isoformat(), "history": [
                {"status": "proposed", "at": event.meta.occurred_at.isoformat(), "by": event.meta.actor_id}]})
    elif isinstance(event, (MicroProject.Approved, MicroProject.Declined)):
        status = "approved" if isinstance(event, MicroProject.Approved) else "declined"

        def change(doc: dict) -> None:
            doc["status"] = status
            doc["history"].append({"status": status, "at": event.meta.occurred_at.isoformat(),
                                   "by": event.meta.actor_id, "reason": event.meta.reason})

        tx.update(MICRO, oid, change)
