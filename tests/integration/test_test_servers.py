"""The test servers are real: JetStream stores and survives restarts; databases are separate."""

import uuid

import nats
import pytest
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate
from nats.js.api import StreamConfig

from shared.bus.server import NatsServer
from tests.fixtures.nats import NatsEndpoint
from tests.fixtures.postgres import PostgresServer


def unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8].upper()}"


async def test_jetstream_stores_and_returns_a_message(nats_server: NatsEndpoint) -> None:
    stream, subject = unique("PROBE"), f"probe.{uuid.uuid4().hex}"
    nc = await nats.connect(nats_server.url)
    try:
        js = nc.jetstream()
        await js.add_stream(StreamConfig(name=stream, subjects=[subject]))
        ack = await js.publish(subject, b"hello", headers={"Nats-Msg-Id": "probe-1"})
        assert ack.stream == stream

        stored = await js.get_msg(stream, ack.seq)

        assert stored.data == b"hello"
        await js.delete_stream(stream)
    finally:
        await nc.close()


async def test_a_restarted_server_keeps_its_stream(fresh_nats: NatsServer) -> None:
    nc = await nats.connect(fresh_nats.url)
    js = nc.jetstream()
    await js.add_stream(StreamConfig(name="DURABLE", subjects=["durable.>"]))
    ack = await js.publish("durable.one", b"kept")
    await nc.close()

    fresh_nats.stop()
    fresh_nats.start()

    nc = await nats.connect(fresh_nats.url)
    try:
        stored = await nc.jetstream().get_msg("DURABLE", ack.seq)
        assert stored.data == b"kept"
    finally:
        await nc.close()


async def test_a_killed_server_keeps_acknowledged_messages(fresh_nats: NatsServer) -> None:
    nc = await nats.connect(fresh_nats.url)
    js = nc.jetstream()
    await js.add_stream(StreamConfig(name="CRASH", subjects=["crash.>"]))
    acks = [await js.publish("crash.n", str(n).encode()) for n in range(10)]
    await nc.close()

    fresh_nats.kill()
    fresh_nats.start()

    nc = await nats.connect(fresh_nats.url)
    try:
        info = await nc.jetstream().stream_info("CRASH")
        assert info.state.messages == 10
        assert info.state.last_seq == acks[-1].seq
    finally:
        await nc.close()


@pytest.mark.postgres
def test_each_created_database_is_separate(postgres_server: PostgresServer) -> None:
    first, second = postgres_server.create_database(), postgres_server.create_database()
    assert first["POSTGRES_DBNAME"] != second["POSTGRES_DBNAME"]

    with postgres_server.connect(first["POSTGRES_DBNAME"]) as conn:
        conn.execute("CREATE TABLE probe (value text)")
        conn.execute("INSERT INTO probe VALUES ('only in the first')")

    with postgres_server.connect(second["POSTGRES_DBNAME"]) as conn:
        assert conn.execute("SELECT to_regclass('probe')").fetchone() == (None,)
    with postgres_server.connect(first["POSTGRES_DBNAME"]) as conn:
        assert conn.execute("SELECT value FROM probe").fetchall() == [("only in the first",)]


@pytest.mark.postgres
def test_the_eventsourcing_library_stores_events_in_postgres_env(
    postgres_env: dict[str, str],
) -> None:
    env = {"PERSISTENCE_MODULE": "eventsourcing.postgres", **postgres_env}
    app = Application[uuid.UUID](env=env)
    try:
        probe = Aggregate()
        app.save(probe)

        assert app.repository.get(probe.id).version == 1
        assert app.recorder.max_notification_id() == 1
    finally:
        app.close()
