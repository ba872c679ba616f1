"""Leases (shared/runtime/lease.py): one holder at a time, and a dead holder's lease free at once.

On PostgreSQL (an advisory lock held by a session) and on one machine (an fcntl lock on a file): a
second contender is refused while the first holds it; a holder killed with SIGKILL loses it at once
and the other takes it on its next poll; a holder whose session is ended by the server notices on
its next check; ``LeaseKeeper`` starts and stops the leased work as the lease comes and goes."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from shared.config import Settings
from shared.runtime.lease import FileLease, LeaseKeeper, PostgresLease, lease_key, make_lease
from tests.fixtures.backends import BACKENDS, postgres_settings

HOLD = textwrap.dedent(
    """
    import sys, time
    from shared.config import Settings
    from shared.runtime.lease import make_lease
    settings = Settings.model_validate_json(sys.argv[1])
    lease = make_lease(settings, "primary")
    while not lease.try_acquire():
        time.sleep(0.05)
    print("held", flush=True)
    time.sleep(600)
    """
)


def settings_for(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    if backend == "postgres":
        return postgres_settings(request.getfixturevalue("postgres_env"), tmp_path / "data")
    return Settings(service="intake", data_dir=tmp_path / "data")


@pytest.mark.parametrize("backend", BACKENDS)
def test_one_holder_and_a_killed_holders_lease_is_taken_at_once(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    settings = settings_for(backend, tmp_path, request)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, settings.model_dump_json()],
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    other = make_lease(settings, "primary")
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"held"
        assert not other.try_acquire() and not other.still_held()
        assert make_lease(settings, "followers").try_acquire()  # another role is another lease
        os.kill(holder.pid, signal.SIGKILL)
        killed = time.monotonic()
        holder.wait()
        while not other.try_acquire():
            assert time.monotonic() - killed < 5, "the dead holder's lease was not freed"
            time.sleep(0.05)
        assert other.still_held()
        print(f"{backend}: lease taken {time.monotonic() - killed:.2f} s after the holder's SIGKILL")
    finally:
        other.release()
        if holder.poll() is None:
            holder.kill()
            holder.wait()


@pytest.mark.postgres
def test_a_holder_whose_session_ended_knows_it_and_another_takes_the_lease(postgres_env: dict[str, str]) -> None:
    first, second = PostgresLease(postgres_env, "decision:primary"), PostgresLease(postgres_env, "decision:primary")
    assert first.try_acquire() and first.still_held()
    assert not second.try_acquire()
    admin = PostgresLease(postgres_env, "admin")
    assert admin.try_acquire()
    admin._conn.execute(  # noqa: SLF001 - what a failover or an administrator does to the holder's session
        "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s",
        (lease_key("decision:primary"),),
    )
    assert not first.still_held()
    assert second.try_acquire() and second.still_held()
    second.release()
    admin.release()
    assert first.try_acquire()  # it reconnects and takes it again once free
    first.release()


def test_a_file_lease_is_exclusive_and_released(tmp_path: Path) -> None:
    path = tmp_path / "lease-primary.lock"
    first, second = FileLease(path, "intake:primary"), FileLease(path, "intake:primary")
    assert first.try_acquire() and not second.try_acquire()
    first.release()
    assert second.try_acquire() and second.still_held()
    second.release()


@pytest.mark.parametrize("backend", BACKENDS)
async def test_the_keeper_starts_the_work_once_and_moves_it_when_the_holder_stops(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    settings = settings_for(backend, tmp_path, request).model_copy(update={"lease_poll_seconds": 0.1})
    running: list[str] = []
    events: list[str] = []

    def keeper(name: str) -> LeaseKeeper:
        async def start() -> None:
            running.append(name)
            events.append(f"{name} started")

        async def stop() -> None:
            running.remove(name)
            events.append(f"{name} stopped")

        return LeaseKeeper(make_lease(settings, "primary"), poll_seconds=0.1, on_acquired=start, on_lost=stop)

    a, b = keeper("a"), keeper("b")
    stop_a, stop_b = asyncio.Event(), asyncio.Event()
    assert await a.acquire_once()
    tasks = [asyncio.create_task(a.run(stop_a)), asyncio.create_task(b.run(stop_b))]
    await asyncio.sleep(0.5)
    assert running == ["a"] and a.status()["held"] and not b.status()["held"]
    stop_a.set()
    await tasks[0]
    deadline = time.monotonic() + 5
    while running != ["b"]:
        assert time.monotonic() < deadline, events
        await asyncio.sleep(0.05)
    stop_b.set()
    await tasks[1]
    assert events == ["a started", "a stopped", "b started", "b stopped"]
    assert running == []
