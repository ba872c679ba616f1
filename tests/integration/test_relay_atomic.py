"""The outbox relay publishes each batch as one JetStream atomic batch (one commit on the server,
not one per message; a few single-message events go one by one, which costs less), falls back to
one-by-one publishing (deduplicated by Nats-Msg-Id) when a resent batch holds messages already
stored, and turns atomic batches off by itself on a stream that does not allow them; in every case
each contract is in the stream exactly once, in order."""

from __future__ import annotations

import nats
import pytest

from services.intake.app.application import IntakeApplication
from services.intake.outbound.contracts import to_contracts
from shared.bus import batches as batches_module
from shared.bus.relay import OutboxRelay
from shared.bus.streams import StreamSpec, ensure_streams, service_stream
from tests.integration.test_relay_restart import stream_ids, submit


@pytest.fixture
def app(backend_env: dict[str, str]) -> IntakeApplication:
    return IntakeApplication(env=backend_env)


def expected_ids(app: IntakeApplication) -> list[str]:
    ids = []
    for n in app.recorder.select_notifications(1, 10_000):
        for index, _ in enumerate(to_contracts(app.mapper.to_domain_event(n))):
            ids.append(f"intake:{n.id}" if index == 0 else f"intake:{n.id}/{index}")
    return ids


async def batch_ids(js) -> list[str]:
    """The Nats-Batch-Id each stored message of INTAKE was committed with."""
    info = await js.stream_info("INTAKE")
    return [
        (await js.get_msg("INTAKE", seq)).headers.get("Nats-Batch-Id", "")
        for seq in range(info.state.first_seq, info.state.last_seq + 1)
    ]


async def drain(relay: OutboxRelay) -> None:
    while await relay.relay_once():
        pass


async def test_each_relay_batch_is_one_atomic_batch(app: IntakeApplication, fresh_nats) -> None:
    nc = await nats.connect(fresh_nats.url)
    js = nc.jetstream()
    await ensure_streams(js)
    assert (await js.stream_info("INTAKE")).config.allow_atomic is True
    submit(app, 30)  # two stored events each
    relay = OutboxRelay(app, service="intake", translate=to_contracts, js=js, batch=25)
    await drain(relay)
    assert relay.publisher.atomic, "the relay fell back to one-by-one publishing"
    assert await stream_ids(js) == expected_ids(app)
    batches = await batch_ids(js)
    assert all(batches) and len(set(batches)) == 3  # 60 notifications read 25 at a time
    await nc.close()


async def test_a_few_single_messages_go_one_by_one(app: IntakeApplication, fresh_nats) -> None:
    """A few stored events of one message each (a resident's demand at a time) are plain publishes:
    an atomic batch of one message cost the server seven times as much. A stored event of two
    messages, however small, is still one atomic batch: its messages are never split."""
    nc = await nats.connect(fresh_nats.url)
    js = nc.jetstream()
    await ensure_streams(js)
    relay = OutboxRelay(app, service="intake", translate=to_contracts, js=js)
    message = lambda i: ("shishi.440781.intake.demand-submitted", b"{}", {"Nats-Msg-Id": f"intake:{i}"})  # noqa: E731
    await relay.publisher.publish([[message(i)] for i in range(1, 4)])
    assert await batch_ids(js) == ["", "", ""]
    await relay.publisher.publish([[message(4), message(5)]])
    await relay.publisher.publish([[message(i)] for i in range(6, 6 + batches_module.ONE_BY_ONE_MAX + 1)])
    ids = await batch_ids(js)
    assert ids[3] and ids[3] == ids[4], "a stored event's two messages were not one atomic batch"
    assert ids[5] and len(set(ids[5:])) == 1, "more single messages than ONE_BY_ONE_MAX were not one batch"
    assert relay.publisher.atomic
    assert await stream_ids(js) == [f"intake:{i}" for i in range(1, 6 + batches_module.ONE_BY_ONE_MAX + 1)]
    await nc.close()


async def test_a_resent_batch_is_stored_once(app: IntakeApplication, fresh_nats) -> None:
    """A batch holding messages already stored (a resend after an unconfirmed commit) is refused
    whole by the server; the relay then publishes it one by one and the duplicates are dropped."""
    nc = await nats.connect(fresh_nats.url)
    js = nc.jetstream()
    await ensure_streams(js)
    relay = OutboxRelay(app, service="intake", translate=to_contracts, js=js)
    message = lambda i: ("shishi.440781.intake.demand-submitted", b"{}", {"Nats-Msg-Id": f"intake:{i}"})  # noqa: E731
    await relay.publisher.publish([[message(i) for i in range(1, 6)]])
    await relay.publisher.publish([[message(i) for i in range(4, 9)]])  # 4 and 5 again
    assert relay.publisher.atomic, "a duplicate in a batch must not turn atomic batches off"
    assert await stream_ids(js) == [f"intake:{i}" for i in range(1, 9)]
    await nc.close()


async def test_a_stream_without_atomic_batches(app: IntakeApplication, fresh_nats) -> None:
    nc = await nats.connect(fresh_nats.url)
    js = nc.jetstream()
    plain = service_stream("intake")
    await ensure_streams(js, [StreamSpec(plain.name, plain.subjects, atomic=False)])
    submit(app, 12)
    relay = OutboxRelay(app, service="intake", translate=to_contracts, js=js, batch=5)
    await drain(relay)
    assert not relay.publisher.atomic
    assert await stream_ids(js) == expected_ids(app)
    await nc.close()


async def test_a_failure_between_two_batches_leaves_no_gap(
    app: IntakeApplication,
    fresh_nats,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Stored events with two contracts each, batches of at most three messages, the broker gone
    between the first batch and the second: after the relay resumes, every contract of every
    stored event is in the stream once, in order (a stored event's contracts are never split)."""
    from nats.errors import ConnectionClosedError

    from shared.bus import batches

    nc = await nats.connect(fresh_nats.url)
    js = nc.jetstream()
    await ensure_streams(js)
    submit(app, 3)

    def two(event):
        return [c for c in to_contracts(event) for _ in (0, 1)]

    monkeypatch.setattr(batches, "ATOMIC_MAX", 3)
    relay = OutboxRelay(app, service="intake", translate=two, js=js)
    real = relay.publisher._publish
    calls = {"n": 0}

    async def hiccup(chunk, whole=False):
        calls["n"] += 1
        if calls["n"] == 2:
            raise ConnectionClosedError()
        return await real(chunk, whole)

    relay.publisher._publish = hiccup
    with pytest.raises(ConnectionClosedError):
        await relay.relay_once()
    relay._position = None  # what the relay's retry does: resume from the stream and its record
    await drain(relay)
    expected = []
    for n in app.recorder.select_notifications(1, 10_000):
        for index, _ in enumerate(two(app.mapper.to_domain_event(n))):
            expected.append(f"intake:{n.id}" if index == 0 else f"intake:{n.id}/{index}")
    assert await stream_ids(js) == expected and len(expected) == 6
    await nc.close()
