"""Time travel: an aggregate (or a service's read models) as of any past moment, and the
history of an object — who did what, when and why.

"When" is business time (``basis="business"``, the default: ``Meta.occurred_at``, the moment the
event is about) or recorded time (``basis="recorded"``: the event's ``timestamp``, when the store
wrote it). They differ for entries made after the fact (``Meta.entered_late``, 补录). ``"occurred"``
is the older name of ``"business"`` and still accepted. A bare date means the end of that day in
China time (Asia/Shanghai), so "project X on 2025-06-30" includes everything done that day.
Aggregates are replayed from the store's own index (originator id, version): one aggregate's
events, whatever the store's size.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any, Literal
from uuid import UUID

from shared.views.store import ViewStore
from shared.web.templating import CHINA

Basis = Literal["business", "recorded", "occurred"]  # "occurred": the older name of "business"
BASES = ("business", "recorded")
PERSONAL = ("name", "phone", "address")
WITHHELD = "[personal data withheld]"


def parse_moment(text: str) -> datetime:
    """ISO 8601 date or date-time; naive times are China time; a date is the end of that day."""
    text = text.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime.combine(day, time.max, tzinfo=CHINA)
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"not an ISO 8601 date or time: {text!r}") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=CHINA)


def basis_name(basis: str) -> Literal["business", "recorded"]:
    """``business`` or ``recorded`` (``occurred`` is read as ``business``)."""
    return "recorded" if basis == "recorded" else "business"


def event_time(event: Any, basis: Basis) -> datetime | None:
    if basis == "recorded":
        return event.timestamp
    meta = getattr(event, "meta", None)
    return getattr(meta, "occurred_at", None) or event.timestamp


def jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return jsonable(dataclasses.asdict(value))
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (UUID, Decimal)):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def redacted_fields(cls: type) -> tuple[str, ...]:
    """Personal details an audit view never shows: declared by ``AUDIT_REDACTED`` on the aggregate
    class, else name/phone/address on any resident-contact aggregate."""
    declared = getattr(cls, "AUDIT_REDACTED", None)
    if declared is not None:
        return tuple(declared)
    return PERSONAL if "Contact" in cls.__name__ or "Resident" in cls.__name__ else ()


def _outer(event: Any) -> type:
    cls = type(event)
    owner_name = cls.__qualname__.split(".")[0]
    module = __import__(cls.__module__, fromlist=[owner_name])
    return getattr(module, owner_name, cls)


def state_of(aggregate: Any) -> dict:
    hidden = set(redacted_fields(type(aggregate)))
    state = {}
    for key, value in vars(aggregate).items():
        if key.startswith("_") or key == "pending_events":
            continue
        state[key] = WITHHELD if key in hidden and value else jsonable(value)
    return {
        "id": str(aggregate.id),
        "type": type(aggregate).__name__,
        "version": aggregate.version,
        "created_on": jsonable(aggregate.created_on),
        "modified_on": jsonable(aggregate.modified_on),
        "state": state,
    }


def live_summary(app: Any, aggregate: Any) -> dict[str, Any] | None:
    """What the service says of an object beyond its events (an open ballot box: how many ballots are
    in it, never which), from its application's ``audit_summary`` if it has one."""
    summary = getattr(app, "audit_summary", None)
    return summary(aggregate) if summary is not None and aggregate is not None else None


def domain_events(app: Any, aggregate_id: UUID) -> list[Any]:
    return [app.mapper.to_domain_event(s) for s in app.recorder.select_events(aggregate_id)]


def replay(events: list[Any], as_of: datetime | None, basis: Basis = "business") -> Any:
    """Fold the events up to ``as_of`` (the first later event stops the replay)."""
    aggregate = None
    for event in events:
        when = event_time(event, basis)
        if as_of is not None and when is not None and when > as_of:
            break
        aggregate = event.mutate(aggregate)
    return aggregate


def aggregate_as_of(
    app: Any, aggregate_id: UUID, as_of: datetime | None, basis: Basis = "business"
) -> tuple[Any, list]:
    """(aggregate as of the moment or None if it did not exist yet, all its events)."""
    events = domain_events(app, aggregate_id)
    return (replay(events, as_of, basis) if events else None), events


def history_entry(event: Any) -> dict:
    meta = getattr(event, "meta", None)
    hidden = set(redacted_fields(_outer(event)))
    fields = {}
    for key, value in vars(event).items():
        if key in {"originator_id", "originator_version", "timestamp", "meta", "originator_topic"}:
            continue
        fields[key] = WITHHELD if key in hidden and value else jsonable(value)
    return {
        "version": event.originator_version,
        "event": type(event).__qualname__,
        "occurred_at": jsonable(getattr(meta, "occurred_at", None)),
        "recorded_at": jsonable(event.timestamp),
        "entered_late": bool(getattr(meta, "entered_late", False)),
        "actor_role": getattr(meta, "actor_role", ""),
        "actor_id": getattr(meta, "actor_id", ""),
        "actor_name": getattr(meta, "actor_name", ""),
        "reason": getattr(meta, "reason", ""),
        "correlation_id": getattr(meta, "correlation_id", ""),
        "county": getattr(meta, "county", None),
        "fields": fields,
    }


def views_as_of(
    app: Any,
    project: Any,
    as_of: datetime | None,
    basis: Basis = "business",
    county: str | None = None,
    batch: int = 2000,
) -> ViewStore:
    """A service's read models rebuilt in memory from the events up to ``as_of``."""
    views = ViewStore(sqlite_path=Path(":memory:"))
    position = 0
    while True:
        notifications = app.recorder.select_notifications(position, batch, None, (), inclusive_of_start=False)
        if not notifications:
            break
        events = [app.mapper.to_domain_event(n) for n in notifications]
        keep = []
        for event in events:
            when = event_time(event, basis)
            if as_of is not None and when is not None and when > as_of:
                continue
            if county is not None and getattr(getattr(event, "meta", None), "county", county) != county:
                continue
            keep.append(event)

        def fold(tx: Any, keep: list = keep) -> None:
            for event in keep:
                project(tx, event)

        views.apply("as_of", notifications[-1].id, fold)
        position = notifications[-1].id
        if len(notifications) < batch:
            break
    return views


def dashboard_as_of(views: ViewStore, county: str) -> dict[str, list[dict]]:
    """Every read-model document of ``county``, by kind."""
    kinds: dict[str, list[dict]] = {}
    for kind, _id, doc_county, doc in views.dump():
        if doc_county == county:
            kinds.setdefault(kind, []).append(json.loads(doc))
    return kinds
