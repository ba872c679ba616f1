"""A project of the year as decision adopted it, recorded by evaluation for its metrics (pure domain)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.evaluation.domain.ledger import adopted_id_for
from shared.kernel.meta import Meta
from shared.kernel.topics import moved


class AdoptedProject(Aggregate):
    """One of the year's projects as adopted (the denominator of the completion rate)."""

    # Events: the fields of each are the arguments of the method that records it.
    class Recorded(Aggregate.Created):
        meta: Meta
        project_id: UUID
        year: int
        tier: str
        name: str
        deadline: date

    @staticmethod
    def create_id(project_id: UUID, **_: Any) -> UUID:
        return adopted_id_for(project_id)

    @event(Recorded)
    def __init__(self, meta: Meta, project_id: UUID, year: int, tier: str, name: str, deadline: date) -> None:
        self.county = meta.county
        self.project_id = project_id


moved("services.evaluation.ledger", AdoptedProject)  # stored before 2026-12 under the old module
