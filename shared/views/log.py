"""Reading a service's notification log for a bulk catch-up (``shared.views.bulk``) in a process
of its own: the rows as stored, packed into columns (ids, originator ids, versions, topics, and
the states in one buffer) that cross a pipe for a fraction of what pickling the library's
notification objects costs, and the reader child's loop (``python -m shared.views.bulk read``).
"""

from __future__ import annotations

import pickle
from array import array
from collections.abc import Sequence
from itertools import accumulate
from typing import Any
from uuid import UUID

from shared.kernel.uuids import uuid_from_hex
from shared.persistence.notifications import next_batch


class StoredRow:
    """A notification as the fold reads it (the mapper's ``to_domain_event`` takes it as stored)."""

    __slots__ = ("id", "originator_id", "originator_version", "state", "topic")

    def __init__(self, id: int, originator_id: Any, originator_version: int, topic: str, state: bytes) -> None:
        self.id, self.originator_id, self.originator_version = id, originator_id, originator_version
        self.topic, self.state = topic, state


RowColumns = tuple[array, list[str], bool, array, list[str], array, bytes, array]


def pack_rows(rows: Sequence[tuple], uuids: bool) -> RowColumns:
    """Notifications as columns: ids, originator ids (32 hex digits when ``uuids``), versions,
    topics (an index into a table of the few distinct ones), and the states in one buffer with
    their lengths. ``rows``: (id, originator id, version, topic, state) tuples."""
    if not rows:
        return array("q"), [], uuids, array("q"), [], array("H"), b"", array("Q")
    ids, originators, versions, topics, states = zip(*rows, strict=True)
    table: dict[str, int] = {}
    indexes = array("H", [table.setdefault(topic, len(table)) for topic in topics])
    return (
        array("q", ids),
        list(originators),
        uuids,
        array("q", versions),
        list(table),
        indexes,
        b"".join(states),
        array("Q", map(len, states)),
    )


def read_batch(recorder: Any, position: int, limit: int, topics: Sequence[str] | None) -> tuple[RowColumns, int]:
    """The log reader's next batch, packed: read as plain rows where the recorder can
    (``select_rows``), else as the library's notifications."""
    if hasattr(recorder, "select_rows"):
        found, after = next_batch(recorder, position, limit, topics, rows=True)
        return pack_rows(found, recorder.stores_uuid_hex), after
    notifications, after = next_batch(recorder, position, limit, topics)
    uuids = bool(notifications) and isinstance(notifications[0].originator_id, UUID)
    return pack_rows(
        [
            (n.id, n.originator_id.hex if uuids else n.originator_id, n.originator_version, n.topic, n.state)
            for n in notifications
        ],
        uuids,
    ), after


def unpack_rows(
    ids: array,
    originators: list[str],
    uuids: bool,
    versions: array,
    topic_table: list[str],
    topics: array,
    states: bytes,
    lengths: array,
) -> list[StoredRow]:
    rows, start = [], 0
    convert = uuid_from_hex if uuids else str
    for id, originator, version, topic, end in zip(
        ids, originators, versions, topics, accumulate(lengths), strict=True
    ):
        rows.append(StoredRow(id, convert(originator), version, topic_table[topic], states[start:end]))
        start = end
    return rows


def log_source(app: Any, position: int, limit: int, topics: Sequence[str] | None) -> dict | None:
    """What the child needs to read ``app``'s log from ``position``, or None when only this process
    can (an event store in memory)."""
    env = dict(app.env)
    module = env.get(f"{app.env.name.upper()}_PERSISTENCE_MODULE", env.get("PERSISTENCE_MODULE")) or ""
    if "sqlite" in module.lower():
        dbname = env.get(f"{app.env.name.upper()}_SQLITE_DBNAME", env.get("SQLITE_DBNAME", ""))
        if not dbname or ":memory:" in dbname or "mode=memory" in dbname:
            return None
    elif "postgres" not in module.lower():
        return None  # the library's in-memory store (POPO) and anything we do not know
    for key in ("CREATE_TABLE", f"{app.env.name.upper()}_CREATE_TABLE"):
        env[key] = "n"  # a reader: no table, index or function statements against the live store
    for key in ("POSTGRES_POOL_SIZE", f"{app.env.name.upper()}_POSTGRES_POOL_SIZE"):
        env[key] = "1"
    return {
        "name": app.env.name,
        "env": env,
        "position": position,
        "limit": limit,
        "topics": list(topics) if topics else None,
    }


def read_log(out: Any, source: dict) -> int:
    """The reader child: the log from ``source["position"]``, batch after batch, until its end
    (sent as an empty batch), or until the parent stops reading (a broken pipe)."""
    from eventsourcing.persistence import InfrastructureFactory
    from eventsourcing.utils import Environment

    try:
        recorder = InfrastructureFactory.construct(Environment(source["name"], source["env"])).application_recorder()
        position = source["position"]
        while True:
            columns, after = read_batch(recorder, position, source["limit"], source["topics"])
            pickle.dump(("rows", position, after, columns), out, protocol=pickle.HIGHEST_PROTOCOL)
            out.flush()
            if after == position:
                return 0
            position = after
    except BrokenPipeError:
        return 0  # the parent stopped reading: the run is over
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which falls back to reading itself
        try:
            pickle.dump(("error", f"{type(exc).__name__}: {exc}"), out)
            out.flush()
        except OSError:
            pass  # the parent is gone
        return 1
