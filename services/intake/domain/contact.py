"""A resident's contact details (name, phone, exact address), kept apart from the demand (pure domain).

The event store holds them only as ciphertext sealed with the resident's own key (see
``vault.py``); ``Erased`` records who erased them, when and why, after the key was destroyed.
They are never projected into read models nor published on NATS.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from shared.kernel.meta import Meta, RuleViolation
from shared.kernel.topics import moved

FIELDS = ("name", "phone", "address")


class ResidentContact(Aggregate):
    # Events: the fields of each are the arguments of the method that records it.
    class Sealed(Aggregate.Created):
        meta: Meta
        contact_id: UUID
        sealed: dict[str, Any]

    @staticmethod
    def create_id(contact_id: UUID, **_: Any) -> UUID:
        return contact_id  # chosen first: the vault's key is made for this id before the event exists

    @event(Sealed)
    def __init__(self, meta: Meta, contact_id: UUID, sealed: dict[str, Any]) -> None:
        unknown = set(sealed) - set(FIELDS)
        if unknown:
            raise RuleViolation(f"未知的联系方式字段 / unknown contact field(s): {', '.join(sorted(unknown))}")
        self.county = meta.county
        self.sealed = dict(sealed)
        self.erased = False
        self.erased_at = ""

    def erase(self, meta: Meta, demand_id: UUID) -> None:
        if self.erased:
            return
        if not meta.reason:
            raise RuleViolation("删除群众个人信息须说明理由 / erasing a resident's details needs a reason")
        self._erased(meta=meta, demand_id=demand_id)

    class Erased(Aggregate.Event):
        """The details were erased. ``demand_id``: the demand they were given with, so the read
        models mark it without an index from contacts to demands; None in events stored before it
        was recorded (version 1), whose demand the read models find by its ``contact_id``."""

        meta: Meta
        demand_id: UUID | None
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["demand_id"] = None

    @event(Erased)
    def _erased(self, meta: Meta, demand_id: UUID | None) -> None:
        self.erased = True
        self.erased_at = meta.occurred_at.isoformat()


moved("services.intake.residents", ResidentContact)  # stored before 2026-12 under the old module
