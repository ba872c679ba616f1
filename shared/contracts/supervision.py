"""Events published by supervision (实施监督)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from pydantic import Field

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
    plan_versions: int = Field(default=0, description="versions of the implementation plan (1 = never changed)")
    plan_late: bool = Field(default=False, description="the original plan was filed after its due date")
    findings_found: int = Field(default=0, description="inspection findings recorded")
    findings_solved: int = Field(default=0, description="findings closed with the inspector's acceptance")
    warnings_raised: int = Field(default=0, description="early warnings (预警) raised during the year")
    inspections: int = Field(default=0, description="on-site inspections (视察) recorded")
    town: str = Field(default="", description="the town/street of a micro or town-level project (blank: county-wide)")


@REGISTRY.register
class PlanFiled(_Supervision):
    """The implementation plan (实施方案) was filed: published and reported to the standing committee."""

    EVENT = "plan-filed"
    project_id: UUID
    year: int
    name: str
    filed_on: date
    due_on: date
    late: bool
    tasks: int
    milestones: int
    budget_total: Decimal


@REGISTRY.register
class WarningRaised(_Supervision):
    """An early warning (预警) on a project; escalated=True when it goes to standing-committee supervision."""

    EVENT = "warning-raised"
    project_id: UUID
    name: str
    key: str = Field(description="the cause: one warning per key, e.g. plan_missing, entry_missing:2026-03")
    kind: str
    detail: str
    escalated: bool = False
    rules_version: int = 1
