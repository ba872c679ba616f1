"""``shishi serve`` runs a service's read-model updater, audit follower, journal and outbox relay in a
companion process (``SHISHI_FOLLOWERS=process``): the read models and the audit log follow what the
service stores and its contracts reach NATS, published by the companion (the service publishes
nothing itself); the service calls itself ready only once the companion's followers run; it restarts
the companion when it dies, and stopping the service stops it too."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import nats
import pytest

from services.tools.bench.intake_process import IntakeProcess
from shared.audit.storage import existing_log
from shared.auth import issue_token
from shared.config import Settings
from tests.integration.settling import until

COUNTY = "440781"


def companions(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(c) for c in children.read_text().split()] if children.exists() else []


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "State:\tZ" not in status.read_text()


class Service:
    def __init__(self, process: IntakeProcess, settings: Settings) -> None:
        self.process = process
        self.settings = settings
        self.base = f"http://127.0.0.1:{process.port}/intake"
        secret = Settings(service="intake", data_dir=process.data_dir).resolved_jwt_secret()
        self.staff = issue_token(secret, subject="staff", roles=["congress_staff"], counties=[COUNTY])

    def call(self, path: str, body: dict | None = None, token: str | None = None) -> dict:
        request = urllib.request.Request(
            self.base + path,
            method="POST" if body is not None else "GET",
            data=json.dumps(body).encode() if body is not None else None,
            headers={"content-type": "application/json", **({"authorization": f"Bearer {token}"} if token else {})},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def health(self) -> dict:
        try:
            return self.call("/healthz")
        except urllib.error.HTTPError as exc:  # 503 while not ready: the body says why
            return json.loads(exc.read())

    def submit(self, text: str) -> str:
        return self.call(
            "/api/demands",
            {
                "county": COUNTY,
                "town": "台城街道",
                "category": "roads",
                "text": text,
                "name": "李女士",
                "phone": "13800000000",
            },
        )["id"]

    def queued(self, demand_id: str) -> bool:
        items = self.call(f"/api/counties/{COUNTY}/demands", token=self.staff)["items"]
        return any(d["id"] == demand_id for d in items)

    def audit_size(self) -> int:
        """The audit log's size where the service keeps it (the sidecar, or its PostgreSQL database)."""
        merkle = existing_log(self.settings)
        if merkle is None:
            return 0
        try:
            return merkle.size()
        finally:
            merkle.close()


def published(nats_url: str) -> int:
    """How many contracts intake's stream holds."""

    async def count() -> int:
        nc = await nats.connect(nats_url)
        try:
            return int((await nc.jetstream().stream_info("INTAKE")).state.messages)
        finally:
            await nc.close()

    return asyncio.run(count())


@pytest.fixture
def service(backend_settings: Settings, fresh_nats) -> Iterator[Service]:  # its own stream: ids from 1
    """``shishi serve intake`` on each backend (SQLite; PostgreSQL, where the read models live too)."""
    os.environ.pop("SHISHI_FOLLOWERS", None)
    backend = {
        f"SHISHI_{k.upper()}": str(v)
        for k, v in backend_settings.model_dump(mode="json").items()
        if k == "persistence" or k.startswith("postgres_")
    }
    process = IntakeProcess(backend_settings.data_dir, fresh_nats.url, env=backend)
    process.start()
    try:
        yield Service(process, backend_settings)
    finally:
        process.stop()


def test_the_companion_follows_restarts_and_stops_with_the_service(service: Service) -> None:
    parent = service.process._process
    assert parent is not None
    health = service.health()
    assert health["ready"] and health["followers"]["mode"] == "process"
    assert health["followers"]["alive"] and health["followers"]["following"]  # ready: its followers run
    [companion] = companions(parent.pid)
    nats_url = service.process.nats_url

    first = service.submit("台城街道路灯不亮")
    until(lambda: service.queued(first), "the demand in the county's queue (read model)", timeout=20)
    until(lambda: service.audit_size() >= 2, "the demand's events in the audit log", timeout=20)
    until(lambda: published(nats_url) >= 1, "the demand's contract published", timeout=20)
    assert service.health()["relay_published"] == 0  # by the companion's relay, not the service's

    os.kill(companion, signal.SIGSTOP)  # the companion frozen: the service publishes nothing itself
    try:
        before = published(nats_url)
        paused = service.submit("台城街道井盖缺失")
        time.sleep(1.0)
        assert published(nats_url) == before
    finally:
        os.kill(companion, signal.SIGCONT)
    until(lambda: published(nats_url) > before, "published once the companion goes on", timeout=20)
    until(lambda: service.queued(paused), "and folded", timeout=20)

    on_postgres = service.process.env.get("SHISHI_PERSISTENCE") == "postgres"
    assert (service.process.data_dir / "intake" / "events.sqlite").exists() is not on_postgres

    os.kill(companion, signal.SIGKILL)
    until(
        lambda: service.health()["followers"]["restarts"] == 1 and service.health()["ready"],
        "the companion restarted (the service stayed ready: it had been ready once)",
        timeout=30,
    )
    [restarted] = companions(parent.pid)
    assert restarted != companion
    until(lambda: service.health()["followers"]["following"], "the new companion's followers running", timeout=30)
    before = published(nats_url)
    second = service.submit("台城街道人行道破损")
    until(lambda: service.queued(second), "a demand stored after the restart in the queue", timeout=20)
    until(lambda: published(nats_url) > before, "its contract published by the new companion", timeout=20)

    service.process.stop()
    deadline = time.monotonic() + 15
    while alive(restarted) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(restarted), "the companion outlived its service"


def test_the_companion_stops_when_its_service_is_killed(service: Service) -> None:
    parent = service.process._process
    assert parent is not None
    until(lambda: service.health()["ready"], "ready")
    [companion] = companions(parent.pid)
    parent.kill()  # no shutdown at all: the companion sees the end of its input
    parent.wait()
    deadline = time.monotonic() + 15
    while alive(companion) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(companion), "the companion outlived its killed service"


def test_a_service_is_ready_only_once_its_companions_followers_run(backend_settings: Settings, fresh_nats) -> None:
    """Starting up, the service answers but says it is not ready while its companion waits for the
    followers lease (here held by the test: as a companion left behind by a dead replica would)."""
    from shared.runtime.lease import make_lease

    os.environ.pop("SHISHI_FOLLOWERS", None)
    backend = {
        f"SHISHI_{k.upper()}": str(v)
        for k, v in backend_settings.model_dump(mode="json").items()
        if k == "persistence" or k.startswith("postgres_")
    }
    lease = make_lease(backend_settings.model_copy(update={"service": "intake"}), "followers")
    assert lease.try_acquire()
    process = IntakeProcess(backend_settings.data_dir, fresh_nats.url, env=backend)
    starting = threading.Thread(target=process.start, daemon=True)

    def health() -> dict:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{process.port}/intake/healthz", timeout=5) as response:
                return dict(json.loads(response.read()))
        except urllib.error.HTTPError as exc:  # 503 while not ready: the body says why
            return dict(json.loads(exc.read()))

    try:
        starting.start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                if process.port and "followers" in health():
                    break
            time.sleep(0.2)
        time.sleep(2.0)  # time enough for a companion that could follow to say so
        answer = health()
        assert not answer["ready"] and answer["followers"]["alive"] and not answer["followers"]["following"]
        lease.release()
        starting.join(timeout=60)  # start() returns once the service is ready
        assert not starting.is_alive()
        answer = health()
        assert answer["ready"] and answer["followers"]["following"]
    finally:
        lease.release()
        process.stop()
