"""Supervision's domain events -> published contracts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from shared.contracts import supervision as c
from shared.contracts.envelope import Contract
from services.supervision.domain import Project


def to_contracts(event: object) -> Iterator[Contract]:
    if isinstance(event, Project.Opened):
        yield c.ProjectFileOpened(project_id=event.originator_id, year=event.year, name=event.name,
                                  demand_ids=event.demand_ids)
    elif isinstance(event, Project.ProgressReported):
        yield c.ProjectProgressReported(project_id=event.originator_id, progress_pct=event.progress_pct,
                                        note=event.note, demand_ids=event.demand_ids)
    elif isinstance(event, Project.AcceptanceChecked) and event.verdict == "accepted":
        s = event.snapshot
        yield c.ProjectCompleted(project_id=event.originator_id, year=s["year"], tier=s["tier"], name=s["name"],
                                 completed_on=date.fromisoformat(s["completed_on"]),
                                 deadline=date.fromisoformat(s["deadline"]),
                                 planned_investment=Decimal(s["planned_investment"]), spent=Decimal(s["spent"]),
                                 demand_ids=s["demand_ids"])
