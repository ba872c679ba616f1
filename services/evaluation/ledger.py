"""What evaluation records from other services' published events, for its metrics (pure domain).

Each metric is computed from events only: the year's adopted projects (decision's
``project-adopted``), the votes declared at county, town and street sessions (``vote-declared``)
and residents' demands with their status changes (intake's
``demand-submitted`` / ``demand-routed`` / ``demand-status-changed``) are recorded here as evaluation's own events.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from shared.meta import Meta

NAMESPACE = UUID("6f5e4d3c-2b1a-4c9d-8e7f-0a1b2c3d4e5f")


def adopted_id_for(project_id: UUID) -> UUID:
    return uuid5(NAMESPACE, f"adopted:{project_id}")


def demand_record_id_for(demand_id: UUID) -> UUID:
    return uuid5(NAMESPACE, f"demand:{demand_id}")


class AdoptedProject(Aggregate):
    """One of the year's projects as adopted (the denominator of the completion rate)."""

    @staticmethod
    def create_id(project_id: UUID, **_: Any) -> UUID:
        return adopted_id_for(project_id)

    @event("Recorded")
    def __init__(self, meta: Meta, project_id: UUID, year: int, tier: str, name: str, deadline: date) -> None:
        self.county = meta.county
        self.project_id = project_id


def vote_record_id_for(session_id: UUID, round_no: int) -> UUID:
    return uuid5(NAMESPACE, f"vote:{session_id}:{round_no}")


class VoteRecord(Aggregate):
    """A vote declared at a county, town or street session (decision's ``vote-declared``): the
    numerator of coverage (which towns/streets ran a vote)."""

    @staticmethod
    def create_id(session_id: UUID, round_no: int, **_: Any) -> UUID:
        return vote_record_id_for(session_id, round_no)

    @event("Recorded")
    def __init__(self, meta: Meta, session_id: UUID, round_no: int, year: int, level: str, town: str,
                 status: str) -> None:
        self.county = meta.county


class DemandRecord(Aggregate):
    """A resident's demand and the statuses intake published for it, with their business times."""

    @staticmethod
    def create_id(demand_id: UUID, **_: Any) -> UUID:
        return demand_record_id_for(demand_id)

    @event("Recorded")
    def __init__(self, meta: Meta, demand_id: UUID, channel: str, town: str, category: str,
                 submitted_at: datetime) -> None:
        self.county = meta.county
        self.demand_id = demand_id
        self.statuses: list[str] = []

    def routed(self, meta: Meta, kind: str, tier: str, scope: str) -> None:
        """Triage's routing (the latest one counts: an escalation moves the tier up)."""
        self._routed(meta=meta, kind=kind, tier=tier, scope=scope)

    @event("Routed")
    def _routed(self, meta: Meta, kind: str, tier: str, scope: str) -> None:
        pass

    def status_seen(self, meta: Meta, status: str, note: str) -> None:
        self._status_seen(meta=meta, status=status, note=note)

    @event("StatusSeen")
    def _status_seen(self, meta: Meta, status: str, note: str) -> None:
        self.statuses.append(status)
