"""Evaluation's aggregate for one project: the deputies' rating (满意度测评) and its verdict.

Opened when supervision hands the project over as complete. The verdict comes from the
session's rating round (secret ballots) or, for a project rated outside a round, from the
tellers' counts; either way it records the rule-set version it was reached under.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from shared.kernel.meta import Meta, RuleViolation
from shared.kernel.topics import moved

NAMESPACE = UUID("7c2b9e4d-1a3f-4b5c-8d6e-9f0a1b2c3d4e")


def rating_id_for(project_id: UUID) -> UUID:
    return uuid5(NAMESPACE, f"rating:{project_id}")


class ProjectRating(Aggregate):
    """Opened when a project is handed over as complete; closed with a verdict."""

    # Events: the fields of each are the arguments of the method that records it.
    class Opened(Aggregate.Created):
        meta: Meta
        project_id: UUID
        year: int
        tier: str
        name: str
        demand_ids: list[UUID]
        on_time: bool
        planned_investment: str
        spent: str
        completed_on: date | None = None
        deadline: date | None = None
        town: str = ""

    class Tallied(Aggregate.Event):
        meta: Meta
        satisfied: int
        basic: int
        unsatisfied: int
        verdict: str
        rule_version: int
        project_id: UUID
        demand_ids: list[UUID]
        round_id: UUID | None = None

    @staticmethod
    def create_id(project_id: UUID, **_: Any) -> UUID:
        return rating_id_for(project_id)

    @event(Opened)
    def __init__(
        self,
        meta: Meta,
        project_id: UUID,
        year: int,
        tier: str,
        name: str,
        demand_ids: list[UUID],
        on_time: bool,
        planned_investment: str,
        spent: str,
        completed_on: date | None = None,
        deadline: date | None = None,
        town: str = "",
    ) -> None:
        self.county = meta.county
        self.project_id = project_id
        self.year = year
        self.tier = tier
        self.name = name
        self.demand_ids = list(demand_ids)
        self.on_time = on_time
        self.planned_investment = planned_investment
        self.spent = spent
        self.completed_on = completed_on
        self.deadline = deadline
        self.town = town
        self.status = "open"
        self.verdict: str | None = None
        self.counts: dict[str, int] = {}
        self.round_id: UUID | None = None
        self.rule_version: int | None = None

    def record_tally(
        self,
        meta: Meta,
        satisfied: int,
        basic: int,
        unsatisfied: int,
        verdict: str,
        rule_version: int,
        round_id: UUID | None = None,
    ) -> None:
        """The counted ratings of every deputy rating this project (a round's ballots or tellers' counts)."""
        if self.status != "open":
            raise RuleViolation(f"该项目已有测评结果 / rating is {self.status}; the verdict was already reached")
        self._tallied(
            meta=meta,
            satisfied=satisfied,
            basic=basic,
            unsatisfied=unsatisfied,
            verdict=verdict,
            rule_version=rule_version,
            project_id=self.project_id,
            demand_ids=self.demand_ids,
            round_id=round_id,
        )

    @event(Tallied)
    def _tallied(
        self,
        meta: Meta,
        satisfied: int,
        basic: int,
        unsatisfied: int,
        verdict: str,
        rule_version: int,
        project_id: UUID,
        demand_ids: list[UUID],
        round_id: UUID | None = None,
    ) -> None:
        self.status = "rated"
        self.verdict = verdict
        self.rule_version = rule_version
        self.round_id = round_id
        self.counts = {"satisfied": satisfied, "basically_satisfied": basic, "unsatisfied": unsatisfied}


moved("services.evaluation.domain", ProjectRating)  # stored before 2026-12 under the old module
