"""Supervision's domain events -> published contracts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from services.supervision.domain.project import Project
from shared.bus.translation import Translation
from shared.contracts import supervision as c
from shared.contracts.envelope import Contract

OUTBOUND = Translation("supervision")


@OUTBOUND.on(Project.Opened)
def opened(event: Project.Opened) -> Iterator[Contract]:
    yield c.ProjectFileOpened(
        project_id=event.originator_id, year=event.year, name=event.name, demand_ids=event.demand_ids
    )


@OUTBOUND.on(Project.ProgressReported)
def progress_reported(event: Project.ProgressReported) -> Iterator[Contract]:
    yield c.ProjectProgressReported(
        project_id=event.originator_id,
        progress_pct=event.progress_pct,
        note=event.note,
        demand_ids=event.demand_ids,
    )


@OUTBOUND.on(Project.PlanFiled)
def plan_filed(event: Project.PlanFiled) -> Iterator[Contract]:
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


@OUTBOUND.on(Project.WarningRaised)
def warning_raised(event: Project.WarningRaised) -> Iterator[Contract]:
    yield c.WarningRaised(
        project_id=event.originator_id,
        name=event.name,
        key=event.key,
        kind=event.kind,
        detail=event.detail,
        rules_version=event.rules_version,
    )


@OUTBOUND.on(Project.WarningEscalated)
def warning_escalated(event: Project.WarningEscalated) -> Iterator[Contract]:
    yield c.WarningRaised(
        project_id=event.originator_id,
        name=event.name,
        key=event.key,
        kind=event.kind,
        detail=event.detail,
        escalated=True,
        rules_version=event.rules_version,
    )


@OUTBOUND.on(Project.AcceptanceChecked)
def acceptance_checked(event: Project.AcceptanceChecked) -> Iterator[Contract]:
    if event.verdict != "accepted":
        return
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
        town=s.get("town", ""),
    )


to_contracts = OUTBOUND  # what the outbox relay publishes for each stored event
TOPICS = OUTBOUND.topics()
