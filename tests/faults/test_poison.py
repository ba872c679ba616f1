"""Poison on the real bus (a private nats-server; SQLite): a ticket of an unknown county, or dated in
the year 9999, is dead-lettered at once with its reason and never applied; and one county whose
messages keep failing holds back only its own, while every other county's tickets of the same batches
are applied."""

from __future__ import annotations

import json

import nats
import pytest

from services.intake.read.projections import DEMAND
from shared.bus.deadletter import list_deadletters
from shared.config import Settings
from tests.integration.test_hotline_exactly_once import IntakeHarness, eventually, ticket


@pytest.fixture
async def intake(tmp_path, fresh_nats):
    harness = IntakeHarness(Settings(service="intake", data_dir=tmp_path / "data"), fresh_nats.url)
    await harness.runtime.start()
    nc = await nats.connect(fresh_nats.url)
    harness.nc, harness.js = nc, nc.jetstream()
    try:
        yield harness
    finally:
        await nc.drain()
        await harness.runtime.stop()


def on(county: str, n: int, **overrides: object) -> bytes:
    data = json.loads(ticket(n, **overrides))
    data["county"] = county
    return json.dumps(data, ensure_ascii=False).encode()


async def test_unknown_county_and_impossible_date_are_dead_lettered_with_their_reason(intake) -> None:
    await intake.js.publish("hotline.999999.tickets", on("999999", 1))
    await intake.js.publish("hotline.440781.tickets", ticket(2, received_at="9999-12-31T09:00:00+08:00"))
    await eventually(lambda: intake.hotline_consumer.stats.dead_lettered == 2)
    unknown = await list_deadletters(intake.js, county="999999")
    dated = await list_deadletters(intake.js, county="440781")
    assert "unknown county 999999" in unknown[0].reason and "MCA" in unknown[0].reason
    assert "received_at" in dated[0].reason and "outside 2000-01-01" in dated[0].reason
    assert intake.views.list(DEMAND) == []


async def test_one_failing_county_holds_back_only_its_own_messages(intake) -> None:
    consumer = intake.hotline_consumer
    real = consumer.handle

    def handle(uow, message):  # noqa: ANN001 - 440703's data is broken (a transient error that never heals)
        if message.body.county == "440703":
            raise OverflowError("date value out of range")
        return real(uow, message)

    consumer.handle = handle
    for n in range(20):
        county = "440703" if n % 4 == 0 else "440781"
        await intake.js.publish(f"hotline.{county}.tickets", on(county, n))
    await eventually(lambda: len(intake.views.list(DEMAND, "440781")) == 15)
    await eventually(lambda: consumer.stats.dead_lettered == 5, timeout=40)  # after max_deliver attempts
    assert consumer.stats.county_failures.get("440703", 0) >= 1 and "440781" not in consumer.stats.county_failures
    assert intake.views.list(DEMAND, "440703") == []
    health = intake.runtime.health()["consumers"][consumer.durable]
    assert health["failing_counties"] == ["440703"] and "last_error" not in health
