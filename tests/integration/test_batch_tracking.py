"""Batch tracking, on both backends: a batch of inbound messages is recorded with one tracking
row per message, atomically with the events it caused; a position already recorded is
recognised, even when positions arrive out of order; and read models fold and rebuild the
same way on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

import pytest
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import (
    InfrastructureFactory,
    IntegrityError,
    StoredEvent,
    Tracking,
)
from eventsourcing.utils import Environment

from shared.persistence.application import Inbound, ServiceApplication, UnitOfWork
from shared.views.store import ViewStore, ViewTx
from shared.views.updater import ViewUpdater

COUNTY = "440781"


# --- the recorder's extensions ---------------------------------------------------------------


Recorder = Any  # our process recorder: a ProcessRecorder and a BatchTrackingRecorder


@pytest.fixture
def recorder(backend_env: dict[str, str]) -> Iterator[Recorder]:
    """The recorder a service's application gets, on an empty store."""
    factory = InfrastructureFactory.construct(Environment("BatchTracking", backend_env))
    try:
        yield factory.process_recorder()
    finally:
        factory.close()


def new_events(count: int) -> list[StoredEvent]:
    originator_id = uuid4()
    return [StoredEvent(originator_id, version, "topic", b"state") for version in range(1, count + 1)]


def test_a_batch_records_every_position_with_its_events(recorder: Recorder) -> None:
    events = new_events(2)

    ids = recorder.insert_events(events, trackings=[Tracking("S", 3), Tracking("S", 7)])

    assert len(ids) == 2
    assert recorder.select_events(events[0].originator_id) == events
    assert recorder.tracked_ids("S", [1, 3, 5, 7]) == {3, 7}
    assert recorder.max_tracking_id("S") == 7


def test_tracked_ids_are_exactly_the_recorded_positions_of_that_stream(recorder: Recorder) -> None:
    recorder.insert_events(new_events(1), trackings=[Tracking("S", n) for n in range(1, 1200, 2)])
    recorder.insert_events([], trackings=[Tracking("T", 2)])

    assert recorder.tracked_ids("S", range(1, 1201)) == set(range(1, 1200, 2))  # beyond one query chunk
    assert recorder.tracked_ids("S", [2, 4, 2400]) == set()
    assert recorder.tracked_ids("T", [1, 2, 3]) == {2}
    assert recorder.tracked_ids("S", []) == set()


@pytest.mark.parametrize("event_count", [2, 0], ids=["with-events", "tracking-only"])
@pytest.mark.parametrize("positions", [(8, 3), (3, 8), (8, 8)], ids=["repeat-last", "repeat-first", "repeat-within"])
def test_a_batch_repeating_a_recorded_position_is_rejected_whole(
    recorder: Recorder, positions: tuple[int, int], event_count: int
) -> None:
    recorder.insert_events(new_events(1), trackings=[Tracking("S", 3)])
    before = recorder.max_notification_id()
    batch = new_events(event_count)

    with pytest.raises(IntegrityError):
        recorder.insert_events(batch, trackings=[Tracking("S", n) for n in positions])

    assert recorder.max_notification_id() == before
    if batch:
        assert recorder.select_events(batch[0].originator_id) == []
    assert recorder.tracked_ids("S", [3, 8]) == {3}
    # The recorder is still usable, and the fresh position can be recorded afterwards.
    recorder.insert_events(new_events(1), trackings=[Tracking("S", 8)])
    assert recorder.tracked_ids("S", [3, 8]) == {3, 8}


# --- ServiceApplication.process_batch --------------------------------------------------------


class Tally(Aggregate):
    """Counts amounts per name, remembering which stream positions it counted."""

    @event("Opened")
    def __init__(self, name: str) -> None:
        self.name = name
        self.total = 0
        self.counted: list[int] = []

    @classmethod
    def create_id(cls, name: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"shishi-test:tally:{name}")

    @event("Counted")
    def count(self, sequence: int, amount: int) -> None:
        self.total += amount
        self.counted.append(sequence)


class Poison(ValueError):
    pass


class TallyApplication(ServiceApplication):
    def receive(self, *messages: Inbound) -> None:
        self.process_batch(messages, self.handle)

    @staticmethod
    def handle(uow: UnitOfWork, message: Inbound) -> None:
        name, amount = message.body
        if amount < 0:
            raise Poison(f"negative amount at {message.sequence}")
        tally = uow.find(Tally.create_id(name)) or uow.add(Tally(name))
        tally.count(message.sequence, amount)

    def tally(self, name: str) -> Tally:
        return self.repository.get(Tally.create_id(name))


def inbound(sequence: int, name: str = "a", stream: str = "S") -> Inbound:
    return Inbound(stream, sequence, (name, sequence * 10))


@pytest.fixture
def app(backend_env: dict[str, str]) -> Iterator[TallyApplication]:
    application = TallyApplication(env=backend_env)
    try:
        yield application
    finally:
        application.close()


def test_positions_arriving_out_of_order_are_each_applied_once(
    app: TallyApplication, backend_env: dict[str, str]
) -> None:
    app.receive(inbound(5), inbound(3))  # out of order within a batch
    app.receive(inbound(4))  # below the highest position so far, never seen: applied
    app.receive(inbound(3), inbound(5), inbound(7))  # a redelivery with one new message
    app.receive(inbound(5), inbound(3))  # nothing new: nothing is saved

    assert app.tally("a").counted == [5, 3, 4, 7]
    assert app.tally("a").total == 190
    assert app.recorder.max_notification_id() == 5  # Opened + four Counted
    assert app.recorder.tracked_ids("S", range(1, 10)) == {3, 4, 5, 7}

    restarted = TallyApplication(env=backend_env)  # a redelivery after a restart
    try:
        restarted.receive(inbound(7), inbound(4), inbound(6))
        assert restarted.tally("a").counted == [5, 3, 4, 7, 6]
    finally:
        restarted.close()


def test_the_same_position_on_another_stream_is_another_message(app: TallyApplication) -> None:
    app.receive(inbound(3, stream="S"), inbound(3, stream="T"), inbound(4, name="b", stream="T"))
    app.receive(inbound(3, stream="T"))

    assert app.tally("a").counted == [3, 3]
    assert app.tally("b").counted == [4]
    assert app.recorder.tracked_ids("S", [3, 4]) == {3}
    assert app.recorder.tracked_ids("T", [3, 4]) == {3, 4}


def test_a_batch_whose_handling_fails_records_nothing(app: TallyApplication) -> None:
    app.receive(inbound(1))

    with pytest.raises(Poison):
        app.receive(inbound(2), Inbound("S", 3, ("a", -1)), inbound(4))

    assert app.tally("a").counted == [1]
    assert app.recorder.tracked_ids("S", [2, 3, 4]) == set()
    app.receive(inbound(2), inbound(4))
    assert app.tally("a").counted == [1, 2, 4]


# --- read models ----------------------------------------------------------------------------


def demand(demand_id: str, county: str, **fields: object) -> dict:
    return {"id": demand_id, "county": county, "title": "路灯坏了", **fields}


def test_view_store_keeps_documents_and_position_together(views: ViewStore) -> None:
    def submitted(tx: ViewTx) -> None:
        tx.put("demand", "d2", COUNTY, demand("d2", COUNTY, status="submitted"))
        tx.put("demand", "d1", COUNTY, demand("d1", COUNTY, status="submitted"))
        tx.put("demand", "d3", "440782", demand("d3", "440782", status="submitted"))

    assert views.position("views") == 0
    views.apply("views", 3, submitted)

    assert views.position("views") == 3
    assert views.get("demand", "d1") == demand("d1", COUNTY, status="submitted")
    assert views.get("demand", "missing") is None
    assert [d["id"] for d in views.list("demand", COUNTY)] == ["d1", "d2"]
    assert [d["id"] for d in views.list("demand")] == ["d1", "d2", "d3"]

    views.apply("views", 4, lambda tx: tx.update("demand", "d1", lambda d: d.update(status="accepted")))
    assert views.get("demand", "d1") == demand("d1", COUNTY, status="accepted")

    def fails(tx: ViewTx) -> None:
        tx.update("demand", "d2", lambda d: d.update(status="lost"))
        raise RuntimeError("projection bug")

    with pytest.raises(RuntimeError):
        views.apply("views", 5, fails)
    assert views.position("views") == 4
    assert views.get("demand", "d2") == demand("d2", COUNTY, status="submitted")

    dumped = views.dump()
    assert [(kind, doc_id, county) for kind, doc_id, county, _ in dumped] == [
        ("demand", "d1", COUNTY),
        ("demand", "d2", COUNTY),
        ("demand", "d3", "440782"),
    ]
    assert "路灯坏了" in dumped[0][3]

    views.clear()
    assert views.dump() == []
    assert views.position("views") == 0


def project_tallies(tx: ViewTx, domain_event: object) -> None:
    if isinstance(domain_event, Tally.Opened):
        tx.put(
            "tally",
            str(domain_event.originator_id),
            COUNTY,
            {"name": domain_event.name, "county": COUNTY, "total": 0, "counted": []},
        )
    elif isinstance(domain_event, Tally.Counted):

        def add(doc: dict) -> None:
            doc["total"] += domain_event.amount
            doc["counted"].append(domain_event.sequence)

        tx.update("tally", str(domain_event.originator_id), add)


def test_a_rebuilt_read_model_is_identical(app: TallyApplication, views: ViewStore) -> None:
    updater = ViewUpdater(app, views, project_tallies, batch=2)  # several catch-up rounds
    app.receive(inbound(1), inbound(2, name="b"), inbound(3))
    updater.catch_up()
    app.receive(inbound(5, name="c"), inbound(4))
    updater.catch_up()
    live, position = views.dump(), views.position(ViewUpdater.NAME)

    updater.rebuild()

    assert views.dump() == live
    assert views.position(ViewUpdater.NAME) == position == app.recorder.max_notification_id()
    assert views.get("tally", str(Tally.create_id("a"))) == {
        "name": "a",
        "county": COUNTY,
        "total": 80,
        "counted": [1, 3, 4],
    }
    by_id = sorted("abc", key=lambda name: str(Tally.create_id(name)))
    assert [doc["name"] for doc in views.list("tally", COUNTY)] == by_id


def test_a_follower_of_some_topics_moves_past_the_others_and_misses_nothing(backend_env) -> None:
    from eventsourcing.persistence import StoredEvent

    from shared.persistence.notifications import next_batch

    app = ServiceApplication(env=backend_env)
    recorder = app.recorder
    topics = ["wanted"]
    events = [
        StoredEvent(originator_id=uuid4(), originator_version=1, topic=t, state=b"{}")
        for t in ["other", "wanted", "other", "other", "wanted", "other"]
    ]
    recorder.insert_events(events)
    found, position = next_batch(recorder, 0, 1, topics)  # a full batch: stop at the last one returned
    assert [n.topic for n in found] == ["wanted"] and position == found[-1].id
    found, position = next_batch(recorder, position, 10, topics)  # the rest, then the log's end
    assert [n.topic for n in found] == ["wanted"] and position == recorder.max_notification_id()
    assert next_batch(recorder, position, 10, topics) == ([], position)
    recorder.insert_events([StoredEvent(originator_id=uuid4(), originator_version=1, topic="wanted", state=b"{}")])
    found, _ = next_batch(recorder, position, 10, topics)
    assert len(found) == 1
