"""Supervision's aggregate: a project's file from adoption to accepted completion."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from shared.meta import Meta, RuleViolation


class Project(Aggregate):
    """One year's project (or micro project) under supervision."""

    @staticmethod
    def create_id(project_id: UUID, **_: Any) -> UUID:
        return project_id

    @event("Opened")
    def __init__(self, meta: Meta, project_id: UUID, year: int, tier: str, name: str, content: str,
                 implementing_body: str, investment: Decimal, deadline: date, demand_ids: list[UUID]) -> None:
        self.county = meta.county
        self.year = year
        self.tier = tier
        self.name = name
        self.content = content
        self.implementing_body = implementing_body
        self.investment = investment
        self.deadline = deadline
        self.demand_ids = list(demand_ids)
        self.progress_pct = 0
        self.spent = Decimal("0")
        self.status = "open"
        self.reports: list[dict] = []
        self.completed_on: date | None = None

    def report_progress(self, meta: Meta, progress_pct: int, spent: Decimal, note: str) -> None:
        if self.status != "open":
            raise RuleViolation(f"project is {self.status}; progress is reported while it is open")
        if not 0 <= progress_pct <= 100:
            raise RuleViolation("progress must be between 0 and 100")
        if progress_pct < self.progress_pct:
            raise RuleViolation(f"progress cannot go back from {self.progress_pct}% to {progress_pct}%")
        if spent < 0:
            raise RuleViolation("money spent cannot be negative")
        self._progress_reported(meta=meta, progress_pct=progress_pct, spent=spent, note=note,
                                demand_ids=self.demand_ids)

    @event("ProgressReported")
    def _progress_reported(self, meta: Meta, progress_pct: int, spent: Decimal, note: str,
                           demand_ids: list[UUID]) -> None:
        self.progress_pct = progress_pct
        self.spent = spent
        self.reports.append({"at": meta.occurred_at.isoformat(), "progress_pct": progress_pct,
                             "spent": str(spent), "note": note, "by": meta.actor_id})

    def report_completion(self, meta: Meta, completed_on: date, spent: Decimal, note: str) -> None:
        if self.status != "open":
            raise RuleViolation(f"project is {self.status}, not open")
        self._completion_reported(meta=meta, completed_on=completed_on, spent=spent, note=note)

    @event("CompletionReported")
    def _completion_reported(self, meta: Meta, completed_on: date, spent: Decimal, note: str) -> None:
        self.status = "completion_reported"
        self.progress_pct = 100
        self.spent = spent
        self.completed_on = completed_on

    def accept(self, meta: Meta, verdict: str) -> None:
        """The supervision group's acceptance check (验收): accepted, or sent back with a reason."""
        if self.status != "completion_reported":
            raise RuleViolation(f"project is {self.status}; acceptance follows a completion report")
        if verdict not in ("accepted", "rejected"):
            raise RuleViolation("verdict is accepted or rejected")
        if verdict == "rejected" and not meta.reason:
            raise RuleViolation("a rejected acceptance check needs a reason")
        self._acceptance_checked(meta=meta, verdict=verdict, snapshot=self._final_figures())

    def _final_figures(self) -> dict:
        return {"year": self.year, "tier": self.tier, "name": self.name,
                "completed_on": self.completed_on.isoformat() if self.completed_on else None,
                "deadline": self.deadline.isoformat(), "planned_investment": str(self.investment),
                "spent": str(self.spent), "demand_ids": [str(d) for d in self.demand_ids]}

    @event("AcceptanceChecked")
    def _acceptance_checked(self, meta: Meta, verdict: str, snapshot: dict) -> None:
        self.status = "accepted" if verdict == "accepted" else "open"
