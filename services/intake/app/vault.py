"""The residents' key store (crypto-shredding): one AES-256-GCM key per resident contact.

A resident's name, phone and exact address are stored in intake's event store only as
ciphertext sealed with that resident's own key. The keys live here, outside the event store
(``<data dir>/intake/keys.sqlite``, or the table ``resident_keys`` in intake's PostgreSQL
database). Erasing a resident destroys the key: the ciphertext in the event store, its
backups and any copy of it become unreadable, while the history of events stays intact.
This is the only place in the product where a row is ever deleted.

A key must be on disk before the first event sealed with it, so a resident's demand would wait for
two commits (the key, then the events). Instead each county keeps ``SPARES`` keys stored ahead, under
contact ids of their own: a submission's new contact takes one (``take_spare``) and its request
writes only its events; a background thread stores more when fewer than ``SPARE_LOW`` are left. A
spare never taken is deleted when the vault closes (after a crash it stays, as a key does whose
events failed to save: a key no event refers to). The hotline's contact ids are derived from the
ticket, so its keys are made and written with each batch (``flush``), one commit for the batch.
"""

from __future__ import annotations

import base64
import os
import sqlite3
import threading
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import structlog
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.persistence import IntegrityError

from shared.persistence.schema import create_schema
from shared.persistence.side_tables import postgres_connection

SPARES = 32  # keys stored ahead per county (module docstring)
SPARE_LOW = 8  # fewer left: store SPARES more in the background
log = structlog.get_logger("shishi.vault")

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS resident_keys (contact_id TEXT PRIMARY KEY, county TEXT NOT NULL, key BYTEA NOT NULL)"
)


class KeyTaken(IntegrityError):
    """A key made for a contact lost the race to another writer's: what was sealed with it must be
    sealed again (the batch is applied again; an ``IntegrityError``, as a conflicting write is)."""


class KeyErased(LookupError):
    """The resident's key was destroyed (or never existed): the details cannot be read."""


class ContactVault:
    """Seals and opens residents' contact details; ``erase`` destroys a resident's key."""

    def __init__(
        self, *, sqlite_path: Path | None = None, postgres: dict[str, str] | None = None, spares: int = SPARES
    ) -> None:
        """``spares``: keys stored ahead per county (0: every new contact's key is written with its events)."""
        self._lock = threading.Lock()
        self._local = threading.local()  # keys made on this thread, written with its next save
        self._spare_count = spares
        self._spares: dict[str, deque[tuple[UUID, bytes]]] = {}
        self._refilling: set[str] = set()
        self._spare_lock = threading.Lock()
        self._refiller: ThreadPoolExecutor | None = None
        self._closed = False
        if postgres:
            self._conn: Any = postgres_connection(postgres, autocommit=True)
            self._p = "%s"
            self.location = f"postgresql://{postgres['POSTGRES_HOST']}/{postgres['POSTGRES_DBNAME']}#resident_keys"
        else:
            assert sqlite_path is not None
            sqlite_path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(str(sqlite_path), check_same_thread=False, isolation_level=None)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA secure_delete=ON")  # a destroyed key is overwritten on disk
            self._p = "?"
            self.location = str(sqlite_path)
        if self._p == "%s":
            create_schema(self._conn, [SCHEMA])
        else:
            self._conn.execute(SCHEMA.replace("BYTEA", "BLOB"))

    @contextmanager
    def _cursor(self) -> Iterator[Any]:
        with self._lock:
            cursor = self._conn.cursor()
            try:
                yield cursor
            finally:
                cursor.close()

    def _key(self, contact_id: UUID) -> bytes:
        with self._cursor() as c:
            c.execute(f"SELECT key FROM resident_keys WHERE contact_id={self._p}", (str(contact_id),))
            row = c.fetchone()
        if row is None:
            raise KeyErased(str(contact_id))
        return bytes(row[0])

    def prefetch(self, contact_ids: list[UUID]) -> None:
        """Look the keys of a whole batch's contacts up in one query (``seal`` then asks no more);
        forgotten with the batch (``flush`` / ``discard_pending``)."""
        if not contact_ids:
            return
        found: dict[UUID, bytes] = {}
        p = self._p
        for start in range(0, len(contact_ids), 500):
            chunk = [str(c) for c in contact_ids[start : start + 500]]
            with self._cursor() as c:
                c.execute(
                    f"SELECT contact_id, key FROM resident_keys WHERE contact_id IN ({','.join([p] * len(chunk))})",
                    chunk,
                )
                found.update((UUID(row[0]), bytes(row[1])) for row in c.fetchall())
        self._local.known = {cid: found.get(cid) for cid in contact_ids}  # None: no key yet

    def _pending(self) -> dict[UUID, tuple[str, bytes]]:
        pending = getattr(self._local, "pending", None)
        if pending is None:
            pending = self._local.pending = {}
        return pending

    def seal(self, contact_id: UUID, county: str, fields: dict[str, str]) -> dict[str, str]:
        """Make the resident's key (once) and encrypt each field with it. The new key is written by
        ``flush`` — the application calls it right before saving the events, in one transaction
        per batch — so a thousand hotline tickets cost one key-store commit, not a thousand."""
        pending = self._pending()
        known: dict[UUID, bytes | None] = getattr(self._local, "known", None) or {}
        taken: dict[UUID, bytes] = getattr(self._local, "taken", None) or {}
        if contact_id in taken:
            key = taken[contact_id]
        elif contact_id in pending:
            key = pending[contact_id][1]
        elif (found := known.get(contact_id)) is not None:
            key = found
        else:
            try:
                if contact_id in known:  # looked up with the batch: no key yet
                    raise KeyErased(str(contact_id))
                key = self._key(contact_id)
            except KeyErased:
                key = AESGCM.generate_key(bit_length=256)
                pending[contact_id] = (county, key)
        aead = AESGCM(key)
        sealed = {}
        for name, value in fields.items():
            nonce = os.urandom(12)
            blob = aead.encrypt(nonce, value.encode("utf-8"), f"{contact_id}:{name}".encode())
            sealed[name] = base64.b64encode(nonce + blob).decode("ascii")
        return sealed

    def flush(self) -> None:
        """Write the keys made on this thread (before the events that use them are saved). Two replicas
        given the same ticket at once each make a key for its caller; the first key stored wins, and the
        other replica's batch (sealed with a key that was not stored) fails with ``KeyTaken`` before its
        events are saved, to be applied again with the stored key (or skipped: ``process_batch``)."""
        pending = self._pending()
        self._local.known = self._local.taken = None
        if not pending:
            return
        rows = [(str(cid), county, key) for cid, (county, key) in pending.items()]
        self._insert_keys(rows)
        p = self._p
        with self._cursor() as c:
            stored: dict[str, bytes] = {}
            for start in range(0, len(rows), 500):
                chunk = [row[0] for row in rows[start : start + 500]]
                c.execute(
                    f"SELECT contact_id, key FROM resident_keys WHERE contact_id IN ({','.join([p] * len(chunk))})",
                    chunk,
                )
                stored.update((str(row[0]), bytes(row[1])) for row in c.fetchall())
        pending.clear()
        taken = [cid for cid, _, key in rows if stored.get(cid) != key]
        if taken:
            raise KeyTaken(f"another writer stored the key of {len(taken)} contact(s) first, e.g. {taken[0]}")

    def discard_pending(self) -> None:
        """Forget keys made for events that will not be saved (a failed batch)."""
        self._pending().clear()
        self._local.known = self._local.taken = None

    # -- keys stored ahead ---------------------------------------------------------------------------
    def take_spare(self, county: str) -> UUID | None:
        """A new contact id of ``county`` whose key is already stored (``seal`` on this thread then uses
        it, and ``flush`` writes nothing for it); None when the county has none left (the first
        submission after a start, or a burst): the caller makes its own id, and its key is written with
        its events. Fewer than ``SPARE_LOW`` left: more are stored in the background."""
        if not self._spare_count:
            return None
        with self._spare_lock:
            if self._closed:
                return None
            pool = self._spares.setdefault(county, deque())
            spare = pool.popleft() if pool else None
            refill = len(pool) < SPARE_LOW and county not in self._refilling and not self._closed
            if refill:
                self._refilling.add(county)
                if self._refiller is None:
                    self._refiller = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vault-spares")
                self._refiller.submit(self._refill, county)
        if spare is None:
            return None
        taken = getattr(self._local, "taken", None)
        if taken is None:
            taken = self._local.taken = {}
        taken[spare[0]] = spare[1]
        return spare[0]

    def spares_left(self, county: str) -> int:
        with self._spare_lock:
            return len(self._spares.get(county, ()))

    def _refill(self, county: str) -> None:
        rows = [(uuid4(), AESGCM.generate_key(bit_length=256)) for _ in range(self._spare_count)]
        try:
            self._insert_keys([(str(cid), county, key) for cid, key in rows])
        except Exception as exc:  # noqa: BLE001 - submissions write their own keys meanwhile; tried again when taken
            log.warning("vault_spares_not_stored", county=county, error=str(exc))
            rows = []
        with self._spare_lock:  # kept even when closing: ``_drop_spares`` deletes them with the others
            self._refilling.discard(county)
            self._spares.setdefault(county, deque()).extend(rows)

    def _insert_keys(self, rows: list[tuple[str, str, bytes]]) -> None:
        """Store new keys in one transaction (a contact id already stored keeps its key)."""
        p = self._p
        insert = (
            f"INSERT INTO resident_keys (contact_id, county, key) VALUES ({p},{p},{p}) "
            "ON CONFLICT (contact_id) DO NOTHING"
        )
        with self._cursor() as c:
            if p == "?":
                c.execute("BEGIN IMMEDIATE")
                try:
                    c.executemany(insert, rows)
                except BaseException:
                    c.execute("ROLLBACK")
                    raise
                c.execute("COMMIT")
            else:
                with self._conn.transaction():
                    c.executemany(insert, rows)

    def _drop_spares(self) -> None:
        """Delete the keys stored ahead and never taken: no event was ever sealed with them."""
        with self._spare_lock:
            self._closed = True
            refiller, self._refiller = self._refiller, None
        if refiller is not None:
            refiller.shutdown(wait=True)  # a refill under way stores its keys first
        with self._spare_lock:
            unused = [str(cid) for pool in self._spares.values() for cid, _ in pool]
            self._spares.clear()
        for start in range(0, len(unused), 500):
            chunk = unused[start : start + 500]
            with self._cursor() as c:
                c.execute(f"DELETE FROM resident_keys WHERE contact_id IN ({','.join([self._p] * len(chunk))})", chunk)

    def open(self, contact_id: UUID, sealed: dict[str, str]) -> dict[str, str]:
        """Decrypt the fields; raises ``KeyErased`` after the resident was erased."""
        aead = AESGCM(self._key(contact_id))
        opened = {}
        for name, text in sealed.items():
            raw = base64.b64decode(text)
            opened[name] = aead.decrypt(raw[:12], raw[12:], f"{contact_id}:{name}".encode()).decode("utf-8")
        return opened

    def key_of(self, contact_id: UUID) -> bytes:
        """The key itself (for what is sealed outside ``seal``, e.g. dead letters); ``KeyErased`` if gone."""
        return self._key(contact_id)

    def ensure_key(self, contact_id: UUID, county: str) -> bytes:
        """The contact's key, made and stored now if it has none (the first writer's key wins)."""
        try:
            return self._key(contact_id)
        except KeyErased:
            pass
        p = self._p
        with self._cursor() as c:
            c.execute(
                f"INSERT INTO resident_keys (contact_id, county, key) VALUES ({p},{p},{p}) "
                "ON CONFLICT (contact_id) DO NOTHING",
                (str(contact_id), county, AESGCM.generate_key(bit_length=256)),
            )
        return self._key(contact_id)

    def has_key(self, contact_id: UUID) -> bool:
        with self._cursor() as c:
            c.execute(f"SELECT 1 FROM resident_keys WHERE contact_id={self._p}", (str(contact_id),))
            return c.fetchone() is not None

    def erase(self, contact_id: UUID) -> bool:
        """Destroy the resident's key (crypto-shredding). True if a key was destroyed."""
        with self._cursor() as c:
            c.execute(f"DELETE FROM resident_keys WHERE contact_id={self._p}", (str(contact_id),))
            destroyed = (c.rowcount or 0) > 0
            if self._p == "?":  # no copy of the key left in the WAL (under the lock, as the ballot store's)
                c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return destroyed

    def count(self, county: str | None = None) -> int:
        with self._cursor() as c:
            if county is None:
                c.execute("SELECT COUNT(*) FROM resident_keys")
            else:
                c.execute(f"SELECT COUNT(*) FROM resident_keys WHERE county={self._p}", (county,))
            return int(c.fetchone()[0])

    def close(self) -> None:
        try:
            self._drop_spares()
        except Exception as exc:  # noqa: BLE001 - the store is gone already: they stay, keys of no event
            log.warning("vault_spares_not_dropped", error=str(exc))
        self._conn.close()


def make_vault(settings: Any, *, spares: int = SPARES) -> ContactVault:
    """The vault of a service's settings: beside its event store (SQLite) or in its database."""
    return vault_for_env(settings.eventsourcing_env(), spares=spares)


def vault_for_env(env: dict[str, str], *, spares: int = SPARES) -> ContactVault:
    """The vault beside an eventsourcing environment: ``keys.sqlite`` next to ``SQLITE_DBNAME``,
    or the ``resident_keys`` table in the PostgreSQL database of ``POSTGRES_*``."""
    if "postgres" in env.get("PERSISTENCE_MODULE", "").lower():
        return ContactVault(postgres=env, spares=spares)
    dbname = env.get("SQLITE_DBNAME", "")
    if not dbname or dbname.startswith(":memory:") or dbname.startswith("file:"):
        raise ValueError("residents' keys need a real store: set SQLITE_DBNAME to a file or use PostgreSQL")
    return ContactVault(sqlite_path=Path(dbname).parent / "keys.sqlite", spares=spares)
