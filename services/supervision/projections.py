"""Supervision's read model: the county's progress board (民生实事进度榜)."""

from __future__ import annotations

from shared.views import ViewTx
from services.supervision.domain import Project

PROJECT = "project"


def project(tx: ViewTx, event: object) -> None:
    oid = str(getattr(event, "originator_id", ""))
    if isinstance(event, Project.Opened):
        tx.put(PROJECT, oid, event.meta.county, {
            "id": oid, "county": event.meta.county, "year": event.year, "tier": event.tier, "name": event.name,
            "implementing_body": event.implementing_body, "investment": str(event.investment),
            "deadline": event.deadline.isoformat(), "progress_pct": 0, "spent": "0", "status": "open",
            "opened_at": event.meta.occurred_at.isoformat(), "demand_count": len(event.demand_ids)})
    elif isinstance(event, Project.ProgressReported):
        tx.update(PROJECT, oid, lambda d: d.update(progress_pct=event.progress_pct, spent=str(event.spent),
                                                   last_note=event.note))
    elif isinstance(event, Project.CompletionReported):
        tx.update(PROJECT, oid, lambda d: d.update(progress_pct=100, spent=str(event.spent),
                                                   status="completion_reported",
                                                   completed_on=event.completed_on.isoformat()))
    elif isinstance(event, Project.AcceptanceChecked):
        tx.update(PROJECT, oid, lambda d: d.update(status="accepted" if event.verdict == "accepted" else "open"))
