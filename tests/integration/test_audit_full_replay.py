"""Full replay: every read model rebuilt from its service's event store equals the live one; and
from the NATS streams alone, two ways, each reaching identical read models:

- the services whose state comes from NATS (here decision and evaluation, fed by intake's
  contracts) replayed through their own inbound policies into empty stores;
- every service, also intake and supervision whose state comes from HTTP commands, restored from
  its journal (``journal.<service>``, every stored event as stored) with ``shishi audit restore``.

All four services run for real (their runtimes: relays, consumers, read-model updaters, journal
followers) on a private nats-server; a resident's demands go in through intake's HTTP API, a
project adopted by the congress reaches supervision over NATS, and its unit reports progress by
HTTP."""

from __future__ import annotations

import asyncio
import importlib
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from uuid import uuid4

import nats
from fastapi.testclient import TestClient

from services.tools.cli.main import main
from shared.auth import issue_token
from shared.config import SERVICES, Settings
from shared.contracts import decision as d
from shared.contracts.envelope import Actor, Envelope
from shared.persistence.application import Inbound
from shared.views.store import ViewStore
from shared.views.updater import ViewUpdater
from tests.integration.settling import quiet, until

FROM_STREAMS_ONLY = ("decision", "evaluation")  # no HTTP command reaches them in this scenario


def rebuilt_from_store(api) -> list:
    runtime = api.state.runtime
    views = ViewStore(sqlite_path=Path(":memory:"))
    ViewUpdater(runtime.app, views, runtime.updater.project).catch_up()
    try:
        return views.dump()
    finally:
        views.close()


async def replay_streams(replica, nats_url: str) -> None:
    """Feed every message of the streams the service subscribes to, in stream order, through its
    own inbound policies (as its consumer does), into a replica with an empty store."""
    service = replica.state.settings.service
    app = replica.state.application
    subscriptions = importlib.import_module(f"services.{service}.inbound.handlers").subscriptions(app)
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


async def adopt_project(nats_url: str, county: str) -> str:
    """decision.project-adopted on the DECISION stream, as decision's relay publishes it."""
    project_id = uuid4()
    payload = d.ProjectAdopted(
        project_id=project_id,
        candidate_id=uuid4(),
        year=2026,
        tier="major",
        name="村道修复",
        content="修复台城街道村道",
        implementing_body="县交通局",
        investment=Decimal(800000),
        deadline=date(2026, 12, 31),
        demand_ids=[],
    )
    env = Envelope(
        event_id=uuid4(),
        type=payload.type_name(),
        schema_version=1,
        county=county,
        occurred_at=datetime(2026, 1, 15, tzinfo=UTC),
        recorded_at=datetime.now(UTC),
        actor=Actor(role="congress_staff", id="staff-1"),
        payload=payload.model_dump(mode="json"),
    )
    nc = await nats.connect(nats_url)
    try:
        await nc.jetstream().publish(env.subject(), env.model_dump_json().encode())
    finally:
        await nc.close()
    return str(project_id)


def journalled(api) -> bool:
    runtime = api.state.runtime
    last = runtime.app.recorder.max_notification_id() or 0
    return runtime.journal is not None and runtime.journal.position == last


def test_read_models_rebuild_identically_from_stores_and_from_streams(tmp_path: Path, fresh_nats) -> None:
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
            r = intake.post(
                "/intake/api/demands",
                json={
                    "county": county,
                    "town": "台城街道",
                    "category": "roads",
                    "text": f"村道破损第{n}处，请尽快修复",
                    "name": "李女士",
                    "phone": "13900000000",
                },
            )
            assert r.status_code == 201, r.text
        for service in FROM_STREAMS_ONLY:
            consumer = next(c for c in apis[service].state.runtime.consumers if c.stream == "INTAKE")
            until(lambda c=consumer: c.stats.processed >= 5, f"{service} consumed intake's demands")
        supervision = clients[list(apis).index("supervision")]
        project_id = asyncio.run(adopt_project(fresh_nats.url, "440781"))
        until(
            lambda: supervision.get("/supervision/api/counties/440781/projects").json()["items"],
            "supervision opened the project file",
        )
        unit = issue_token(
            Settings(data_dir=tmp_path / "live").resolved_jwt_secret(),
            subject="unit-1",
            roles=["gov_unit"],
            counties=["440781"],
        )
        r = supervision.post(
            f"/supervision/api/projects/{project_id}/progress",
            headers={"authorization": f"Bearer {unit}"},
            json={"progress_pct": 30, "spent": "200000", "note": "路基完成"},
        )
        assert r.status_code == 200, r.text
        for service, api in apis.items():
            until(lambda a=api: quiet(a) and journalled(a), f"{service} quiet")
        live = {service: api.state.runtime.views.dump() for service, api in apis.items()}
        assert all(live.values()), {s: len(v) for s, v in live.items()}  # there is something to compare
        assert any("路基完成" in row[3] for row in live["supervision"])  # state from an HTTP command

        for service, api in apis.items():  # (1) from each service's own event store
            assert rebuilt_from_store(api) == live[service], service

        for service in FROM_STREAMS_ONLY:  # (2) from the NATS streams alone
            settings = Settings(service=service, data_dir=tmp_path / "replica", nats_url=fresh_nats.url)
            replica = importlib.import_module(f"services.{service}.main").create_app(settings, start_runtime=False)
            asyncio.run(replay_streams(replica, fresh_nats.url))
            assert rebuilt_from_store(replica) == live[service], service

        restored = tmp_path / "restored"  # (3) every service, from its journal on NATS
        assert main(["audit", "restore", "--data-dir", str(restored), "--nats", fresh_nats.url]) == 0
        for service in SERVICES:
            settings = Settings(service=service, data_dir=restored, nats_url=fresh_nats.url)
            replica = importlib.import_module(f"services.{service}.main").create_app(settings, start_runtime=False)
            assert rebuilt_from_store(replica) == live[service], service
        assert main(["audit", "restore", "--data-dir", str(restored), "--nats", fresh_nats.url]) == 2  # not empty
    finally:
        for client in reversed(clients):
            client.__exit__(None, None, None)
