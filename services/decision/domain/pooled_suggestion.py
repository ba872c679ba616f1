"""A project suggestion from intake in decision's pool (pure domain): demands merged by staff, lineage kept."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from shared.kernel.meta import Meta
from shared.kernel.topics import moved


class PooledSuggestion(Aggregate):
    """A project suggestion from intake (共性问题形成建议): demands merged by staff, lineage kept."""

    # Events: the fields of each are the arguments of the method that records it.
    class Pooled(Aggregate.Created):
        meta: Meta
        suggestion_id: UUID
        title: str
        category: str
        towns: list[str]
        demand_ids: list[UUID]
        split_from: UUID | None

    class Split(Aggregate.Event):
        meta: Meta
        remaining_demand_ids: list[UUID]

    class Used(Aggregate.Event):
        meta: Meta
        candidate_id: UUID

    @staticmethod
    def create_id(suggestion_id: UUID, **_: Any) -> UUID:
        return suggestion_id

    @event(Pooled)
    def __init__(
        self,
        meta: Meta,
        suggestion_id: UUID,
        title: str,
        category: str,
        towns: list[str],
        demand_ids: list[UUID],
        split_from: UUID | None,
    ) -> None:
        self.county = meta.county
        self.title, self.category, self.towns = title, category, list(towns)
        self.demand_ids = list(demand_ids)
        self.split_from = split_from
        self.used_by: UUID | None = None

    @event(Split)
    def split(self, meta: Meta, remaining_demand_ids: list[UUID]) -> None:
        self.demand_ids = list(remaining_demand_ids)

    @event(Used)
    def use(self, meta: Meta, candidate_id: UUID) -> None:
        self.used_by = candidate_id


moved("services.decision.domain", PooledSuggestion)  # stored before 2026-12 under the old module
