"""The append-only Merkle log a service keeps over its own event store.

It follows the service's notification log (as the outbox relay does) and appends one leaf per
stored event: the leaf hashes, every complete aligned subtree hash (so proofs cost O(log² n)
lookups) and the signed checkpoints. On SQLite they live in a sidecar file beside the store,
``<data dir>/<service>/audit.sqlite``; on PostgreSQL in the service's own database (tables
``audit_leaves``, ``audit_nodes``, ``audit_checkpoints``), so every replica shares one log, a pod's
disk holds none of it, and a backup of the database carries it. The log is an index, not the source
of trust: the verifier recomputes every leaf from the store and checks it against the signed
checkpoints.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from shared.audit.leaf import StoredRecord, record_of
from shared.audit.merkle import (
    EMPTY_ROOT,
    consistency_proof,
    inclusion_proof,
    node_hash,
)
from shared.audit.signing import Checkpoint, Signer
from shared.persistence.schema import create_schema

SCHEMA = [
    (
        "CREATE TABLE IF NOT EXISTS leaves (idx INTEGER PRIMARY KEY, notification_id INTEGER NOT NULL, "
        "originator_id TEXT NOT NULL, version INTEGER NOT NULL, hash BLOB NOT NULL)"
    ),
    "CREATE INDEX IF NOT EXISTS leaves_originator ON leaves (originator_id, version)",
    "CREATE INDEX IF NOT EXISTS leaves_notification ON leaves (notification_id)",
    (
        "CREATE TABLE IF NOT EXISTS nodes (level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL, "
        "PRIMARY KEY (level, idx)) WITHOUT ROWID"
    ),
    (
        "CREATE TABLE IF NOT EXISTS checkpoints (seq INTEGER PRIMARY KEY AUTOINCREMENT, service TEXT NOT NULL, "
        "size INTEGER NOT NULL, root TEXT NOT NULL, time TEXT NOT NULL, key_id TEXT NOT NULL, "
        "signature TEXT NOT NULL, published INTEGER NOT NULL DEFAULT 0)"
    ),
]


POSTGRES_SCHEMA = [
    (
        "CREATE TABLE IF NOT EXISTS audit_leaves (idx BIGINT PRIMARY KEY, notification_id BIGINT NOT NULL, "
        "originator_id TEXT NOT NULL, version INTEGER NOT NULL, hash BYTEA NOT NULL)"
    ),
    "CREATE INDEX IF NOT EXISTS audit_leaves_originator ON audit_leaves (originator_id, version)",
    "CREATE INDEX IF NOT EXISTS audit_leaves_notification ON audit_leaves (notification_id)",
    (
        "CREATE TABLE IF NOT EXISTS audit_nodes (level INTEGER NOT NULL, idx BIGINT NOT NULL, hash BYTEA NOT NULL, "
        "PRIMARY KEY (level, idx))"
    ),
    (
        "CREATE TABLE IF NOT EXISTS audit_checkpoints (seq BIGSERIAL PRIMARY KEY, service TEXT NOT NULL, "
        "size BIGINT NOT NULL, root TEXT NOT NULL, time TEXT NOT NULL, key_id TEXT NOT NULL, "
        "signature TEXT NOT NULL, published INTEGER NOT NULL DEFAULT 0)"
    ),
]
LOG_LOCK = "SELECT pg_advisory_xact_lock(21320, 1)"  # appends and checkpoints of every replica, one at a time


def sidecar_path(service_dir: Path) -> Path:
    return service_dir / "audit.sqlite"


def postgres_connection(env: dict[str, str]) -> Any:
    """A psycopg connection (autocommit: reads see the latest commit) to ``POSTGRES_*``."""
    import psycopg

    return psycopg.connect(
        host=env["POSTGRES_HOST"],
        port=env["POSTGRES_PORT"],
        user=env["POSTGRES_USER"],
        password=env["POSTGRES_PASSWORD"],
        dbname=env["POSTGRES_DBNAME"],
        autocommit=True,
    )


class MerkleLog:
    """Leaves, subtree hashes and checkpoints of one service's log (SQLite sidecar, or PostgreSQL)."""

    def __init__(self, path: Path | None, service: str, *, postgres: dict[str, str] | None = None) -> None:
        """``path``: the SQLite sidecar; or ``postgres``: the service's ``POSTGRES_*`` settings."""
        self.path = path
        self.service = service
        self._lock = threading.RLock()
        self._db: Any
        if postgres is not None:
            self._db = postgres_connection(postgres)
            self._p, self._t = "%s", "audit_"
            create_schema(self._db, POSTGRES_SCHEMA)
        else:
            assert path is not None
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._p, self._t = "?", ""
            with self._tx() as c:
                for statement in SCHEMA:
                    c.execute(statement)
        self._frontier: dict[int, tuple[int, bytes]] | None = None
        self._frontier_size = -1

    @classmethod
    def on_postgres(cls, env: dict[str, str], service: str) -> MerkleLog:
        return cls(None, service, postgres=env)

    @property
    def location(self) -> str:
        """Where the log lives, for messages."""
        return self.path.name if self.path is not None else "the audit_* tables"

    def _q(self, statement: str) -> str:
        """``statement`` for this database: its placeholder and table names."""
        for table in ("leaves", "nodes", "checkpoints"):
            statement = statement.replace(f"{{{table}}}", self._t + table)
        return statement.replace("?", self._p)

    def _rows(self, statement: str, params: tuple = ()) -> list[Any]:
        with self._lock:
            return list(self._db.execute(self._q(statement), params).fetchall())

    @contextmanager
    def _tx(self) -> Iterator[Any]:
        """A write transaction, one writer at a time across every process sharing the log."""
        with self._lock:
            if self._p == "%s":
                with self._db.transaction():
                    c = self._db.cursor()
                    c.execute(LOG_LOCK)
                    yield _Cursor(c, self._q)
                return
            c = self._db.cursor()
            c.execute("BEGIN IMMEDIATE")
            try:
                yield _Cursor(c, self._q)
            except BaseException:
                c.execute("ROLLBACK")
                raise
            c.execute("COMMIT")

    def close(self) -> None:
        self._db.close()

    # --- appending -------------------------------------------------------------------------

    def size(self) -> int:
        """Leaves are numbered from 0 without gaps: the size is the highest index plus one (an index
        look-up, where counting rows would read them all)."""
        return int(self._rows("SELECT COALESCE(MAX(idx) + 1, 0) FROM {leaves}")[0][0])

    def last_notification_id(self) -> int:
        row = self._rows("SELECT MAX(notification_id) FROM {leaves}")[0]
        return int(row[0] or 0)

    def _load_frontier(self, c: Any) -> dict[int, tuple[int, bytes]]:
        frontier: dict[int, tuple[int, bytes]] = {}
        row = c.execute("SELECT idx, hash FROM {leaves} ORDER BY idx DESC LIMIT 1").fetchone()
        if row:
            frontier[0] = (int(row[0]), bytes(row[1]))
        c.execute(
            "SELECT n.level, n.idx, n.hash FROM {nodes} n JOIN (SELECT level, MAX(idx) AS idx FROM {nodes} "
            "GROUP BY level) m ON n.level = m.level AND n.idx = m.idx"
        )
        for level, idx, h in c.fetchall():
            frontier[int(level)] = (int(idx), bytes(h))
        return frontier

    def append(self, records: list[StoredRecord]) -> int:
        """Append leaves for ``records`` (in notification order); returns the new size."""
        with self._tx() as c:
            i = int(c.execute("SELECT COALESCE(MAX(idx) + 1, 0) FROM {leaves}").fetchone()[0])
            if self._frontier is None or self._frontier_size != i:  # another process appended meanwhile
                self._frontier = self._load_frontier(c)
            last = int(c.execute("SELECT COALESCE(MAX(notification_id), 0) FROM {leaves}").fetchone()[0])
            records = [r for r in records if r.notification_id > last]
            frontier = dict(self._frontier)
            leaves, nodes = [], []
            for record in records:
                h = record.leaf_hash()
                leaves.append((i, record.notification_id, str(record.originator_id), record.version, h))
                level, idx = 0, i
                while idx & 1:
                    left_idx, left = frontier[level]
                    assert left_idx == idx - 1, "audit log frontier out of step"
                    frontier[level] = (idx, h)
                    h = node_hash(left, h)
                    level, idx = level + 1, idx >> 1
                    nodes.append((level, idx, h))
                frontier[level] = (idx, h)
                i += 1
            if leaves:
                c.executemany(
                    "INSERT INTO {leaves} (idx, notification_id, originator_id, version, hash) VALUES (?,?,?,?,?)",
                    leaves,
                )
            if nodes:
                c.executemany("INSERT INTO {nodes} (level, idx, hash) VALUES (?,?,?)", nodes)
        self._frontier, self._frontier_size = frontier, i
        return i

    def follow(self, recorder: Any, batch: int = 2000) -> int:
        """Append every stored event not yet in the log; returns how many were appended."""
        appended = 0
        while True:
            position = self.last_notification_id()
            notifications = recorder.select_notifications(position, batch, None, (), inclusive_of_start=False)
            if not notifications:
                return appended
            self.append([record_of(n) for n in notifications])
            appended += len(notifications)
            if len(notifications) < batch:
                return appended

    # --- reading ---------------------------------------------------------------------------

    def subtree(self, start: int, end: int) -> bytes:
        """MTH(D[start:end]) from the stored aligned subtrees."""
        n = end - start
        if n == 0:
            return EMPTY_ROOT
        if n & (n - 1) == 0 and start % n == 0:
            level = n.bit_length() - 1
            if level == 0:
                rows = self._rows("SELECT hash FROM {leaves} WHERE idx=?", (start,))
            else:
                rows = self._rows("SELECT hash FROM {nodes} WHERE level=? AND idx=?", (level, start >> level))
            row = rows[0] if rows else None
            if row is None:
                raise LookupError(f"subtree [{start}, {end}) is not in the log")
            return bytes(row[0])
        k = 1
        while k << 1 < n:
            k <<= 1
        return node_hash(self.subtree(start, start + k), self.subtree(start + k, end))

    def root(self, size: int | None = None) -> bytes:
        return self.subtree(0, self.size() if size is None else size)

    def leaf_hashes(self) -> list[bytes]:
        return [bytes(r[0]) for r in self._rows("SELECT hash FROM {leaves} ORDER BY idx")]

    def leaf_rows(self) -> list[tuple[int, int, str, int, bytes]]:
        return [
            (int(a), int(b), str(c), int(d), bytes(e))
            for a, b, c, d, e in self._rows(
                "SELECT idx, notification_id, originator_id, version, hash FROM {leaves} ORDER BY idx"
            )
        ]

    def leaf_of(self, originator_id: UUID, version: int) -> tuple[int, int, bytes] | None:
        """(leaf index, notification id, leaf hash) of one stored event."""
        rows = self._rows(
            "SELECT idx, notification_id, hash FROM {leaves} WHERE originator_id=? AND version=?",
            (str(originator_id), version),
        )
        return (int(rows[0][0]), int(rows[0][1]), bytes(rows[0][2])) if rows else None

    def leaf_at(self, index: int) -> tuple[int, str, int, bytes] | None:
        """(notification id, originator id, version, leaf hash) of leaf ``index``."""
        rows = self._rows("SELECT notification_id, originator_id, version, hash FROM {leaves} WHERE idx=?", (index,))
        return (int(rows[0][0]), str(rows[0][1]), int(rows[0][2]), bytes(rows[0][3])) if rows else None

    def inclusion(self, index: int, size: int) -> list[bytes]:
        return inclusion_proof(index, size, self.subtree)

    def consistency(self, old_size: int, new_size: int) -> list[bytes]:
        return consistency_proof(old_size, new_size, self.subtree)

    # --- checkpoints -----------------------------------------------------------------------

    def checkpoints(self) -> list[Checkpoint]:
        rows = self._rows("SELECT service, size, root, time, key_id, signature FROM {checkpoints} ORDER BY seq")
        return [Checkpoint(str(a), int(b), str(c), str(d), str(e), str(f)) for a, b, c, d, e, f in rows]

    def latest_checkpoint(self) -> Checkpoint | None:
        checkpoints = self.checkpoints()
        return max(checkpoints, key=lambda c: c.size) if checkpoints else None

    def keep(self, checkpoint: Checkpoint) -> None:
        with self._tx() as c:
            self._keep(c, checkpoint)

    @staticmethod
    def _keep(c: Any, checkpoint: Checkpoint) -> None:
        c.execute(
            "INSERT INTO {checkpoints} (service, size, root, time, key_id, signature) VALUES (?,?,?,?,?,?)",
            (
                checkpoint.service,
                checkpoint.size,
                checkpoint.root,
                checkpoint.time,
                checkpoint.key_id,
                checkpoint.signature,
            ),
        )

    def checkpoint(self, signer: Signer, now: datetime | None = None) -> Checkpoint | None:
        """Sign the current tree head unless it is already signed; returns the new checkpoint. One at a
        time across every process sharing the log, so two replicas never sign the same head twice."""
        with self._tx() as c:
            size = int(c.execute("SELECT COALESCE(MAX(idx) + 1, 0) FROM {leaves}").fetchone()[0])
            signed = c.execute("SELECT COALESCE(MAX(size), -1) FROM {checkpoints}").fetchone()[0]
            if int(signed) >= size:
                return None
            when = (now or datetime.now(UTC)).astimezone(UTC).isoformat().replace("+00:00", "Z")
            checkpoint = signer.sign(self.service, size, self.root(size).hex(), when)
            self._keep(c, checkpoint)
        return checkpoint

    def unpublished(self) -> list[Checkpoint]:
        rows = self._rows(
            "SELECT service, size, root, time, key_id, signature FROM {checkpoints} WHERE published=0 ORDER BY seq"
        )
        return [Checkpoint(str(a), int(b), str(c), str(d), str(e), str(f)) for a, b, c, d, e, f in rows]

    def mark_published(self, checkpoint: Checkpoint) -> None:
        with self._tx() as c:
            c.execute(
                "UPDATE {checkpoints} SET published=1 WHERE size=? AND root=?", (checkpoint.size, checkpoint.root)
            )

    def exists(self) -> bool:
        """Whether anything was ever logged here (leaves or checkpoints)."""
        return bool(self._rows("SELECT 1 FROM {leaves} LIMIT 1") or self._rows("SELECT 1 FROM {checkpoints} LIMIT 1"))


class _Cursor:
    """A cursor whose statements name the log's tables as ``{leaves}``, ``{nodes}``, ``{checkpoints}`` and
    take ``?`` placeholders, on either database."""

    def __init__(self, cursor: Any, q: Any) -> None:
        self._c, self._q = cursor, q

    def execute(self, statement: str, params: tuple = ()) -> Any:
        self._c.execute(self._q(statement), params)
        return self._c

    def executemany(self, statement: str, rows: list[tuple]) -> None:
        self._c.executemany(self._q(statement), rows)

    def fetchall(self) -> list[Any]:
        return list(self._c.fetchall())
