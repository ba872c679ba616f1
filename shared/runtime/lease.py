"""Leases: the work one replica of a service does for all, on exactly one replica at a time.

N replicas of a service share one PostgreSQL database. Each serves HTTP and reads its share of the
inbound consumers; but the outbox relay, the journal, the audit log, the read-model updater and the
periodic sweeps must run once per service, not once per replica. They run under a lease:

* **PostgreSQL** (``SHISHI_PERSISTENCE=postgres``): a session-level advisory lock, taken with
  ``pg_try_advisory_lock`` on a connection of its own. The lock lives exactly as long as that
  session: when the holding process dies the kernel closes its socket and the server ends the session
  at once; when its machine dies (or the network to it), TCP keepalives and ``tcp_user_timeout`` end
  it within about 10 s. The others try every ``SHISHI_LEASE_POLL_SECONDS`` (1 s), so one takes over
  well within 15 s. The holder checks every poll that its session still holds the lock and stops the
  leased work at once when it does not (a partitioned holder stops itself).
* **SQLite** (one machine): an exclusive ``fcntl`` lock on a file in the service's data directory,
  released by the kernel when the process dies.

``LeaseKeeper`` runs the loop: take the lease when free, start the leased work, keep checking,
stop the work when the lease is lost, release it when stopping.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import os
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import structlog

from shared.config import Settings

log = structlog.get_logger("shishi.lease")

CLASS_ID = 0x5348  # "SH": the first key of every lease's two-key advisory lock (the views use one-key locks)


def lease_key(name: str) -> int:
    """A stable, positive 31-bit key for ``name`` (the second key of the advisory lock)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big") & 0x7FFFFFFF


class Lease(Protocol):
    name: str

    def try_acquire(self) -> bool:
        """Take the lease if it is free; True when this process holds it now."""

    def still_held(self) -> bool:
        """Whether this process still holds the lease (False when its session or connection is gone)."""

    def release(self) -> None:
        """Give the lease up (nothing when not held)."""


class PostgresLease:
    """A session-level advisory lock ``(CLASS_ID, lease_key(name))`` on a connection of its own."""

    SERVER_SIDE = (
        "SET tcp_keepalives_idle = 5",
        "SET tcp_keepalives_interval = 2",
        "SET tcp_keepalives_count = 3",
        "SET tcp_user_timeout = 10000",
    )

    def __init__(self, env: dict[str, str], name: str) -> None:
        """``env``: the service's ``POSTGRES_*`` settings (``Settings.eventsourcing_env``)."""
        self.env = env
        self.name = name
        self.key = lease_key(name)
        self._conn: Any = None

    def _connect(self) -> Any:
        import psycopg

        conn = psycopg.connect(
            host=self.env["POSTGRES_HOST"],
            port=self.env["POSTGRES_PORT"],
            user=self.env["POSTGRES_USER"],
            password=self.env["POSTGRES_PASSWORD"],
            dbname=self.env["POSTGRES_DBNAME"],
            autocommit=True,
            connect_timeout=5,
            application_name=f"shishi-lease:{self.name}:{os.getpid()}"[:63],  # who holds it: pg_stat_activity
            # our side too: idle connections probed every 2 s after 5 s, a write unanswered for 10 s ends it
            keepalives=1,
            keepalives_idle=5,
            keepalives_interval=2,
            keepalives_count=3,
            tcp_user_timeout=10_000,
        )
        for statement in self.SERVER_SIDE:  # the server's side of the session ends as fast
            with contextlib.suppress(Exception):  # not on every platform (tcp_user_timeout: Linux)
                conn.execute(statement)
        return conn

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):  # gone already
                conn.close()

    def try_acquire(self) -> bool:
        try:
            if self._conn is None or self._conn.closed:
                self._conn = self._connect()
            row = self._conn.execute("SELECT pg_try_advisory_lock(%s, %s)", (CLASS_ID, self.key)).fetchone()
            return bool(row and row[0])
        except Exception as exc:  # noqa: BLE001 - the database is away: not held, tried again next poll
            log.warning("lease_try_failed", lease=self.name, error=str(exc))
            self._drop()
            return False

    def still_held(self) -> bool:
        if self._conn is None or self._conn.closed:
            return False
        try:
            row = self._conn.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() "
                "AND classid = %s AND objid = %s AND objsubid = 2 AND granted",
                (CLASS_ID, self.key),
            ).fetchone()
            return bool(row and row[0])
        except Exception as exc:  # noqa: BLE001 - the session is gone, and the lock with it
            log.warning("lease_check_failed", lease=self.name, error=str(exc))
            self._drop()
            return False

    def release(self) -> None:
        if self._conn is not None and not self._conn.closed:
            with contextlib.suppress(Exception):  # closing the session releases it anyway
                self._conn.execute("SELECT pg_advisory_unlock(%s, %s)", (CLASS_ID, self.key))
        self._drop()


class FileLease:
    """An exclusive ``fcntl`` lock on ``path`` (one machine, SQLite)."""

    def __init__(self, path: Path, name: str) -> None:
        self.path = path
        self.name = name
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        if self._fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd
        return True

    def still_held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)


def make_lease(settings: Settings, role: str) -> Lease:
    """The lease ``<service>:<role>`` of this service (``role``: ``primary`` for the service's leased work,
    ``followers`` for its companion process)."""
    name = f"{settings.service}:{role}"
    if settings.persistence == "postgres":
        return PostgresLease(settings.eventsourcing_env(), name)
    return FileLease(settings.service_dir / f"lease-{role}.lock", name)


Work = Callable[[], Awaitable[None]]


class LeaseKeeper:
    """Takes ``lease`` when it is free and runs ``on_acquired``; checks it every ``poll_seconds`` and runs
    ``on_lost`` as soon as it is lost, or when stopping (then releases it)."""

    def __init__(self, lease: Lease, *, poll_seconds: float, on_acquired: Work, on_lost: Work) -> None:
        self.lease = lease
        self.poll_seconds = poll_seconds
        self.on_acquired = on_acquired
        self.on_lost = on_lost
        self.held = False
        self.since: datetime | None = None  # when this process last took the lease
        self.acquisitions = 0
        self.losses = 0

    async def acquire_once(self) -> bool:
        """One attempt (at start, so the first replica up leads at once); True when held."""
        if not self.held and await asyncio.to_thread(self.lease.try_acquire):
            await self._gained()
        return self.held

    async def _gained(self) -> None:
        self.held = True
        self.since = datetime.now(UTC)
        self.acquisitions += 1
        started = time.monotonic()
        log.info("lease_acquired", lease=self.lease.name, pid=os.getpid())
        try:
            await self.on_acquired()
        except Exception as exc:  # noqa: BLE001 - could not start the work: give the lease to another replica
            log.error("lease_work_failed", lease=self.lease.name, error=repr(exc))
            await self._lost("lease_given_up")
            return
        log.info("lease_work_started", lease=self.lease.name, seconds=round(time.monotonic() - started, 3))

    async def _lost(self, why: str) -> None:
        self.held = False
        self.since = None
        self.losses += 1
        (log.info if why == "lease_released" else log.warning)(why, lease=self.lease.name, pid=os.getpid())
        try:
            await self.on_lost()
        finally:
            await asyncio.to_thread(self.lease.release)

    async def run(self, stopping: asyncio.Event) -> None:
        try:
            while not stopping.is_set():
                if self.held:
                    if not await asyncio.to_thread(self.lease.still_held):
                        await self._lost("lease_lost")
                else:
                    await self.acquire_once()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stopping.wait(), timeout=self.poll_seconds)
        finally:
            if self.held:
                await self._lost("lease_released")

    def status(self) -> dict[str, Any]:
        """What ``/healthz`` says about it."""
        return {
            "name": self.lease.name,
            "held": self.held,
            "since": self.since.isoformat() if self.since else None,
            "acquisitions": self.acquisitions,
        }
