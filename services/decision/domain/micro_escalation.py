"""A micro proposal over the per-item cap, escalated back to intake as a project suggestion (pure domain)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from shared.kernel.meta import Meta
from shared.kernel.topics import moved


class MicroEscalation(Aggregate):
    """A micro proposal over the cap, sent back to intake as a project suggestion (no tier left stranded)."""

    # Events: the fields of each are the arguments of the method that records it.
    class Escalated(Aggregate.Created):
        meta: Meta
        year: int
        town: str
        name: str
        content: str
        implementing_body: str
        investment: Decimal
        deadline: date
        demand_ids: list[UUID]
        cap: Decimal
        rule_version: int
        reason: str

    @event(Escalated)
    def __init__(
        self,
        meta: Meta,
        year: int,
        town: str,
        name: str,
        content: str,
        implementing_body: str,
        investment: Decimal,
        deadline: date,
        demand_ids: list[UUID],
        cap: Decimal,
        rule_version: int,
        reason: str,
    ) -> None:
        self.county = meta.county
        self.year, self.town, self.name, self.content = year, town, name, content
        self.implementing_body, self.investment, self.deadline = implementing_body, investment, deadline
        self.demand_ids = list(demand_ids)
        self.cap, self.rule_version, self.reason = cap, rule_version, reason
        self.status = "escalated"


moved("services.decision.micro_funds", MicroEscalation)  # stored before 2026-12 under the old module
