"""The raw ceiling: JetStream consume + one SQLite transaction per batch + JetStream publish.

No domain code, no event store, no envelope: the same broker, the same durability (nats-server
fsyncs every write; SQLite in WAL with synchronous FULL) and the same batch size as the real
consumer, so the real path can be quoted as a share of what the machine allows.

It is timed like the real path: the tickets are published while the consumer runs, from the
first publish to the last outbound message stored, so both phases carry the same publishing
load. ``measure_raw_drain`` times the consumer alone over tickets published beforehand (the
figure earlier versions of this benchmark called the raw ceiling); it is reported beside.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from pathlib import Path

from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from services.tools.bench.pacing import publish
from services.tools.bench.report import Phase
from shared.bus.streams import StreamSpec, ensure_streams

RAW_IN = StreamSpec("BENCHRAW", ("benchraw.in",))
RAW_OUT = StreamSpec("BENCHRAWOUT", ("benchraw.out",))
DURABLE = "bench-raw"
PUBLISH_WINDOW = 500


class RawStore:
    """A plain (seq, body) table with the durability the event store has."""

    def __init__(self, path: Path) -> None:
        for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            stale.unlink(missing_ok=True)  # an earlier run's WAL must not be replayed into a new file
        self._conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.execute("CREATE TABLE inbound (seq INTEGER PRIMARY KEY, body BLOB NOT NULL)")

    def insert(self, rows: list[tuple[int, bytes]]) -> None:
        self._conn.execute("BEGIN")
        self._conn.executemany("INSERT INTO inbound (seq, body) VALUES (?, ?)", rows)
        self._conn.execute("COMMIT")

    def count(self) -> int:
        return int(self._conn.execute("SELECT count(*) FROM inbound").fetchone()[0])

    def close(self) -> None:
        self._conn.close()


async def publish_all(js: JetStreamContext, subject: str, bodies: list[bytes], rate: float | None = None) -> None:
    await publish(js, subject, bodies, rate=rate, window=PUBLISH_WINDOW)


async def fresh_streams(js: JetStreamContext) -> None:
    """Start from empty streams, also when a kept --data-dir holds an earlier run."""
    for spec in (RAW_IN, RAW_OUT):
        with contextlib.suppress(NotFoundError):
            await js.delete_stream(spec.name)
    await ensure_streams(js, [RAW_IN, RAW_OUT])


async def consume(js: JetStreamContext, store: RawStore, total: int, *, batch: int) -> None:
    """Consume ``total`` messages: one insert per batch, publish each out, then ack the batch."""
    config = ConsumerConfig(
        durable_name=DURABLE,
        ack_policy=AckPolicy.EXPLICIT,
        deliver_policy=DeliverPolicy.ALL,
        filter_subject=RAW_IN.subjects[0],
        max_ack_pending=max(batch * 4, 1000),
    )
    sub = await js.pull_subscribe(RAW_IN.subjects[0], durable=DURABLE, stream=RAW_IN.name, config=config)
    out = RAW_OUT.subjects[0]
    done = 0
    try:
        while done < total:
            try:
                msgs = await sub.fetch(batch, timeout=5)
            except TimeoutError:
                continue  # the publisher is still on its way
            rows = [(m.metadata.sequence.stream, m.data) for m in msgs]
            await asyncio.to_thread(store.insert, rows)
            await asyncio.gather(
                *(js.publish(out, body, headers={"Nats-Msg-Id": f"bench-raw:{seq}"}) for seq, body in rows)
            )
            await asyncio.gather(*(m.ack() for m in msgs))
            done += len(msgs)
    finally:
        await sub.unsubscribe()


async def _timed(
    js: JetStreamContext,
    db_path: Path,
    bodies: list[bytes],
    *,
    batch: int,
    concurrent: bool,
    rate: float | None = None,
) -> Phase:
    await fresh_streams(js)
    if not concurrent:
        await publish_all(js, RAW_IN.subjects[0], bodies)
    store = RawStore(db_path)
    try:
        started = time.perf_counter()
        work = [consume(js, store, len(bodies), batch=batch)]
        if concurrent:
            work.append(publish_all(js, RAW_IN.subjects[0], bodies, rate))
        await asyncio.gather(*work)
        seconds = time.perf_counter() - started
        stored = store.count()
    finally:
        store.close()
    if stored != len(bodies):
        raise RuntimeError(f"raw phase stored {stored} of {len(bodies)} messages")
    for spec in (RAW_IN, RAW_OUT):  # nothing reads them again: free the server's memory and disk
        await js.delete_stream(spec.name)
    return Phase(events=len(bodies), seconds=seconds)


async def measure_raw(
    js: JetStreamContext, db_path: Path, bodies: list[bytes], *, batch: int, rate: float | None = None
) -> Phase:
    """Time publish -> consume -> insert -> publish -> ack, with the tickets published while it runs
    (as fast as the broker takes them, or offered at ``rate`` a second)."""
    return await _timed(js, db_path, bodies, batch=batch, concurrent=True, rate=rate)


async def measure_raw_drain(js: JetStreamContext, db_path: Path, bodies: list[bytes], *, batch: int) -> Phase:
    """Pre-publish ``bodies``, then time consume -> insert -> publish -> ack until all are through."""
    return await _timed(js, db_path, bodies, batch=batch, concurrent=False)
