"""kill -9 during hotline ingest and HTTP submissions, on SQLite and PostgreSQL: intake (`shishi serve
intake`, its own process), its companion and nats-server are each killed with SIGKILL while 12345
tickets arrive on NATS and residents' demands arrive over HTTP; everything is started again, and every
ticket and every submission has exactly one demand: 0 lost, 0 duplicated.

HTTP clients retry a failed submission with the same ``Idempotency-Key``, as a real client would.
Bounded: 300 tickets and 40 submissions, about 30 s per backend."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import httpx
import nats
import pytest

from services.intake.main import create_app
from services.tools.bench.intake_process import IntakeProcess
from shared.auth import issue_token
from shared.config import Settings
from tests.fixtures.backends import BACKENDS, postgres_settings

TICKETS, SUBMISSIONS = 300, 40
COUNTIES = ("440781", "440703")


def ticket(n: int) -> bytes:
    return json.dumps(
        {
            "ticket_id": f"K-{n}",
            "county": COUNTIES[n % 2],
            "received_at": datetime(2026, 3, 1, 9, tzinfo=UTC).isoformat(),
            "category": "roads",
            "text": f"路灯坏了 {n}",
            "town": "台城街道" if n % 2 == 0 else "环市街道",
        },
        ensure_ascii=False,
    ).encode()


async def publish_all(url_of, paused: threading.Event) -> None:  # noqa: ANN001 - () -> str
    n = 0
    while n < TICKETS:
        try:
            nc = await nats.connect(url_of(), connect_timeout=2, max_reconnect_attempts=0)
        except Exception:  # noqa: BLE001 - nats-server killed: try again
            await asyncio.sleep(0.3)
            continue
        js = nc.jetstream(timeout=5)
        try:
            while n < TICKETS:
                if paused.is_set():
                    await asyncio.sleep(0.1)
                    continue
                await js.publish(f"hotline.{COUNTIES[n % 2]}.tickets", ticket(n), headers={"Nats-Msg-Id": f"K-{n}"})
                n += 1
                await asyncio.sleep(0.005)
        except Exception:  # noqa: BLE001 - not acknowledged: sent again (Nats-Msg-Id drops a duplicate)
            await asyncio.sleep(0.3)
        finally:
            with contextlib.suppress(Exception):  # a connection to a killed server
                await nc.close()


def submit_all(base_of, token: str, done: list[str]) -> None:  # noqa: ANN001 - () -> str
    with httpx.Client(timeout=10) as client:
        for i in range(SUBMISSIONS):
            key = uuid.uuid4().hex
            body = {"county": COUNTIES[0], "town": "台城街道", "category": "water", "text": f"积水 http-{i}"}
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                try:
                    r = client.post(
                        f"{base_of()}/intake/api/demands",
                        json=body,
                        headers={"authorization": f"Bearer {token}", "idempotency-key": key},
                    )
                    if r.status_code == 201:
                        done.append(f"http-{i}")
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.2)


@pytest.mark.parametrize("backend", BACKENDS)
def test_kill9_during_ingest_and_submissions_loses_and_duplicates_nothing(
    backend: str, fresh_nats, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    data_dir = tmp_path / "intake"
    env: dict[str, str] = {}
    settings = Settings(service="intake", data_dir=data_dir)
    if backend == "postgres":
        settings = postgres_settings(request.getfixturevalue("postgres_env"), data_dir)
        env = {
            k.upper(): str(v)
            for k, v in {
                "SHISHI_PERSISTENCE": "postgres",
                "SHISHI_POSTGRES_HOST": settings.postgres_host,
                "SHISHI_POSTGRES_PORT": settings.postgres_port,
                "SHISHI_POSTGRES_USER": settings.postgres_user,
                "SHISHI_POSTGRES_PASSWORD": settings.postgres_password,
                "SHISHI_POSTGRES_DBNAME": settings.postgres_dbname,
            }.items()
        }
    service = IntakeProcess(data_dir, fresh_nats.url, env)
    service.start()
    token = issue_token(
        settings.resolved_jwt_secret(), subject="station", roles=["congress_staff"], counties=list(COUNTIES)
    )
    paused, done = threading.Event(), []
    publisher = threading.Thread(target=lambda: asyncio.run(publish_all(lambda: fresh_nats.url, paused)))
    submitter = threading.Thread(target=submit_all, args=(lambda: f"http://127.0.0.1:{service.port}", token, done))
    publisher.start()
    submitter.start()
    try:
        time.sleep(1.5)
        os.kill(service._process.pid, signal.SIGKILL)  # noqa: SLF001 - the service, mid-batch
        service._process.wait()  # noqa: SLF001
        service.start()
        time.sleep(1.5)
        children = Path(f"/proc/{service._process.pid}/task/{service._process.pid}/children")  # noqa: SLF001
        companion = int(children.read_text().split()[0])
        os.kill(companion, signal.SIGKILL)  # its read side; the service starts it again
        time.sleep(1.5)
        paused.set()  # the publisher holds its next ticket while the broker is down
        fresh_nats.kill()
        time.sleep(1.0)
        fresh_nats.start()
        paused.clear()
        publisher.join(120)
        submitter.join(120)
        assert not publisher.is_alive() and not submitter.is_alive()
        wait_applied(service.port, token)
    finally:
        service.stop()
    api = create_app(settings.model_copy(update={"nats_url": fresh_nats.url}), start_runtime=False)
    api.state.runtime.updater.catch_up()
    docs = [d for c in COUNTIES for d in api.state.views.list("demand", c)]
    tickets = Counter(d.get("hotline_ticket_id") for d in docs if d.get("hotline_ticket_id"))
    texts = Counter(d["text"].split()[-1] for d in docs if "http-" in d["text"])
    lost = [f"K-{n}" for n in range(TICKETS) if tickets[f"K-{n}"] == 0] + [
        f"http-{i}" for i in range(SUBMISSIONS) if texts[f"http-{i}"] == 0
    ]
    duplicated = [k for k, n in (tickets + texts).items() if n > 1]
    assert (len(lost), len(duplicated)) == (0, 0), (lost[:10], duplicated[:10])
    assert len(done) == SUBMISSIONS


def wait_applied(port: int, token: str, timeout: float = 90.0) -> None:
    """Until intake has a demand for every ticket and submission (its health and read models tell)."""
    deadline = time.monotonic() + timeout
    total = 0
    while time.monotonic() < deadline:
        try:
            total = sum(
                httpx.get(
                    f"http://127.0.0.1:{port}/intake/api/counties/{c}/demands?limit=1",
                    headers={"authorization": f"Bearer {token}"},
                    timeout=5,
                ).json()["total"]
                for c in COUNTIES
            )
        except (httpx.HTTPError, KeyError, ValueError):
            total = 0
        if total >= TICKETS + SUBMISSIONS:
            return
        time.sleep(0.5)
