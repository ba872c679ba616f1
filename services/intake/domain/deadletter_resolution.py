"""Staff's resolution of a dead letter (死信): re-submitted after correction, or dismissed (pure domain)."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from services.intake.domain.demand import NAMESPACE
from shared.kernel.meta import Meta, RuleViolation
from shared.kernel.topics import moved


def resolution_id(county: str, sequence: int) -> UUID:
    return uuid5(NAMESPACE, f"deadletter:{county}:{sequence}")


class DeadLetterResolution(Aggregate):
    """Dead letter <sequence> of DEADLETTER was resolved: by whom, when, how."""

    # Events: the fields of each are the arguments of the method that records it.
    class Resolved(Aggregate.Created):
        meta: Meta
        sequence: int
        action: str
        subject: str
        note: str

    @staticmethod
    def create_id(meta: Meta, sequence: int, **_: Any) -> UUID:
        return resolution_id(meta.county, sequence)

    @event(Resolved)
    def __init__(self, meta: Meta, sequence: int, action: str, subject: str, note: str) -> None:
        if action not in ("resubmitted", "dismissed"):
            raise RuleViolation(f"未知的处理方式 / unknown resolution {action!r}")
        if action == "dismissed" and not meta.reason:
            raise RuleViolation("作废死信须说明理由 / dismissing a dead letter needs a reason")
        self.county = meta.county
        self.sequence = sequence
        self.action = action
        self.subject = subject
        self.note = note
        self.resolved_by = meta.actor_id
        self.resolved_at = meta.occurred_at.isoformat()
        self.reason = meta.reason


moved("services.intake.deadletters", DeadLetterResolution)  # stored before 2026-12 under the old module
