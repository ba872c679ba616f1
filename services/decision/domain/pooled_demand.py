"""A resident's demand as decision sees it (pure domain): in the pool until a candidate absorbs it."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from shared.kernel.meta import Meta
from shared.kernel.topics import moved


class PooledDemand(Aggregate):
    """A resident's demand as decision sees it: available for a candidate until one absorbs it."""

    # Events: the fields of each are the arguments of the method that records it.
    class Pooled(Aggregate.Created):
        meta: Meta
        demand_id: UUID
        channel: str
        town: str
        category: str
        text: str

    class Used(Aggregate.Event):
        meta: Meta
        candidate_id: UUID

    @staticmethod
    def create_id(demand_id: UUID, **_: Any) -> UUID:
        return demand_id

    @event(Pooled)
    def __init__(self, meta: Meta, demand_id: UUID, channel: str, town: str, category: str, text: str) -> None:
        self.county = meta.county
        self.channel = channel
        self.town = town
        self.category = category
        self.text = text
        self.used_by: UUID | None = None

    @event(Used)
    def use(self, meta: Meta, candidate_id: UUID) -> None:
        self.used_by = candidate_id


moved("services.decision.domain", PooledDemand)  # stored before 2026-12 under the old module
