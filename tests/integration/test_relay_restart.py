"""The outbox relay resumes after a crash or a restart with no gap and no duplicate,
even when it crashed after publishing and before recording its position."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import nats
import pytest

from services.intake.app.application import IntakeApplication, NewDemand
from services.intake.outbound.contracts import to_contracts
from shared.bus.relay import OutboxRelay
from shared.bus.streams import ensure_streams
from shared.kernel.meta import Meta


def submit(app: IntakeApplication, n: int) -> None:
    meta = Meta(
        county="440781", actor_role="resident", actor_id="anonymous", occurred_at=datetime(2026, 5, 1, tzinfo=UTC)
    )
    for i in range(n):
        app.submit(meta, NewDemand(channel="web", town="台城街道", category="roads", text=f"诉求 {i}"))


async def stream_ids(js) -> list[str]:
    sub = await js.pull_subscribe("shishi.*.intake.>", stream="INTAKE")
    ids: list[str] = []
    while True:
        try:
            msgs = await sub.fetch(200, timeout=1)
        except TimeoutError:
            break
        for m in msgs:
            ids.append(m.headers["Nats-Msg-Id"])
            await m.ack()
    await sub.unsubscribe()
    return ids


class CrashAfterPublish(OutboxRelay):
    """Publishes a batch, then dies before recording its position."""

    async def relay_once(self) -> int:
        original = self.app.recorder.insert_tracking

        def crash(tracking):
            raise RuntimeError("power cut")

        self.app.recorder.insert_tracking = crash
        try:
            return await super().relay_once()
        finally:
            self.app.recorder.insert_tracking = original


@pytest.fixture
def app(backend_env: dict[str, str]) -> IntakeApplication:
    return IntakeApplication(env=backend_env)


async def test_relay_resumes_without_gap_or_duplicate(app: IntakeApplication, fresh_nats) -> None:
    nc = await nats.connect(fresh_nats.url)
    js = nc.jetstream()
    await ensure_streams(js)
    submit(app, 30)  # two stored events per demand; one published contract (demand-submitted) each
    first = OutboxRelay(app, service="intake", translate=to_contracts, js=js, batch=25)
    assert await first.relay_once() == 25

    crashed = CrashAfterPublish(app, service="intake", translate=to_contracts, js=js, batch=25)
    with pytest.raises(RuntimeError, match="power cut"):
        await crashed.relay_once()

    # the broker restarts too, and the dedup window is no help after a restart of ours
    await nc.close()
    fresh_nats.stop()
    fresh_nats.start()
    nc = await nats.connect(fresh_nats.url)
    js = nc.jetstream()
    submit(app, 10)
    restarted = OutboxRelay(app, service="intake", translate=to_contracts, js=js, batch=25)
    while await restarted.relay_once():
        pass

    ids = await stream_ids(js)
    assert len(ids) == len(set(ids)), "a message was published twice"
    expected = []
    for n in app.recorder.select_notifications(1, 10_000):
        for index, _ in enumerate(to_contracts(app.mapper.to_domain_event(n))):
            expected.append(f"intake:{n.id}" if index == 0 else f"intake:{n.id}/{index}")
    assert ids == expected, "gap or reordering in the published stream"
    assert len(ids) == 40
    last = json.loads((await js.get_msg("INTAKE", (await js.stream_info("INTAKE")).state.last_seq)).data)
    assert last["type"] == "intake.demand-submitted" and last["county"] == "440781"
    await nc.close()


async def test_the_relay_records_its_position_now_and_then_and_when_it_stops(
    app: IntakeApplication, fresh_nats, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Recording the position is a durable write beside the service's own: while busy the relay
    writes it at most every RECORD_SECONDS, and it writes the last one when it stops."""
    import asyncio

    from shared.bus import relay as relay_module
    from shared.bus.relay import POSITION

    monkeypatch.setattr(relay_module, "RECORD_SECONDS", 3600.0)
    nc = await nats.connect(fresh_nats.url)
    js = nc.jetstream()
    await ensure_streams(js)
    submit(app, 15)  # 30 notifications
    relay = OutboxRelay(app, service="intake", translate=to_contracts, js=js, batch=5)
    while await relay.relay_once():
        pass
    last = app.recorder.max_notification_id()
    assert relay.position == last == 30
    assert app.recorder.max_tracking_id(POSITION) == 5, "recorded after every batch, or never"

    stopping = asyncio.Event()
    running = asyncio.create_task(relay.run(stopping))
    await asyncio.sleep(0.2)
    stopping.set()
    await asyncio.wait_for(running, timeout=10)
    assert app.recorder.max_tracking_id(POSITION) == last
    await nc.close()
