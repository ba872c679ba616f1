"""Reading a service's notification log, optionally only the topics a follower needs.

A follower (the read-model updater, the outbox relay) that handles few of the event types a
service records should not decode the others. With ``topics`` the read is bounded by the log's
current end, read first: every notification up to it has been committed (ids are assigned in
commit order), so when fewer than ``limit`` relevant ones come back the follower may move its
position to that end without skipping anything.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from shared.kernel.topics import legacy_topics


def next_batch(
    recorder: Any, position: int, limit: int, topics: Sequence[str] | None, *, rows: bool = False
) -> tuple[list[Any], int]:
    """Notifications after ``position`` and the position to record once they are handled. With
    ``rows``, as the recorder's plain tuples (``select_rows``: the id first) instead."""

    def select(stop: int | None, wanted: list[str]) -> list[Any]:
        if rows:
            return list(recorder.select_rows(position, limit, stop, wanted))
        return list(recorder.select_notifications(position, limit, stop, wanted, inclusive_of_start=False))

    def last_id(found: list[Any]) -> int:
        return int(found[-1][0] if rows else found[-1].id)

    if not topics:
        found = select(None, [])
        return found, last_id(found) if found else position
    end = recorder.max_notification_id() or 0
    if end <= position:
        return [], position
    found = select(end, list(topics))
    return found, last_id(found) if len(found) == limit else end


def event_topics(*handled: type) -> tuple[str, ...]:
    """Stored topics of the given event classes; an aggregate class stands for all of its events.
    Events stored before their module moved are stored under older topics: those are included."""
    topics: set[str] = set()
    for cls in handled:
        if issubclass(cls, Aggregate):
            topics.update(
                get_topic(attr)
                for attr in (getattr(cls, name) for name in dir(cls))
                if isinstance(attr, type) and issubclass(attr, cls.Event)
            )
        else:
            topics.add(get_topic(cls))
    return tuple(sorted(topics | {old for topic in topics for old in legacy_topics(topic)}))


def all_event_classes(bases: Iterable[type]) -> set[type]:
    """Every subclass (at any depth) of the given event classes, and themselves."""
    seen: set[type] = set()
    todo = list(bases)
    while todo:
        cls = todo.pop()
        if cls not in seen:
            seen.add(cls)
            todo.extend(cls.__subclasses__())
    return seen


async def follow(
    stopping: asyncio.Event,
    step: Callable[[], Awaitable[int]],
    *,
    batch: int,
    poll_seconds: float,
    wakeup: asyncio.Event,
    retry: Callable[[Exception], None],
    gather_seconds: float = 0.0,
) -> None:
    """The loop of every log follower: ``step`` until ``stopping``; after a short step (fewer than
    ``batch`` handled) wait for ``wakeup`` or ``poll_seconds``; after a failure, ``retry(exc)`` and
    back off (0.5 s doubling to 10 s).

    ``gather_seconds``: after a step that handled something, the next one starts no sooner than this
    long after it began, wake-ups or not. A save on a quiet day is handled at once (the step before
    it handled nothing); saves that come one after another are handled together, one step for all
    that came in the meantime, instead of one step each competing with the requests still coming."""
    backoff = 0.5
    loop = asyncio.get_running_loop()
    while not stopping.is_set():
        wakeup.clear()  # before the step: a save during the step wakes the next one (cleared after, it was lost)
        began = loop.time()
        try:
            handled = await step()
            backoff = 0.5
        except Exception as exc:  # noqa: BLE001 - the store or the broker is unavailable: retried
            retry(exc)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 10.0)
            continue
        if handled >= batch:
            continue
        if handled and gather_seconds > 0:
            rest = began + gather_seconds - loop.time()
            if rest > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stopping.wait(), timeout=rest)
            if stopping.is_set():
                break
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wakeup.wait(), timeout=poll_seconds)
