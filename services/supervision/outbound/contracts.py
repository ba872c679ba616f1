"""Supervision's domain events -> published contracts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from services.supervision.domain.project import Project
from shared.contracts import supervision as c
from shared.contracts.envelope import Contract


def to_contracts(event: object) -> Iterator[Contract]:
    if isinstance(event, Project.Opened):
        yield c.ProjectFileOpened(
            project_id=event.originator_id, year=event.year, name=event.name, demand_ids=event.demand_ids
        )
    elif isinstance(event, Project.ProgressReported):
        yield c.ProjectProgressReported(
            project_id=event.originator_id,
            progress_pct=event.progress_pct,
            note=event.note,
            demand_ids=event.demand_ids,
        )
    elif isinstance(event, Project.PlanFiled):
        plan = event.plan
        yield c.PlanFiled(
            project_id=event.originator_id,
            year=event.year,
            name=event.name,
            filed_on=date.fromisoformat(plan["filed_on"]),
            due_on=date.fromisoformat(event.due_on),
            late=event.late,
            tasks=len(plan["tasks"]),
            milestones=len(plan["milestones"]),
            budget_total=sum((Decimal(b["amount"]) for b in plan["budget_lines"]), Decimal("0")),
        )
    elif isinstance(event, Project.WarningRaised):
        yield c.WarningRaised(
            project_id=event.originator_id,
            name=event.name,
            key=event.key,
            kind=event.kind,
            detail=event.detail,
            rules_version=event.rules_version,
        )
    elif isinstance(event, Project.WarningEscalated):
        yield c.WarningRaised(
            project_id=event.originator_id,
            name=event.name,
            key=event.key,
            kind=event.kind,
            detail=event.detail,
            escalated=True,
            rules_version=event.rules_version,
        )
    elif isinstance(event, Project.AcceptanceChecked) and event.verdict == "accepted":
        s = event.snapshot
        yield c.ProjectCompleted(
            project_id=event.originator_id,
            year=s["year"],
            tier=s["tier"],
            name=s["name"],
            completed_on=date.fromisoformat(s["completed_on"]),
            deadline=date.fromisoformat(s["deadline"]),
            planned_investment=Decimal(s["planned_investment"]),
            spent=Decimal(s["spent"]),
            demand_ids=s["demand_ids"],
            plan_versions=s.get("plan_versions", 0),
            plan_late=s.get("plan_late", False),
            findings_found=s.get("findings_found", 0),
            findings_solved=s.get("findings_solved", 0),
            warnings_raised=s.get("warnings_raised", 0),
            inspections=s.get("inspections", 0),
        )
