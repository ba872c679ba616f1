"""A county's rule set for one service, versioned as events (pure domain).

Every number users rely on (10% competitive margin, more than half, two-thirds, 30 days,
3 months, 24 hours, 100,000 CNY ...) is a default in a service's ``rules.py``; a county may
revise it, and every decision records the version it was made under.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from shared.kernel.meta import Meta, RuleViolation
from shared.kernel.topics import moved

NAMESPACE = UUID("1d3c5b7a-9e8f-4a6b-8c2d-0e1f2a3b4c5d")


def rulebook_id(service: str, county: str) -> UUID:
    return uuid5(NAMESPACE, f"rules:{service}:{county}")


class RuleBook(Aggregate):
    # Events: the fields of each are the arguments of the method that records it.
    class Opened(Aggregate.Created):
        service: str
        meta: Meta
        values: dict[str, Any]

    class Revised(Aggregate.Event):
        meta: Meta
        values: dict[str, Any]

    @staticmethod
    def create_id(service: str, meta: Meta, **_: Any) -> UUID:
        return rulebook_id(service, meta.county)

    @event(Opened)
    def __init__(self, service: str, meta: Meta, values: dict[str, Any]) -> None:
        self.service = service
        self.county = meta.county
        self.version = 1
        self.values = dict(values)
        self.history = [
            {
                "version": 1,
                "at": meta.occurred_at.isoformat(),
                "by": meta.actor_id,
                "by_name": meta.actor_name,
                "role": meta.actor_role,
                "reason": meta.reason,
                "values": dict(values),
            }
        ]

    def revise(self, meta: Meta, changes: dict[str, Any], defaults: dict[str, Any]) -> None:
        unknown = set(changes) - set(defaults)
        if unknown:
            raise RuleViolation(f"没有这条规则 / unknown rule(s): {', '.join(sorted(unknown))}", reason="unknown_rule")
        if not meta.reason:
            raise RuleViolation("修改规则须说明理由 / a rule change needs a reason", reason="reason_required")
        self._revised(meta=meta, values={**self.values, **changes})

    @event(Revised)
    def _revised(self, meta: Meta, values: dict[str, Any]) -> None:
        self.version += 1
        self.values = dict(values)
        self.history.append(
            {
                "version": self.version,
                "at": meta.occurred_at.isoformat(),
                "by": meta.actor_id,
                "by_name": meta.actor_name,
                "role": meta.actor_role,
                "reason": meta.reason,
                "values": dict(values),
            }
        )


moved("shared.rulebook", RuleBook)  # stored before 2026-12 under the old module
