"""The standalone verifier: recompute every leaf from a service's event store and check it
against the signed checkpoints (and, to say what changed, against the audit log's own leaves).

Needs no running service: it reads the stores, the audit logs and the public keys (under the data
directory, or in each service's PostgreSQL database: ``shared.audit.storage``). Detects edited,
deleted, reordered, inserted and truncated events, checkpoints whose signature fails, and
checkpoints that fork (two tree heads no single log can have).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any
from uuid import UUID

from shared.audit.leaf import StoredRecord, record_of
from shared.audit.log import MerkleLog, sidecar_path
from shared.audit.merkle import EMPTY_ROOT, node_hash, verify_consistency
from shared.audit.signing import (
    Checkpoint,
    public_key_from_text,
    public_key_text,
    read_public_key,
    verify_signature,
)
from shared.audit.storage import existing_log, public_key_for
from shared.config import Settings


class RootAccumulator:
    """Roots of every prefix of a leaf sequence, in one pass (a compact range)."""

    def __init__(self) -> None:
        self.stack: list[tuple[int, bytes]] = []
        self.size = 0

    def push(self, h: bytes) -> None:
        size = 1
        while self.stack and self.stack[-1][0] == size:
            left = self.stack.pop()[1]
            h = node_hash(left, h)
            size *= 2
        self.stack.append((size, h))
        self.size += 1

    def root(self) -> bytes:
        if not self.stack:
            return EMPTY_ROOT
        h = self.stack[-1][1]
        for _, left in reversed(self.stack[:-1]):
            h = node_hash(left, h)
        return h


@dataclass
class Problem:
    kind: (
        str  # edited | deleted | inserted | reordered | truncated | checkpoint_mismatch | fork | bad_signature | no_key
    )
    detail: str
    notification_id: int | None = None

    def as_dict(self) -> dict:
        return {"kind": self.kind, "detail": self.detail, "notification_id": self.notification_id}


@dataclass
class ServiceReport:
    service: str
    events: int = 0
    leaves: int = 0
    checkpoints: int = 0
    covered: int = 0  # events covered by the latest valid checkpoint
    latest: dict | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        return {
            "service": self.service,
            "ok": self.ok,
            "events": self.events,
            "leaves": self.leaves,
            "checkpoints": self.checkpoints,
            "covered": self.covered,
            "latest_checkpoint": self.latest,
            "problems": [p.as_dict() for p in self.problems],
        }


def store_records(recorder: Any, batch: int = 5000) -> Iterator[StoredRecord]:
    """Every stored event in notification order (straight from the table on SQLite)."""
    if hasattr(recorder, "datastore") and "SQLite" in type(recorder).__name__:
        yield from sqlite_records(recorder, batch)
        return
    position = 0
    while True:
        notifications = recorder.select_notifications(position, batch, None, (), inclusive_of_start=False)
        for n in notifications:
            yield record_of(n)
        if len(notifications) < batch:
            return
        position = notifications[-1].id


def sqlite_records(recorder: Any, batch: int) -> Iterator[StoredRecord]:
    position = 0
    table = getattr(recorder, "events_table_name", "stored_events")
    while True:
        with recorder.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT rowid, originator_id, originator_version, topic, state FROM {table} "
                "WHERE rowid > ? ORDER BY rowid LIMIT ?",
                (position, batch),
            )
            rows = c.fetchall()
        for nid, oid, version, topic, state in rows:
            yield StoredRecord(nid, oid, version, topic, bytes(state))
        if len(rows) < batch:
            return
        position = rows[-1][0]


def check_checkpoints(
    service: str, checkpoints: list[Checkpoint], public: Any, log: MerkleLog | None, report: ServiceReport
) -> list[Checkpoint]:
    """Signatures and forks; returns the checkpoints whose signature holds, by size."""
    valid = []
    for cp in checkpoints:
        if cp.service != service:
            report.problems.append(Problem("bad_signature", f"checkpoint of size {cp.size} names service {cp.service}"))
        elif public is None:
            report.problems.append(Problem("no_key", f"no public key to check the checkpoint of size {cp.size}"))
        elif not verify_signature(cp, public):
            report.problems.append(Problem("bad_signature", f"checkpoint of size {cp.size} has an invalid signature"))
        else:
            valid.append(cp)
    valid.sort(key=lambda c: (c.size, c.time))
    for a, b in pairwise(valid):
        if a.size == b.size:
            if a.root != b.root:
                report.problems.append(Problem("fork", f"two checkpoints of size {a.size} with different roots"))
            continue
        if log is None or b.size > log.size():
            continue  # cannot build the proof here; the store check below still covers both
        proof = log.consistency(a.size, b.size)
        if not verify_consistency(a.size, b.size, bytes.fromhex(a.root), bytes.fromhex(b.root), proof):
            report.problems.append(
                Problem(
                    "fork",
                    f"checkpoint of size {b.size} ({b.time}) does not extend checkpoint of size {a.size} ({a.time})",
                )
            )
    return valid


def diagnose(store: list[tuple[UUID, int, bytes, int]], log: MerkleLog, report: ServiceReport) -> None:
    """Say what changed by comparing the store with the log's own leaves (first divergence)."""
    logged_hashes = log.leaf_hashes()
    report.leaves = len(logged_hashes)
    for i, (oid, version, h, nid) in enumerate(store):
        if i >= len(logged_hashes):
            return  # events newer than the log: not yet appended
        if h == logged_hashes[i]:
            continue
        logged = log.leaf_at(i)
        assert logged is not None  # ``i`` is below the log's size
        logged_nid, logged_oid, logged_version, _ = logged
        following = log.leaf_at(i + 1)
        key, logged_key = (str(UUID(str(oid))), version), (logged_oid, logged_version)
        nxt = (str(UUID(str(store[i + 1][0]))), store[i + 1][1]) if i + 1 < len(store) else None
        logged_nxt = (following[1], following[2]) if following else None
        if key == logged_key:
            kind, detail = "edited", f"event {key[0]} v{version} (notification {nid}) differs from what was logged"
        elif nxt == logged_key and key == logged_nxt:
            kind, detail = "reordered", f"events at notifications {nid} and {store[i + 1][3]} swapped places"
        elif key == logged_nxt:
            kind, detail = "deleted", f"event {logged_oid} v{logged_version} (notification {logged_nid}) is missing"
        elif nxt == logged_key:
            kind, detail = "inserted", f"event {key[0]} v{version} (notification {nid}) was never logged"
        else:
            kind, detail = (
                "edited",
                f"notification {nid} holds event {key[0]} v{version}, logged was {logged_oid} v{logged_version}",
            )
        report.problems.append(Problem(kind, detail, notification_id=nid))
        return
    if len(store) < len(logged_hashes):
        lost = log.leaf_at(len(store))
        lost_nid = lost[0] if lost else None
        report.problems.append(
            Problem(
                "truncated",
                f"the store ends at {len(store)} events; the log holds "
                f"{len(logged_hashes)} (first missing: notification {lost_nid})",
                notification_id=lost_nid,
            )
        )


@dataclass
class Trusted:
    """What an auditor kept from an earlier look, outside the data directory: the service's public key
    and checkpoints (a pin file, ``--key``, ``--checkpoint``). The store must still give each
    checkpoint's root at its size (else it was re-signed or rewritten) and hold at least its size (else
    it was rolled back), and the key must be the same (else it was swapped)."""

    public_key: str | None = None
    checkpoints: list[Checkpoint] = field(default_factory=list)


def verify_service(
    service: str,
    data_dir: Path,
    records: Iterable[StoredRecord],
    witnessed: Iterable[Checkpoint] = (),
    trusted: Trusted | None = None,
    *,
    settings: Settings | None = None,
) -> ServiceReport:
    """``witnessed``: checkpoints kept elsewhere (published on NATS), checked like the local ones,
    so a rewritten sidecar cannot hide an earlier, different history. ``trusted``: a key and
    checkpoints kept by the auditor (:class:`Trusted`). ``settings``: the service's settings, where
    its log and public key are found (on PostgreSQL: in its database, ``shared.audit.storage``);
    without, the SQLite sidecar and key files under ``data_dir``."""
    report = ServiceReport(service)
    trusted = trusted or Trusted()
    public = public_key_for(settings) if settings is not None else read_public_key(data_dir, service)
    if trusted.public_key is not None:
        current = public_key_text(public) if public is not None else None
        if current != trusted.public_key.strip():
            report.problems.append(
                Problem("key_changed", f"the signing key in the data dir ({current}) is not the trusted one")
            )
        public = public_key_from_text(trusted.public_key)
    anchors: dict[int, list[Checkpoint]] = {}
    for cp in trusted.checkpoints:
        if cp.service != service or public is None or not verify_signature(cp, public):
            report.problems.append(
                Problem("bad_signature", f"the trusted checkpoint of size {cp.size} is not signed by the trusted key")
            )
        else:
            anchors.setdefault(cp.size, []).append(cp)
    if settings is not None:
        log = existing_log(settings)
    else:
        path = sidecar_path(data_dir / service)
        log = MerkleLog(path, service) if path.exists() else None
    where = log.location if log is not None else "audit log"
    try:
        checkpoints = log.checkpoints() if log else []
        checkpoints += [c for c in witnessed if c not in checkpoints]
        report.checkpoints = len(checkpoints)
        valid = check_checkpoints(service, checkpoints, public, log, report)
        by_size: dict[int, list[Checkpoint]] = {}
        for cp in valid:
            by_size.setdefault(cp.size, []).append(cp)
        acc = RootAccumulator()
        store: list[tuple[UUID, int, bytes, int]] = []

        def check_at(size: int) -> None:
            for cp in by_size.get(size, []):
                if acc.root().hex() != cp.root:
                    report.problems.append(
                        Problem(
                            "checkpoint_mismatch",
                            f"the stored events do not give the signed root of checkpoint size {size} ({cp.time})",
                        )
                    )
                else:
                    report.covered = max(report.covered, size)
            for cp in anchors.get(size, []):
                if acc.root().hex() != cp.root:
                    report.problems.append(
                        Problem(
                            "rewritten",
                            f"the first {size} stored events do not give the root of the checkpoint kept "
                            f"since {cp.time}: history was rewritten (or re-signed)",
                        )
                    )

        check_at(0)
        for record in records:
            h = record.leaf_hash()
            acc.push(h)
            store.append((UUID(str(record.originator_id)), record.version, h, record.notification_id))
            check_at(acc.size)
        report.events = acc.size
        for size in sorted(s for s in anchors if s > acc.size):
            report.problems.append(
                Problem(
                    "rolled_back",
                    f"a checkpoint kept since {anchors[size][0].time} signs {size} events; the store holds {acc.size}",
                )
            )
        if acc.size and (log is None or log.size() == 0) and not checkpoints:
            report.problems.append(
                Problem("log_missing", f"{acc.size} events are stored but the audit log ({where}) is missing or empty")
            )
        longest = max(by_size, default=0)
        if longest > acc.size:
            report.problems.append(
                Problem("truncated", f"a checkpoint signs {longest} events; the store holds {acc.size}")
            )
        if log is not None:
            diagnose(store, log, report)
        latest = max(valid, key=lambda c: c.size, default=None)
        report.latest = latest.as_dict() if latest else None
    finally:
        if log is not None:
            log.close()
    return report
