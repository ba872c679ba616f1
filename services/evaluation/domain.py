"""Evaluation's aggregate: a project's rating by the deputies (满意度测评)."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from shared.meta import Meta, RuleViolation

NAMESPACE = UUID("7c2b9e4d-1a3f-4b5c-8d6e-9f0a1b2c3d4e")


def rating_id_for(project_id: UUID) -> UUID:
    return uuid5(NAMESPACE, f"rating:{project_id}")


class ProjectRating(Aggregate):
    """Opened when a project is handed over as complete; closed with a verdict from the tally."""

    @staticmethod
    def create_id(project_id: UUID, **_: Any) -> UUID:
        return rating_id_for(project_id)

    @event("Opened")
    def __init__(self, meta: Meta, project_id: UUID, year: int, tier: str, name: str, demand_ids: list[UUID],
                 on_time: bool, planned_investment: str, spent: str) -> None:
        self.county = meta.county
        self.project_id = project_id
        self.year = year
        self.tier = tier
        self.name = name
        self.demand_ids = list(demand_ids)
        self.on_time = on_time
        self.planned_investment = planned_investment
        self.spent = spent
        self.status = "open"
        self.verdict: str | None = None
        self.counts: dict[str, int] = {}

    def record_tally(self, meta: Meta, satisfied: int, basic: int, unsatisfied: int, verdict: str,
                     rule_version: int) -> None:
        """Tellers' count of the paper ballots (every deputy rating this project)."""
        if self.status != "open":
            raise RuleViolation(f"rating is {self.status}; the tally was already recorded")
        self._tallied(meta=meta, satisfied=satisfied, basic=basic, unsatisfied=unsatisfied, verdict=verdict,
                      rule_version=rule_version, project_id=self.project_id, demand_ids=self.demand_ids)

    @event("Tallied")
    def _tallied(self, meta: Meta, satisfied: int, basic: int, unsatisfied: int, verdict: str, rule_version: int,
                 project_id: UUID, demand_ids: list[UUID]) -> None:
        self.status = "rated"
        self.verdict = verdict
        self.rule_version = rule_version
        self.counts = {"satisfied": satisfied, "basically_satisfied": basic, "unsatisfied": unsatisfied}
