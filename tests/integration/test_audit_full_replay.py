"""Full replay: every read model rebuilt from its service's event store equals the live one,
and the services whose state comes from NATS (here decision and evaluation, fed by intake's
stream) rebuilt from scratch out of the JetStream streams alone reach identical read models.

All four services run for real (their runtimes: relays, consumers, read-model updaters) on a
private nats-server; a resident's demands go in through intake's HTTP API."""

from __future__ import annotations

import asyncio
import importlib
from pathlib import Path

import nats
from fastapi.testclient import TestClient

from shared.application import Inbound
from shared.config import SERVICES, Settings
from shared.views import ViewStore, ViewUpdater
from tests.integration.settling import quiet, until

FROM_STREAMS_ONLY = ("decision", "evaluation")  # no HTTP command reaches them in this scenario




def rebuilt_from_store(api) -> list:  # type: ignore[no-untyped-def]
    runtime = api.state.runtime
    views = ViewStore(sqlite_path=Path(":memory:"))
    ViewUpdater(runtime.app, views, runtime.updater.project).catch_up()
    try:
        return views.dump()
    finally:
        views.close()


async def replay_streams(replica, nats_url: str) -> None:  # type: ignore[no-untyped-def]
    """Feed every message of the streams the service subscribes to, in stream order, through its
    own inbound policies (as its consumer does), into a replica with an empty store."""
    service = replica.state.settings.service
    app = replica.state.application
    subscriptions = importlib.import_module(f"services.{service}.handlers").subscriptions(app)
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        for sub in subscriptions:
            psub = await js.pull_subscribe(sub.filter_subject, stream=sub.stream)
            while True:
                try:
                    msgs = await psub.fetch(256, timeout=1.0)
                except (TimeoutError, nats.errors.TimeoutError):
                    break
                batch = [Inbound(sub.stream, m.metadata.sequence.stream, sub.decode(m)) for m in msgs]
                app.process_batch(batch, sub.handle)
                for m in msgs:
                    await m.ack()
            await psub.unsubscribe()
    finally:
        await nc.close()


def test_read_models_rebuild_identically_from_stores_and_from_streams(tmp_path: Path, fresh_nats) -> None:  # type: ignore[no-untyped-def]
    apis = {}
    for service in SERVICES:
        settings = Settings(service=service, data_dir=tmp_path / "live", nats_url=fresh_nats.url)
        apis[service] = importlib.import_module(f"services.{service}.main").create_app(settings)
    clients = [TestClient(api) for api in apis.values()]
    for client in clients:
        client.__enter__()
    try:
        intake = clients[0]
        for n, county in enumerate(["440781", "440781", "440703", "440785", "440781"]):
            r = intake.post("/intake/api/demands", json={"county": county, "town": "台城街道", "category": "roads",
                                                        "text": f"村道破损第{n}处，请尽快修复", "name": "李女士",
                                                        "phone": "13900000000"})
            assert r.status_code == 201, r.text
        for service in FROM_STREAMS_ONLY:
            consumer = next(c for c in apis[service].state.runtime.consumers if c.stream == "INTAKE")
            until(lambda c=consumer: c.stats.processed >= 5, f"{service} consumed intake's demands")
        for service, api in apis.items():
            until(lambda a=api: quiet(a), f"{service} quiet")
        live = {service: api.state.runtime.views.dump() for service, api in apis.items()}
        assert live["intake"] and live["decision"] and live["evaluation"]  # there is something to compare

        for service, api in apis.items():  # (1) from each service's own event store
            assert rebuilt_from_store(api) == live[service], service

        for service in FROM_STREAMS_ONLY:  # (2) from the NATS streams alone
            settings = Settings(service=service, data_dir=tmp_path / "replica", nats_url=fresh_nats.url)
            replica = importlib.import_module(f"services.{service}.main").create_app(settings, start_runtime=False)
            asyncio.run(replay_streams(replica, fresh_nats.url))
            assert rebuilt_from_store(replica) == live[service], service
    finally:
        for client in reversed(clients):
            client.__exit__(None, None, None)
