"""A resident's demand and its status changes, recorded for the reply and solved rates (pure domain)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.evaluation.domain.ledger import demand_record_id_for
from shared.kernel.meta import Meta
from shared.kernel.topics import moved


class DemandRecord(Aggregate):
    """A resident's demand and the statuses intake published for it, with their business times."""

    # Events: the fields of each are the arguments of the method that records it.
    class Recorded(Aggregate.Created):
        meta: Meta
        demand_id: UUID
        channel: str
        town: str
        category: str
        submitted_at: datetime

    class Routed(Aggregate.Event):
        meta: Meta
        kind: str
        tier: str
        scope: str

    class StatusSeen(Aggregate.Event):
        meta: Meta
        status: str
        note: str

    @staticmethod
    def create_id(demand_id: UUID, **_: Any) -> UUID:
        return demand_record_id_for(demand_id)

    @event(Recorded)
    def __init__(
        self, meta: Meta, demand_id: UUID, channel: str, town: str, category: str, submitted_at: datetime
    ) -> None:
        self.county = meta.county
        self.demand_id = demand_id
        self.statuses: list[str] = []

    def routed(self, meta: Meta, kind: str, tier: str, scope: str) -> None:
        """Triage's routing (the latest one counts: an escalation moves the tier up)."""
        self._routed(meta=meta, kind=kind, tier=tier, scope=scope)

    @event(Routed)
    def _routed(self, meta: Meta, kind: str, tier: str, scope: str) -> None:
        pass

    def status_seen(self, meta: Meta, status: str, note: str) -> None:
        self._status_seen(meta=meta, status=status, note=note)

    @event(StatusSeen)
    def _status_seen(self, meta: Meta, status: str, note: str) -> None:
        self.statuses.append(status)


moved("services.evaluation.ledger", DemandRecord)  # stored before 2026-12 under the old module
