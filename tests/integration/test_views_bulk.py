"""Catching up a long backlog writes through a child process (``shared.views.bulk``), on SQLite
and PostgreSQL: the result is exactly the ordinary fold; a writer that dies leaves the store at
a prefix of the log and the next catch-up completes it; another process folding meanwhile stops
the bulk run without losing or doubling anything; an in-memory store never uses a child."""

from __future__ import annotations

import asyncio
import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shared.persistence.application import Inbound
from shared.persistence.notifications import next_batch
from shared.views import bulk as views_bulk
from shared.views import log as views_log
from shared.views.bulk import BulkWriteFailed, BulkWriter, LogReader
from shared.views.store import ViewStore
from shared.views.updater import ViewUpdater
from tests.integration.test_batch_tracking import TallyApplication, project_tallies

TALLIES, ROUNDS = 12, 9


@pytest.fixture
def app(backend_env: dict[str, str]) -> Iterator[TallyApplication]:
    application = TallyApplication(env=backend_env)
    fill(application, 0)
    try:
        yield application
    finally:
        application.close()


def fill(app: TallyApplication, start: int) -> int:
    """Every tally counted once per round, so each document changes in many batches."""
    sequence = start
    for _ in range(ROUNDS):
        batch = []
        for tally in range(TALLIES):
            sequence += 1
            batch.append(Inbound("S", sequence, (f"t{tally}", sequence)))
        app.receive(*batch)
    return sequence


def ordinary_fold(app: TallyApplication, up_to: int | None = None) -> list:
    """The read model folded one notification at a time in memory, to ``up_to`` (default: the end)."""
    store = ViewStore(sqlite_path=Path(":memory:"))
    updater = ViewUpdater(app, store, project_tallies, batch=1, bulk_min=None)
    try:
        end = app.recorder.max_notification_id() if up_to is None else up_to
        while store.position(ViewUpdater.NAME) < end:
            updater.catch_up_once()
        return store.dump()
    finally:
        store.close()


def bulk_updater(app: TallyApplication, views: ViewStore) -> ViewUpdater:
    updater = ViewUpdater(app, views, project_tallies, batch=4, bulk_min=20)
    updater.BULK_BATCH = 7  # many batches, each document written by several of them
    return updater


def started(monkeypatch: pytest.MonkeyPatch, cls: type) -> list:
    """Every instance of ``cls`` (a child process) made while the test runs."""
    made: list = []
    original = cls.__init__

    def spy(self: Any, *args: Any) -> None:
        original(self, *args)
        made.append(self)

    monkeypatch.setattr(cls, "__init__", spy)
    return made


@pytest.fixture
def writers(monkeypatch: pytest.MonkeyPatch) -> list[BulkWriter]:
    """Every writer process started."""
    return started(monkeypatch, BulkWriter)


@pytest.fixture
def readers(monkeypatch: pytest.MonkeyPatch) -> list[LogReader]:
    """Every log-reader process started."""
    return started(monkeypatch, LogReader)


def test_a_bulk_catch_up_is_exactly_the_ordinary_fold(
    app: TallyApplication, views: ViewStore, writers: list[BulkWriter], readers: list[LogReader]
) -> None:
    updater = bulk_updater(app, views)
    total = app.recorder.max_notification_id()
    assert total >= 100

    updater.catch_up()

    assert len(writers) == 1 and writers[0].process.returncode == 0
    assert len(readers) == 1 and readers[0].process.returncode == 0  # a file or PostgreSQL: read by a child
    assert views.dump() == ordinary_fold(app)
    assert views.position(ViewUpdater.NAME) == total
    assert views.get("tally", str(app.tally("t0").id))["counted"] == app.tally("t0").counted

    app.receive(Inbound("S", 10_000, ("t1", 5)))  # a short backlog: folded in this process
    updater.catch_up()
    assert len(writers) == 1
    assert views.dump() == ordinary_fold(app)


def writer_dying_at_the_fourth_batch(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    original, sent = BulkWriter.send, []

    def send_then_die(self: BulkWriter, after: int, position: int, rows: list) -> None:
        sent.append(position)
        if len(sent) == 4:
            self.process.kill()
            self.process.wait()
        original(self, after, position, rows)

    monkeypatch.setattr(BulkWriter, "send", send_then_die)
    return sent


def test_a_writer_that_dies_leaves_a_prefix_and_the_next_catch_up_completes_it(
    app: TallyApplication, views: ViewStore, writers: list[BulkWriter], monkeypatch: pytest.MonkeyPatch
) -> None:
    original = BulkWriter.send
    sent = writer_dying_at_the_fourth_batch(monkeypatch)
    updater = bulk_updater(app, views)

    with pytest.raises(BulkWriteFailed, match="writer process"):
        views_bulk.fold_in_bulk(updater, 7)

    position = views.position(ViewUpdater.NAME)
    assert position in sent[:3]  # every confirmed batch is written, whole; none after
    assert views.dump() == ordinary_fold(app, up_to=position)

    monkeypatch.setattr(BulkWriter, "send", original)
    updater.catch_up()
    assert views.dump() == ordinary_fold(app)


def test_when_the_writer_fails_catching_up_folds_in_this_process_instead(
    app: TallyApplication, views: ViewStore, writers: list[BulkWriter], monkeypatch: pytest.MonkeyPatch
) -> None:
    writer_dying_at_the_fourth_batch(monkeypatch)

    bulk_updater(app, views).catch_up()  # a service starting up does not fail for it

    assert len(writers) == 1 and views.dump() == ordinary_fold(app)


def test_another_process_folding_meanwhile_stops_the_bulk_run_without_loss(
    app: TallyApplication, views: ViewStore, writers: list[BulkWriter], monkeypatch: pytest.MonkeyPatch
) -> None:
    other_store = views.peer()
    other = ViewUpdater(app, other_store, project_tallies, batch=5, bulk_min=None)
    original_send, original_confirm, outcomes = BulkWriter.send, BulkWriter.confirm, []

    def send_after_another_fold(self: BulkWriter, after: int, position: int, rows: list) -> None:
        if not outcomes and not getattr(self, "raced", False):
            self.raced = True
            other.catch_up_once()  # e.g. a page folding its own request, in the service process
        original_send(self, after, position, rows)

    def recorded_confirm(self: BulkWriter) -> bool:
        outcomes.append(original_confirm(self))
        return outcomes[-1]

    monkeypatch.setattr(BulkWriter, "send", send_after_another_fold)
    monkeypatch.setattr(BulkWriter, "confirm", recorded_confirm)
    try:
        written = views_bulk.fold_in_bulk(bulk_updater(app, views), 7)
        assert outcomes and outcomes[0] is False  # refused: the position had moved
        assert written == 0 and len(outcomes) == 2  # it stopped after the refused batch
        assert views.position(ViewUpdater.NAME) == 5  # the other's fold, untouched
        bulk_updater(app, views).catch_up()
    finally:
        other_store.close()
    assert views.dump() == ordinary_fold(app)


def test_a_log_in_memory_is_read_here_and_written_by_the_child(
    views: ViewStore, writers: list[BulkWriter], readers: list[LogReader]
) -> None:
    in_memory = TallyApplication(
        env={"PERSISTENCE_MODULE": "shared.persistence.sqlite:ShishiSQLiteFactory", "SQLITE_DBNAME": ":memory:"}
    )
    try:
        fill(in_memory, 0)
        assert views_bulk.log_source(in_memory, 0, 7, None) is None
        bulk_updater(in_memory, views).catch_up()
        assert len(writers) == 1 and readers == []
        assert views.dump() == ordinary_fold(in_memory)
    finally:
        in_memory.close()


def test_a_log_reader_that_fails_leaves_the_reading_to_this_process(
    app: TallyApplication,
    views: ViewStore,
    writers: list[BulkWriter],
    readers: list[LogReader],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    original = views_bulk.log_source

    def unreadable(*args: Any) -> dict | None:
        source = original(*args)
        assert source is not None
        return {**source, "env": {**source["env"], "PERSISTENCE_MODULE": "no.such.module"}}

    monkeypatch.setattr(views_bulk, "log_source", unreadable)
    written = views_bulk.fold_in_bulk(bulk_updater(app, views), 7)  # the same run, still in bulk

    assert written == app.recorder.max_notification_id() and views.dump() == ordinary_fold(app)
    assert len(writers) == 1 and len(readers) == 1 and readers[0].process.returncode == 1


def test_a_reader_still_sending_when_the_run_stops_ends_quietly(
    app: TallyApplication, views: ViewStore, readers: list[LogReader]
) -> None:
    sequence = fill(app, 1000)
    for start in range(0, 120):  # a log larger than the pipes' buffers (2 MiB): the reader is blocked sending
        batch = [Inbound("S", sequence + start * 200 + i, (f"big{start}-{i % 4}", i)) for i in range(1, 201)]
        app.receive(*batch)
    answers = iter([False, False])

    written = views_bulk.fold_in_bulk(bulk_updater(app, views), 7, stop=lambda: next(answers, True))

    assert written == 14 and views.dump() == ordinary_fold(app, up_to=14)
    assert len(readers) == 1 and readers[0].process.returncode == 0  # a broken pipe is its normal end


def test_the_logs_rows_cross_the_pipe_as_the_recorder_stores_them(app: TallyApplication) -> None:
    notifications, end = next_batch(app.recorder, 3, 50, None)
    columns, after = views_log.read_batch(app.recorder, 3, 50, None)
    assert after == end
    rows = views_log.unpack_rows(*pickle.loads(pickle.dumps(columns)))
    assert [(r.id, r.originator_id, r.originator_version, r.topic, bytes(r.state)) for r in rows] == [
        (n.id, n.originator_id, n.originator_version, n.topic, bytes(n.state)) for n in notifications
    ]
    assert [app.mapper.to_domain_event(r) for r in rows] == [app.mapper.to_domain_event(n) for n in notifications]
    empty, at = views_log.read_batch(app.recorder, end + 10**6, 50, ["x"])
    assert views_log.unpack_rows(*empty) == [] and at == end + 10**6


def test_an_in_memory_store_is_folded_in_this_process(app: TallyApplication, writers: list[BulkWriter]) -> None:
    store = ViewStore(sqlite_path=Path(":memory:"))
    try:
        bulk_updater(app, store).catch_up()
        assert writers == []
        assert store.dump() == ordinary_fold(app)
    finally:
        store.close()


def test_stopping_ends_a_bulk_run_after_the_batches_sent(
    app: TallyApplication, views: ViewStore, writers: list[BulkWriter]
) -> None:
    answers = iter([False, False])  # two batches, then the service is stopping

    written = views_bulk.fold_in_bulk(bulk_updater(app, views), 7, stop=lambda: next(answers, True))

    assert written == 14 and views.position(ViewUpdater.NAME) == 14
    assert views.dump() == ordinary_fold(app, up_to=14)
    assert writers[0].process.returncode == 0


def test_the_follower_catches_a_long_backlog_up_in_bulk_then_follows_batch_by_batch(
    app: TallyApplication, views: ViewStore, writers: list[BulkWriter]
) -> None:
    updater = bulk_updater(app, views)

    async def follow() -> None:
        stopping = asyncio.Event()
        task = asyncio.create_task(updater.run(stopping))
        try:
            for _ in range(2):
                end = app.recorder.max_notification_id()
                for _ in range(500):
                    if views.position(ViewUpdater.NAME) == end:
                        break
                    await asyncio.sleep(0.02)
                assert views.position(ViewUpdater.NAME) == end
                app.receive(Inbound("S", 10_000, ("t2", 3)))  # one more: a short backlog
                updater.nudge()
        finally:
            stopping.set()
            await task

    asyncio.run(follow())

    assert len(writers) == 1  # the long backlog only
    assert views.dump() == ordinary_fold(app)
