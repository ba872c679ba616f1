"""The append-only Merkle log a service keeps over its own event store.

It follows the service's notification log (as the outbox relay does) and appends one leaf per
stored event to a sidecar SQLite file, ``<data dir>/<service>/audit.sqlite``: the leaf hashes,
every complete aligned subtree hash (so proofs cost O(log² n) lookups) and the signed
checkpoints. The sidecar is an index, not the source of trust: the verifier recomputes every
leaf from the store and checks it against the signed checkpoints.
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


def sidecar_path(service_dir: Path) -> Path:
    return service_dir / "audit.sqlite"


class MerkleLog:
    """Leaves, subtree hashes and checkpoints of one service's log."""

    def __init__(self, path: Path, service: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.service = service
        self._lock = threading.RLock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        with self._tx() as c:
            for statement in SCHEMA:
                c.execute(statement)
        self._frontier: dict[int, tuple[int, bytes]] | None = None
        self._frontier_size = -1

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Cursor]:
        with self._lock:
            c = self._db.cursor()
            c.execute("BEGIN IMMEDIATE")
            try:
                yield c
            except BaseException:
                c.execute("ROLLBACK")
                raise
            c.execute("COMMIT")

    def close(self) -> None:
        self._db.close()

    # --- appending -------------------------------------------------------------------------

    def size(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM leaves").fetchone()[0])

    def last_notification_id(self) -> int:
        with self._lock:
            row = self._db.execute("SELECT MAX(notification_id) FROM leaves").fetchone()
            return int(row[0] or 0)

    def _load_frontier(self) -> dict[int, tuple[int, bytes]]:
        frontier: dict[int, tuple[int, bytes]] = {}
        row = self._db.execute("SELECT idx, hash FROM leaves ORDER BY idx DESC LIMIT 1").fetchone()
        if row:
            frontier[0] = (int(row[0]), bytes(row[1]))
        for level, idx, h in self._db.execute(
            "SELECT n.level, n.idx, n.hash FROM nodes n "
            "JOIN (SELECT level, MAX(idx) AS idx FROM nodes GROUP BY level) m ON n.level = m.level AND n.idx = m.idx"
        ):
            frontier[int(level)] = (int(idx), bytes(h))
        return frontier

    def append(self, records: list[StoredRecord]) -> int:
        """Append leaves for ``records`` (in notification order); returns the new size."""
        with self._tx() as c:
            i = int(c.execute("SELECT COUNT(*) FROM leaves").fetchone()[0])
            if self._frontier is None or self._frontier_size != i:  # another process appended meanwhile
                self._frontier = self._load_frontier()
            last = int(c.execute("SELECT COALESCE(MAX(notification_id), 0) FROM leaves").fetchone()[0])
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
            c.executemany(
                "INSERT INTO leaves (idx, notification_id, originator_id, version, hash) VALUES (?,?,?,?,?)", leaves
            )
            c.executemany("INSERT INTO nodes (level, idx, hash) VALUES (?,?,?)", nodes)
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
            with self._lock:
                if level == 0:
                    row = self._db.execute("SELECT hash FROM leaves WHERE idx=?", (start,)).fetchone()
                else:
                    row = self._db.execute(
                        "SELECT hash FROM nodes WHERE level=? AND idx=?", (level, start >> level)
                    ).fetchone()
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
        with self._lock:
            return [bytes(r[0]) for r in self._db.execute("SELECT hash FROM leaves ORDER BY idx")]

    def leaf_rows(self) -> list[tuple[int, int, str, int, bytes]]:
        with self._lock:
            return [
                (int(a), int(b), str(c), int(d), bytes(e))
                for a, b, c, d, e in self._db.execute(
                    "SELECT idx, notification_id, originator_id, version, hash FROM leaves ORDER BY idx"
                )
            ]

    def leaf_of(self, originator_id: UUID, version: int) -> tuple[int, int, bytes] | None:
        """(leaf index, notification id, leaf hash) of one stored event."""
        with self._lock:
            row = self._db.execute(
                "SELECT idx, notification_id, hash FROM leaves WHERE originator_id=? AND version=?",
                (str(originator_id), version),
            ).fetchone()
        return (int(row[0]), int(row[1]), bytes(row[2])) if row else None

    def leaf_at(self, index: int) -> tuple[int, str, int, bytes] | None:
        """(notification id, originator id, version, leaf hash) of leaf ``index``."""
        with self._lock:
            row = self._db.execute(
                "SELECT notification_id, originator_id, version, hash FROM leaves WHERE idx=?", (index,)
            ).fetchone()
        return (int(row[0]), str(row[1]), int(row[2]), bytes(row[3])) if row else None

    def inclusion(self, index: int, size: int) -> list[bytes]:
        return inclusion_proof(index, size, self.subtree)

    def consistency(self, old_size: int, new_size: int) -> list[bytes]:
        return consistency_proof(old_size, new_size, self.subtree)

    # --- checkpoints -----------------------------------------------------------------------

    def checkpoints(self) -> list[Checkpoint]:
        with self._lock:
            rows = self._db.execute(
                "SELECT service, size, root, time, key_id, signature FROM checkpoints ORDER BY seq"
            ).fetchall()
        return [Checkpoint(str(a), int(b), str(c), str(d), str(e), str(f)) for a, b, c, d, e, f in rows]

    def latest_checkpoint(self) -> Checkpoint | None:
        checkpoints = self.checkpoints()
        return max(checkpoints, key=lambda c: c.size) if checkpoints else None

    def keep(self, checkpoint: Checkpoint) -> None:
        with self._tx() as c:
            c.execute(
                "INSERT INTO checkpoints (service, size, root, time, key_id, signature) VALUES (?,?,?,?,?,?)",
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
        """Sign the current tree head unless it is already signed; returns the new checkpoint."""
        size = self.size()
        latest = self.latest_checkpoint()
        if latest is not None and latest.size == size:
            return None
        when = (now or datetime.now(UTC)).astimezone(UTC).isoformat().replace("+00:00", "Z")
        checkpoint = signer.sign(self.service, size, self.root(size).hex(), when)
        self.keep(checkpoint)
        return checkpoint

    def unpublished(self) -> list[Checkpoint]:
        with self._lock:
            rows = self._db.execute(
                "SELECT service, size, root, time, key_id, signature FROM checkpoints WHERE published=0 ORDER BY seq"
            ).fetchall()
        return [Checkpoint(str(a), int(b), str(c), str(d), str(e), str(f)) for a, b, c, d, e, f in rows]

    def mark_published(self, checkpoint: Checkpoint) -> None:
        with self._tx() as c:
            c.execute("UPDATE checkpoints SET published=1 WHERE size=? AND root=?", (checkpoint.size, checkpoint.root))
