"""The staff queue as a query over the demand read model (pure): filters, counts, and the order
in which work should be done — overdue consultations first, then consultations by deadline,
then the newest. ``now`` is passed in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.intake.domain.rules import is_stranded

OPEN = ("received", "triaged", "routed", "escalated")


@dataclass(frozen=True)
class QueueFilter:
    status: str | None = None
    category: str | None = None
    town: str | None = None
    channel: str | None = None
    kind: str | None = None
    tier: str | None = None
    overdue: bool | None = None
    text: str | None = None

    def matches(self, doc: dict, now: datetime) -> bool:
        for name in ("status", "category", "town", "channel", "kind", "tier"):
            wanted = getattr(self, name)
            if wanted is not None and wanted != "" and doc.get(name) != wanted:
                return False
        if self.overdue is not None and is_overdue(doc, now) != self.overdue:
            return False
        return not self.text or self.text in doc["text"]


def is_overdue(doc: dict, now: datetime) -> bool:
    return (
        bool(doc.get("due_at"))
        and doc.get("replied_at") is None
        and doc["status"] != "closed"
        and now > datetime.fromisoformat(doc["due_at"])
    )


def decorate(doc: dict, now: datetime) -> dict:
    return {**doc, "overdue": is_overdue(doc, now)}


def order_key(doc: dict, now: datetime) -> tuple:
    overdue = is_overdue(doc, now)
    pending_due = doc.get("due_at") if doc.get("due_at") and doc.get("replied_at") is None else None
    newest_first = -datetime.fromisoformat(doc["submitted_at"]).timestamp()
    return (0 if overdue else 1 if pending_due else 2, pending_due or "", newest_first)


def counts(docs: list[dict], now: datetime) -> dict:
    out: dict[str, dict[str, int]] = {"status": {}, "kind": {}, "tier": {}, "channel": {}, "town": {}}
    for doc in docs:
        for name in out:
            key = doc.get(name) or "none"
            out[name][key] = out[name].get(key, 0) + 1
    out["overdue"] = {"overdue": sum(1 for d in docs if is_overdue(d, now))}
    return out


def queue(docs: list[dict], wanted: QueueFilter, now: datetime, limit: int) -> dict:
    matching = [d for d in docs if wanted.matches(d, now)]
    matching.sort(key=lambda d: order_key(d, now))
    return {"total": len(matching), "counts": counts(docs, now), "items": [decorate(d, now) for d in matching[:limit]]}


def stranded(docs: list[dict], now: datetime, rules: dict) -> list[dict]:
    found = []
    for doc in docs:
        why = is_stranded(doc, now, rules)
        if why:
            idle = (now - datetime.fromisoformat(doc["last_moved_at"])).days
            found.append({**doc, "stranded": why, "idle_days": idle})
    found.sort(key=lambda d: -d["idle_days"])
    return found


def overdue_unwarned(docs: list[dict], now: datetime) -> list[str]:
    return [d["id"] for d in docs if is_overdue(d, now) and not d.get("warned")]
