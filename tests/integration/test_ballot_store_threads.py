"""The ballot store is one SQLite connection shared by a service's request threads: emptying a box
(its rows deleted, then the write-ahead log truncated so no copy is left) must not fail while another
thread has a statement in progress on that connection. The truncation once ran outside the store's
lock, and a vote's close answered 500 ("database table is locked") while another county's deputies
were casting (seen in the seven-county demo)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from shared.ballots.store import BallotStore


class Interleaved:
    """The store's connection, except that just before anything is executed on the connection itself
    (not through a cursor taken under the store's lock), another thread takes the lock and starts
    reading the urn: what a request casting a ballot does at that moment."""

    def __init__(self, store: BallotStore) -> None:
        self.store, self.real = store, store._conn
        self.reading = threading.Event()
        self.done = threading.Event()

    def cursor(self) -> Any:
        return self.real.cursor()

    def execute(self, sql: str, *args: Any) -> Any:
        threading.Thread(target=self._read, daemon=True).start()
        self.reading.wait(5)
        try:
            return self.real.execute(sql, *args)
        finally:
            self.done.set()

    def _read(self) -> None:
        if not self.store._lock.acquire(timeout=0.5):  # the caller holds it: nothing interleaves
            self.reading.set()
            return
        try:
            c = self.real.cursor()
            c.execute("SELECT receipt FROM ballot_urn WHERE box=?", ("open",))
            c.fetchone()  # a statement in progress
            self.reading.set()
            self.done.wait(5)
            c.close()
        finally:
            self.store._lock.release()

    def close(self) -> None:
        self.real.close()


def test_emptying_a_box_while_a_ballot_is_being_read(tmp_path: Path) -> None:
    store = BallotStore(sqlite_path=tmp_path / "ballots.sqlite")
    for n in range(3):
        store.cast("open", f"n{n}", f"r{n}", {"p1": "yes"})
        store.cast("closing", f"c{n}", f"cr{n}", {"p1": "no"})
    store._conn = Interleaved(store)
    store.empty("closing")
    assert store.count("closing") == 0 and store.count("open") == 3
    # and no copy is left: the log truncated, the deleted rows overwritten (secure_delete)
    assert (tmp_path / "ballots.sqlite-wal").stat().st_size == 0
    stored = (tmp_path / "ballots.sqlite").read_bytes()
    assert b"cr1" not in stored and b"r1" in stored
    store.close()
