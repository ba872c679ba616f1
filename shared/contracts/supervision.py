"""Events published by supervision (实施监督)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from shared.contracts.envelope import Contract
from shared.contracts.registry import REGISTRY


class _Supervision(Contract):
    SERVICE = "supervision"


@REGISTRY.register
class ProjectFileOpened(_Supervision):
    EVENT = "project-file-opened"
    project_id: UUID
    year: int
    name: str
    demand_ids: list[UUID]


@REGISTRY.register
class ProjectProgressReported(_Supervision):
    EVENT = "project-progress-reported"
    project_id: UUID
    progress_pct: int
    note: str
    demand_ids: list[UUID]


@REGISTRY.register
class ProjectCompleted(_Supervision):
    """The project was reported complete and accepted: handed to evaluation with final figures."""

    EVENT = "project-completed"
    project_id: UUID
    year: int
    tier: str
    name: str
    completed_on: date
    deadline: date
    planned_investment: Decimal
    spent: Decimal
    demand_ids: list[UUID]
