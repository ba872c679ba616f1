"""The staff queue as a query over the demand read model (pure): filters, counts, and the order
in which work should be done — overdue consultations first, then consultations by deadline,
then the newest. ``now`` is passed in."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from services.intake.domain.rules import is_stranded
from services.intake.read.projections import DEMAND
from shared.views.paging import Paging, envelope
from shared.views.query import Condition, DocQuery
from shared.views.store import ViewStore

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


# -- the queue a page at a time, chosen and ordered by the read-model store ----------------------------------
FACETS = ("status", "kind", "tier", "channel", "town")


def filter_conditions(wanted: QueueFilter) -> tuple[Condition, ...]:
    conditions = [
        Condition(name, "=", value)
        for name in ("status", "category", "town", "channel", "kind", "tier")
        if (value := getattr(wanted, name)) not in (None, "")
    ]
    if wanted.text:
        conditions.append(Condition("text", "contains", wanted.text))
    if wanted.overdue:  # whether the deadline has passed is asked of each document (:func:`is_overdue`)
        conditions += [Condition("due_at", "is not null"), Condition("replied_at", "is null")]
    return tuple(conditions)


def queue_page(views: ViewStore, county: str, wanted: QueueFilter, now: datetime, paging: Paging) -> dict:
    """One page of the county's queue in the order of :func:`order_key`, with the total, the number of
    pages and the counts over the whole county. Demands awaiting a reply by a deadline (overdue first,
    then by deadline) come first, read whole (they are few: consultations not yet answered); the rest,
    newest first, a page at a time from the store. Same answer as :func:`queue` over every document."""
    conditions = filter_conditions(wanted)
    awaiting = DocQuery(
        DEMAND, county, (*conditions, Condition("due_at", "is not null"), Condition("replied_at", "is null"))
    )
    first = [d for d in views.select(awaiting) if wanted.matches(d, now)]
    first.sort(key=lambda d: order_key(d, now))
    rest = DocQuery(
        DEMAND,
        county,
        conditions,
        either=(Condition("due_at", "is null"), Condition("replied_at", "is not null")),
        order=(("submitted_at", True),),
    )
    rest_total = 0 if wanted.overdue else views.count(rest)
    total = len(first) + rest_total
    start, per_page = paging.offset, paging.limit
    items = first[start : start + per_page]
    if len(items) < per_page and rest_total:
        page_of_rest = replace(rest, limit=per_page - len(items), offset=max(0, start - len(first)))
        items += [d for d in views.select(page_of_rest) if wanted.matches(d, now)]
    return {"counts": facet_counts(views, county, now), **envelope([decorate(d, now) for d in items], total, paging)}


def facet_counts(views: ViewStore, county: str, now: datetime) -> dict:
    """:func:`counts` over the county's documents, reading only the fields counted."""
    out: dict[str, dict[str, int]] = {name: {} for name in FACETS}
    overdue = 0
    for row in views.fields(DocQuery(DEMAND, county), (*FACETS, "due_at", "replied_at")):
        for name, value in zip(FACETS, row, strict=False):
            key = value or "none"
            out[name][key] = out[name].get(key, 0) + 1
        status, due_at, replied_at = row[0], row[5], row[6]
        overdue += bool(due_at) and replied_at is None and status != "closed" and now > datetime.fromisoformat(due_at)
    out["overdue"] = {"overdue": overdue}
    return out
