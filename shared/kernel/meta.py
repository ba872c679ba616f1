"""Who did it, for which county, when (business time) and why: carried by every domain event.

Two times for every event (bitemporal): ``occurred_at`` is the business time the event is about;
the store records when it was written (the event's ``timestamp``). They are the same moment unless
an official entered it afterwards and declared when it happened (``entered_late``: 补录).

Pure value object (stdlib only), so every service's domain can use it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol
from uuid import UUID


@dataclass(frozen=True)
class Meta:
    county: str
    actor_role: str
    actor_id: str
    occurred_at: datetime
    correlation_id: str = ""
    causation_id: str = ""
    reason: str = ""
    actor_name: str = ""  # an official's name as their login gave it (never a resident's: that is personal data)
    # True when ``occurred_at`` was declared by the actor for an entry made after the fact (补录), not
    # taken from the clock: the event's recorded time says when it was entered.
    entered_late: bool = False

    def because(self, reason: str) -> Meta:
        return replace(self, reason=reason)

    def caused_by(self, causation_id: str) -> Meta:
        return replace(self, causation_id=causation_id)


def is_county_code(value: str) -> bool:
    """A 6-digit 行政区划代码 (administrative division code)."""
    return len(value) == 6 and value.isdigit()


class RuleViolation(ValueError):
    """A command refused by a domain rule. HTTP answers 409 with the reason; on the bus the
    message is dead-lettered with it. ``reason``: a machine-readable code (``rule_violation`` unless
    a rule names its own)."""

    reason = "rule_violation"

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        if reason is not None:
            self.reason = reason


class Recorded(Protocol):
    """What every one of our domain events carries: the aggregate it belongs to, and its ``Meta``."""

    @property
    def originator_id(self) -> UUID: ...

    @property
    def meta(self) -> Meta: ...
