"""Two replicas of intake share one durable consumer and one PostgreSQL database: every 12345 ticket
has its effect exactly once, also when the broker gives the same tickets to both replicas at once.

Each replica is intake's own application (its own connections), reading HOTLINE through the same
durable with a 1 s ``ack_wait``; the first time a replica meets a batch it stalls 1.5 s inside the
transaction, so the broker hands that batch to the other replica too, which applies it meanwhile. The
stalled replica's transaction then collides (the tracking rows, the callers' keys) and is applied
again at once, skipping what the other applied. Afterwards: 300 tickets, 300 demands, 300 tracked
positions, every caller's details still readable, and collisions did happen."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import nats
import pytest

from services.intake.domain.demand import hotline_demand_id
from services.intake.inbound.handlers import subscriptions
from services.intake.main import create_app
from shared.bus.consumer import Consumer
from shared.bus.streams import HOTLINE, ensure_streams
from shared.contracts import HotlineTicket
from shared.persistence.application import Inbound, UnitOfWork
from tests.fixtures.backends import postgres_settings

pytestmark = pytest.mark.postgres

TICKETS = 300
COUNTY = "440781"


def ticket(n: int) -> bytes:
    return (
        HotlineTicket(
            ticket_id=f"R-{n}",
            county=COUNTY,
            received_at=datetime(2026, 3, 1, 9, tzinfo=UTC),
            category="roads",
            text=f"井盖缺失 {n}",
            town="台城街道",
            caller_name=f"李先生{n}",
            caller_phone="13900000000",
        )
        .model_dump_json()
        .encode()
    )


def replica(settings, name: str, stalled: set[int]):  # noqa: ANN001, ANN201 - a test's own builder
    """A replica's consumer of HOTLINE, stalling once per batch it meets first (past ``ack_wait``)."""
    api = create_app(settings.model_copy(update={"data_dir": settings.data_dir / name}), start_runtime=False)
    app = api.state.application
    (hotline,) = [s for s in subscriptions(app) if s.stream == HOTLINE]
    lock = threading.Lock()

    def handle(uow: UnitOfWork, message: Inbound) -> None:
        hotline.handle(uow, message)
        with lock:
            first = message.sequence % 25 == 0 and message.sequence not in stalled
            stalled.add(message.sequence)
        if first:
            time.sleep(1.5)

    return api, app, hotline, handle


async def test_two_replicas_apply_each_ticket_once(postgres_env: dict[str, str], nats_server, tmp_path: Path) -> None:
    settings = postgres_settings(postgres_env, tmp_path)
    stalled: set[int] = set()
    replicas = [replica(settings, name, stalled) for name in ("a", "b")]
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream(timeout=10)
    await ensure_streams(js)
    await js.purge_stream(HOTLINE)
    with contextlib.suppress(Exception):  # a durable left by another test of the session
        await js.delete_consumer(HOTLINE, "intake-from-hotline")
    consumers = [
        Consumer(
            js=js,
            app=app,
            service="intake",
            stream=HOTLINE,
            filter_subject=hotline.filter_subject,
            decode=hotline.decode,
            handle=handle,
            prefetch=hotline.prefetch,
            purge_processed=True,
            batch=50,
            ack_wait=1.0,
            max_deliver=50,
        )
        for _, app, hotline, handle in replicas
    ]
    stopping = asyncio.Event()
    for consumer in consumers:
        await consumer.subscribe()
    tasks = [asyncio.create_task(c.run(stopping)) for c in consumers]
    for n in range(TICKETS):
        await js.publish(f"hotline.{COUNTY}.tickets", ticket(n), headers={"Nats-Msg-Id": f"R-{n}"})
    app = replicas[0][1]
    deadline = time.monotonic() + 90
    while True:
        tracked = await asyncio.to_thread(app.already_processed, HOTLINE, range(1, TICKETS + 1))
        if len(tracked) == TICKETS or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.2)
    stopping.set()
    await asyncio.gather(*tasks)
    for consumer in consumers:
        await consumer.close()
    await nc.close()

    assert len(tracked) == TICKETS
    demands = Counter()
    for n in range(TICKETS):
        demand = app.repository.get(hotline_demand_id(COUNTY, f"R-{n}"))
        demands[demand.hotline_ticket_id] += 1
        contact = app.contact(demand.contact_id, COUNTY)
        assert not contact.erased and contact.name == f"李先生{n}"  # sealed with the key the vault kept
    assert len(demands) == TICKETS and set(demands.values()) == {1}
    submitted = [e for e in app.recorder.select_notifications(0, 100_000) if e.topic.endswith("Demand.Submitted")]
    assert len(submitted) == TICKETS  # no demand recorded twice
    assert sum(c.stats.processed for c in consumers) >= TICKETS
    assert sum(c.stats.collisions for c in consumers) > 0, "the two replicas never met on one message"
    assert all(c.stats.dead_lettered == 0 for c in consumers)
    for api, *_ in replicas:
        api.state.application.close()
        api.state.views.close()
    print({i: (c.stats.processed, c.stats.collisions, c.stats.retried) for i, c in enumerate(consumers)})
