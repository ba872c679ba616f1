"""The tracking-code index (pure domain): tracking code -> demand, so a resident follows a demand
without an account."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from services.intake.domain.demand import NAMESPACE
from shared.kernel.meta import Meta
from shared.kernel.topics import moved


def tracking_index_id(code: str) -> UUID:
    return uuid5(NAMESPACE, f"tracking:{code.upper()}")


class TrackingCode(Aggregate):
    """Index: tracking code -> demand, so a resident follows a demand without an account."""

    # Events: the fields of each are the arguments of the method that records it.
    class Issued(Aggregate.Created):
        meta: Meta
        code: str
        demand_id: UUID

    @staticmethod
    def create_id(code: str, **_: Any) -> UUID:
        return tracking_index_id(code)

    @event(Issued)
    def __init__(self, meta: Meta, code: str, demand_id: UUID) -> None:
        self.county = meta.county
        self.code = code
        self.demand_id = demand_id


moved("services.intake.domain", TrackingCode)  # stored before 2026-12 under the old module
