"""Where a service keeps what must stay outside its event store while a vote is open.

* **Issuing keys**: each vote's RSA key (one per scope and generation), so that a check-in can be
  answered with a blind signature. The public half is published in the events; the private half is
  here only (``<service dir>/ballots.sqlite``, or the tables in the service's PostgreSQL database).
* **The urn**: the ballots cast into an open box. Unlike events, they carry no order and no time:
  rows are keyed by their nullifier (a random-looking hash), the SQLite table has no row ids, and no
  column records when a row came. At close the service takes them all, publishes them shuffled in
  the box's ``Closed`` event, and empties the urn. (A database administrator watching PostgreSQL's
  transaction ids or write-ahead log while the vote is open could still see the order of casts; the
  README says so.)
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from shared.persistence.schema import create_schema
from shared.persistence.side_tables import postgres_connection

SCHEMA = [
    "CREATE TABLE IF NOT EXISTS ballot_keys (scope TEXT NOT NULL, generation INTEGER NOT NULL, "
    "private_pem BYTEA NOT NULL, PRIMARY KEY (scope, generation))",
    "CREATE TABLE IF NOT EXISTS ballot_urn (box TEXT NOT NULL, nullifier TEXT NOT NULL, receipt TEXT NOT NULL, "
    "marks TEXT NOT NULL, PRIMARY KEY (box, nullifier), UNIQUE (box, receipt))",
]


class AlreadySpent(LookupError):
    """This credential has already been used in this box."""


class BallotStore:
    def __init__(self, *, sqlite_path: Path | None = None, postgres: dict[str, str] | None = None) -> None:
        self._lock = threading.Lock()
        if postgres:
            self._conn: Any = postgres_connection(postgres, autocommit=True)
            self._p = "%s"
            statements = SCHEMA
        else:
            assert sqlite_path is not None
            sqlite_path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(str(sqlite_path), check_same_thread=False, isolation_level=None)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=FULL")  # a cast acknowledged is on disk
            self._conn.execute("PRAGMA secure_delete=ON")  # an emptied urn leaves no rows behind
            self._p = "?"
            statements = [s.replace("BYTEA", "BLOB") + (" WITHOUT ROWID" if "ballot_urn" in s else "") for s in SCHEMA]
        if self._p == "%s":
            create_schema(self._conn, statements)
        else:
            for statement in statements:
                self._conn.execute(statement)

    @contextmanager
    def _cursor(self) -> Iterator[Any]:
        with self._lock:
            cursor = self._conn.cursor()
            try:
                yield cursor
            finally:
                cursor.close()

    # -- issuing keys ------------------------------------------------------------------------
    def save_key(self, scope: str, generation: int, private_pem: bytes) -> None:
        with self._cursor() as c:
            c.execute(
                f"INSERT INTO ballot_keys (scope, generation, private_pem) VALUES ({self._p}, {self._p}, {self._p})",
                (scope, generation, private_pem),
            )

    def key(self, scope: str, generation: int) -> bytes | None:
        with self._cursor() as c:
            c.execute(
                f"SELECT private_pem FROM ballot_keys WHERE scope={self._p} AND generation={self._p}",
                (scope, generation),
            )
            row = c.fetchone()
        return bytes(row[0]) if row else None

    # -- the urn -----------------------------------------------------------------------------
    def cast(self, box: str, nullifier: str, receipt: str, marks: dict[str, str]) -> None:
        """Drop a ballot into an open box; ``AlreadySpent`` if this credential voted here already (the
        same ballot sent again, by a retry, is accepted once: same nullifier, same receipt and marks)."""
        p = self._p
        encoded = json.dumps(marks, sort_keys=True, ensure_ascii=False)
        with self._cursor() as c:
            c.execute(f"SELECT receipt, marks FROM ballot_urn WHERE box={p} AND nullifier={p}", (box, nullifier))
            row = c.fetchone()
            if row is not None:
                if (row[0], row[1]) == (receipt, encoded):
                    return
                raise AlreadySpent(nullifier)
            try:
                c.execute(
                    f"INSERT INTO ballot_urn (box, nullifier, receipt, marks) VALUES ({p}, {p}, {p}, {p})",
                    (box, nullifier, receipt, encoded),
                )
            except Exception as exc:  # the receipt is taken: someone chose the same (a copy)
                if "unique" in str(exc).lower() or "UNIQUE" in str(exc):
                    raise AlreadySpent(receipt) from exc
                raise

    def count(self, box: str) -> int:
        with self._cursor() as c:
            c.execute(f"SELECT COUNT(*) FROM ballot_urn WHERE box={self._p}", (box,))
            return int(c.fetchone()[0])

    def ballots(self, box: str) -> list[dict[str, Any]]:
        """Every ballot in the box, as ``{"receipt", "marks"}`` (in no meaningful order: shuffle before use)."""
        with self._cursor() as c:
            c.execute(f"SELECT receipt, marks FROM ballot_urn WHERE box={self._p}", (box,))
            return [{"receipt": r, "marks": json.loads(m)} for r, m in c.fetchall()]

    def empty(self, box: str) -> None:
        """After the box's ``Closed`` event holds its ballots."""
        with self._cursor() as c:
            c.execute(f"DELETE FROM ballot_urn WHERE box={self._p}", (box,))
            if self._p == "?":  # under the lock: no other thread's statement may be in progress
                c.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        self._conn.close()


def ballot_store_for(env: dict[str, str]) -> BallotStore:
    """Beside an eventsourcing environment: ``ballots.sqlite`` next to ``SQLITE_DBNAME``, or tables in the
    PostgreSQL database of ``POSTGRES_*``. An in-memory event store gets an in-memory ballot store."""
    if "postgres" in env.get("PERSISTENCE_MODULE", "").lower():
        return BallotStore(postgres=env)
    dbname = env.get("SQLITE_DBNAME", "")
    if not dbname or dbname.startswith(":memory:") or dbname.startswith("file:"):
        return BallotStore(sqlite_path=Path(":memory:"))
    return BallotStore(sqlite_path=Path(dbname).parent / "ballots.sqlite")
