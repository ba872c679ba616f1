"""What evaluation records from other services' published events, for its metrics: the ids of the
records (pure domain). Each metric is computed from events only: the year's adopted projects (decision's
``project-adopted``, ``adopted_project.py``), the votes declared at county, town and street sessions
(``vote-declared``, ``vote_record.py``) and residents' demands with their status changes (intake's
``demand-submitted`` / ``demand-routed`` / ``demand-status-changed``, ``demand_record.py``), each recorded as
evaluation's own events."""

from __future__ import annotations

from uuid import UUID, uuid5

NAMESPACE = UUID("6f5e4d3c-2b1a-4c9d-8e7f-0a1b2c3d4e5f")


def adopted_id_for(project_id: UUID) -> UUID:
    return uuid5(NAMESPACE, f"adopted:{project_id}")


def demand_record_id_for(demand_id: UUID) -> UUID:
    return uuid5(NAMESPACE, f"demand:{demand_id}")


def vote_record_id_for(session_id: UUID, round_no: int) -> UUID:
    return uuid5(NAMESPACE, f"vote:{session_id}:{round_no}")
