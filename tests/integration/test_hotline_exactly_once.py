"""The bus's promises on the real path (real nats-server; SQLite and PostgreSQL): a ticket delivered
twice has its effect once, a malformed one lands in the dead-letter stream with its reason,
a redelivery after a lost ack is recognised, and messages are applied in batches."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import nats
import pytest

from services.intake.domain.demand import Demand, hotline_demand_id
from services.intake.read.projections import DEMAND
from shared.bus.consumer import Consumer
from shared.bus.deadletter import list_deadletters
from shared.bus.streams import ensure_streams
from shared.config import Settings
from shared.contracts import HotlineTicket
from tests.fixtures.service import InProcessService

COUNTY = "440781"


def ticket(n: int, **overrides: object) -> bytes:
    data = HotlineTicket(
        ticket_id=f"T-{n}",
        county=COUNTY,
        received_at=datetime(2026, 3, 1, 9, tzinfo=UTC),
        category="roads",
        text=f"路灯坏了 {n}",
        town="台城街道",
        caller_name="王女士",
        caller_phone="13800000000",
    ).model_dump(mode="json")
    data.update(overrides)
    return json.dumps(data, ensure_ascii=False).encode()


async def eventually(predicate, timeout: float = 15.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await asyncio.to_thread(predicate)
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.1)


class IntakeHarness(InProcessService):
    """Intake as its composition root builds it, on the test's backend, its runtime started by the test."""

    def __init__(self, settings: Settings, nats_url: str) -> None:
        super().__init__("intake", settings.data_dir, base=settings, nats_url=nats_url, settings={"max_deliver": 3})

    def demands(self) -> list[dict]:
        return self.views.list(DEMAND, COUNTY)

    @property
    def hotline_consumer(self) -> Consumer:
        return next(c for c in self.runtime.consumers if c.stream == "HOTLINE")


@pytest.fixture
async def intake(backend_settings: Settings, fresh_nats):
    """The intake runtime on each event-store backend (SQLite, PostgreSQL) with a private nats-server."""
    harness = IntakeHarness(backend_settings, fresh_nats.url)
    await harness.runtime.start()
    nc = await nats.connect(fresh_nats.url)
    harness.nc, harness.js = nc, nc.jetstream()
    try:
        yield harness
    finally:
        await nc.drain()
        await harness.runtime.stop()


def fail_first(intake: IntakeHarness, times: int) -> None:
    """The next ``times`` batches fail with a transient error (then they apply as usual)."""
    real = intake.app.process_batch
    failures = {"left": times}

    def flaky(*args):
        if failures["left"]:
            failures["left"] -= 1
            raise OSError("database is locked")
        return real(*args)

    intake.app.process_batch = flaky


async def test_same_ticket_three_times_makes_one_demand(intake: IntakeHarness) -> None:
    for _ in range(3):  # no Nats-Msg-Id: three real deliveries, as a hotline re-sending would do
        await intake.js.publish("hotline.440781.tickets", ticket(1))
    await eventually(lambda: intake.hotline_consumer.stats.processed >= 3)
    assert len(intake.demands()) == 1
    demand = intake.app.repository.get(hotline_demand_id(COUNTY, "T-1"))
    assert isinstance(demand, Demand) and demand.channel == "hotline"
    # the hotline is told once that its ticket was accepted
    accepted = await intake.js.pull_subscribe("shishi.440781.intake.hotline.accepted", stream="INTAKE")
    msgs = await accepted.fetch(10, timeout=2)
    assert [json.loads(m.data)["payload"]["ticket_id"] for m in msgs] == ["T-1"]


async def test_malformed_ticket_goes_to_dead_letters_with_reason_and_can_be_resubmitted(intake: IntakeHarness) -> None:
    await intake.js.publish("hotline.440781.tickets", b'{"ticket_id": "T-9", "county": "440781"}')
    await intake.js.publish("hotline.440781.tickets", b"not json at all")
    await eventually(lambda: intake.hotline_consumer.stats.dead_lettered == 2)
    letters = await list_deadletters(intake.js, county=COUNTY)
    reasons = [d.reason for d in letters]
    assert len(letters) == 2 and all("malformed hotline ticket" in r for r in reasons)
    assert "received_at" in reasons[0] and "text" in reasons[0]
    assert letters[0].original_subject == "hotline.440781.tickets" and letters[0].service == "intake"
    assert intake.demands() == []
    # staff correct it and send it again: it lands on exactly one demand
    await intake.js.publish("hotline.440781.tickets", ticket(9))
    await eventually(lambda: len(intake.demands()) == 1)


async def test_redelivery_after_a_lost_ack_is_recognised(intake: IntakeHarness) -> None:
    consumer = intake.hotline_consumer
    original_gather = asyncio.gather
    dropped = {"done": False}

    async def lose_acks_once(msgs):  # the process "crashes" after committing, before acking
        if not dropped["done"]:
            dropped["done"] = True
            await asyncio.to_thread(intake.app.process_batch, [i for _, i in msgs], consumer.handle, consumer.prefetch)
            for msg, _ in msgs:
                await msg.nak(delay=0.2)  # the broker redelivers, as after an ack timeout
            return
        await Consumer._apply(consumer, msgs)

    consumer._apply = lose_acks_once
    await intake.js.publish("hotline.440781.tickets", ticket(5))
    await eventually(lambda: consumer.stats.processed >= 1)
    assert dropped["done"]
    assert len(intake.demands()) == 1
    assert original_gather is asyncio.gather


async def test_many_messages_are_applied_in_batches(intake: IntakeHarness) -> None:
    await asyncio.gather(*(intake.js.publish("hotline.440781.tickets", ticket(n)) for n in range(400)))
    await eventually(lambda: len(intake.demands()) == 400, timeout=30)
    consumer = intake.hotline_consumer
    assert consumer.stats.processed == 400
    assert consumer.stats.batches < 400 / 4, "messages should share transactions"


async def test_transient_failure_is_retried_then_applied(intake: IntakeHarness) -> None:
    consumer = intake.hotline_consumer
    fail_first(intake, 1)
    await intake.js.publish("hotline.440781.tickets", ticket(7))
    await eventually(lambda: len(intake.demands()) == 1)
    assert consumer.stats.retried == 1 and consumer.stats.dead_lettered == 0


async def test_poison_after_max_deliveries_is_dead_lettered(intake: IntakeHarness) -> None:
    consumer = intake.hotline_consumer

    def always_broken(*args):
        raise OSError("disk full")

    intake.app.process_batch = always_broken
    await intake.js.publish("hotline.440781.tickets", ticket(8))
    await eventually(lambda: consumer.stats.dead_lettered == 1, timeout=30)
    letters = await list_deadletters(intake.js, county=COUNTY)
    assert "exceeded 3 deliveries" in letters[0].reason and "disk full" in letters[0].reason


async def test_streams_declared_idempotently(fresh_nats) -> None:
    nc = await nats.connect(fresh_nats.url)
    js = nc.jetstream()
    await ensure_streams(js)
    await ensure_streams(js)
    names = sorted([s.config.name for s in await js.streams_info()])
    assert names == ["DEADLETTER", "DECISION", "EVALUATION", "HOTLINE", "INTAKE", "JOURNAL", "SUPERVISION"]
    info = await js.stream_info("INTAKE")
    assert str(getattr(info.config.storage, "value", info.config.storage)) == "file"
    await nc.drain()


async def test_a_stream_from_an_older_version_does_not_stop_start_up(fresh_nats) -> None:
    """HOTLINE was a work queue for a while; a server holding that stream keeps it (and says so)."""
    from nats.js.api import RetentionPolicy, StreamConfig

    nc = await nats.connect(fresh_nats.url)
    js = nc.jetstream()
    await js.add_stream(
        StreamConfig(name="HOTLINE", subjects=["hotline.*.tickets"], retention=RetentionPolicy.WORK_QUEUE)
    )
    await ensure_streams(js)  # must not raise
    info = await js.stream_info("HOTLINE")
    assert str(getattr(info.config.retention, "value", info.config.retention)) == "workqueue"
    assert {s.config.name for s in await js.streams_info()} >= {"INTAKE", "DEADLETTER"}
    await nc.close()


async def hotline_messages(intake: IntakeHarness) -> int:
    return int((await intake.js.stream_info("HOTLINE")).state.messages)


async def test_applied_tickets_are_purged_from_the_stream(intake: IntakeHarness) -> None:
    """Callers' details in clear do not outlive processing: what intake applied leaves HOTLINE."""
    await asyncio.gather(*(intake.js.publish("hotline.440781.tickets", ticket(n)) for n in range(50)))
    await eventually(lambda: len(intake.demands()) == 50, timeout=30)
    deadline = asyncio.get_running_loop().time() + 10
    while await hotline_messages(intake) and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.1)
    assert await hotline_messages(intake) == 0


async def test_a_ticket_not_yet_applied_is_never_purged(intake: IntakeHarness) -> None:
    await intake.js.publish("hotline.440781.tickets", ticket(1))
    await eventually(lambda: len(intake.demands()) == 1)  # the purge loop is running from here on
    fail_first(intake, 2)  # retried after 0.5 s and 1 s: purges run meanwhile
    await intake.js.publish("hotline.440781.tickets", ticket(2))
    seen_waiting = 0
    while len(intake.demands()) < 2:
        held = await hotline_messages(intake)
        if len(intake.demands()) < 2:
            assert held >= 1, "a ticket was purged before it was applied"
            seen_waiting += 1
        await asyncio.sleep(0.1)
    assert seen_waiting > 10 and intake.hotline_consumer.stats.retried == 2
    deadline = asyncio.get_running_loop().time() + 10
    while await hotline_messages(intake) and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.1)
    assert await hotline_messages(intake) == 0


async def test_a_message_no_attempt_concluded_is_dead_lettered_not_purged(intake: IntakeHarness) -> None:
    """The server redelivers HOTLINE without limit (it would otherwise move the ack floor past a
    ticket nobody applied, and the purge would remove it); a ticket delivered more often than our
    limit, every earlier attempt having ended with the process, is dead-lettered with its reason."""
    from types import SimpleNamespace

    consumer = intake.hotline_consumer
    info = await intake.js.consumer_info("HOTLINE", consumer.durable)
    assert info.config.max_deliver == -1
    letters: list[str] = []

    async def record(msg, reason):
        letters.append(reason)

    consumer._dead_letter = record
    worn = SimpleNamespace(
        metadata=SimpleNamespace(num_delivered=consumer.max_deliver + 1, sequence=SimpleNamespace(stream=99)),
        subject="hotline.440781.tickets",
        data=ticket(42),
    )
    await consumer.process([worn])
    assert len(letters) == 1 and "without being applied" in letters[0]
    assert intake.demands() == []


async def test_an_older_hotline_consumer_is_updated_to_unlimited_redelivery(
    backend_settings: Settings,
    fresh_nats,
) -> None:
    from nats.js.api import AckPolicy, ConsumerConfig

    nc = await nats.connect(fresh_nats.url)
    js = nc.jetstream()
    await ensure_streams(js)
    await js.add_consumer(
        "HOTLINE",
        ConsumerConfig(
            durable_name="intake-from-hotline",
            ack_policy=AckPolicy.EXPLICIT,
            filter_subject="hotline.*.tickets",
            max_deliver=6,
        ),
    )
    harness = IntakeHarness(backend_settings, fresh_nats.url)
    await harness.runtime.start()
    try:
        assert (await js.consumer_info("HOTLINE", "intake-from-hotline")).config.max_deliver == -1
    finally:
        await harness.runtime.stop()
        await nc.close()
