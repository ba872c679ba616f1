"""The ballot store (SQLite): issuing keys and the urn, which keeps no order, no time, and nothing once
emptied."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from shared.ballots.store import AlreadySpent, BallotStore, ballot_store_for


def test_the_urn_keeps_one_ballot_per_nullifier_and_accepts_a_retry(tmp_path: Path) -> None:
    store = BallotStore(sqlite_path=tmp_path / "ballots.sqlite")
    store.cast("box", "n1", "AAAA-BBBB-CCCC", {"p": "yes"})
    store.cast("box", "n1", "AAAA-BBBB-CCCC", {"p": "yes"})  # the same request again (a retry)
    with pytest.raises(AlreadySpent):
        store.cast("box", "n1", "DDDD-EEEE-FFFF", {"p": "no"})
    with pytest.raises(AlreadySpent):  # another credential choosing a receipt already in the box
        store.cast("box", "n2", "AAAA-BBBB-CCCC", {"p": "no"})
    store.cast("other", "n1", "AAAA-BBBB-CCCC", {"p": "no"})
    assert store.count("box") == 1 and store.count("other") == 1
    assert store.ballots("box") == [{"receipt": "AAAA-BBBB-CCCC", "marks": {"p": "yes"}}]


def test_the_urn_table_has_no_row_order_and_no_time(tmp_path: Path) -> None:
    path = tmp_path / "ballots.sqlite"
    BallotStore(sqlite_path=path).close()
    conn = sqlite3.connect(path)
    columns = {row[1] for row in conn.execute("PRAGMA table_info(ballot_urn)")}
    assert columns == {"box", "nullifier", "receipt", "marks"}
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE name='ballot_urn'").fetchone()[0]
    assert "WITHOUT ROWID" in sql
    with pytest.raises(sqlite3.OperationalError):
        conn.execute("SELECT rowid FROM ballot_urn")


def test_rows_come_back_in_key_order_not_cast_order(tmp_path: Path) -> None:
    store = BallotStore(sqlite_path=tmp_path / "ballots.sqlite")
    nullifiers = ["f3", "a1", "c9", "0b", "e2"]
    for n, nul in enumerate(nullifiers):
        store.cast("box", nul, f"R{n:03d}-AAAA-AAAA", {"p": "yes"})
    read = [b["receipt"] for b in store.ballots("box")]
    assert read == [f"R{nullifiers.index(n):03d}-AAAA-AAAA" for n in sorted(nullifiers)]


def test_an_emptied_urn_leaves_no_ballot_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "ballots.sqlite"
    store = BallotStore(sqlite_path=path)
    store.cast("box", "n1", "QQQQ-WWWW-ZZZZ", {"p": "yes"})
    store.empty("box")
    store.close()
    data = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    assert b"QQQQ-WWWW-ZZZZ" not in data


def test_keys_are_kept_per_scope_and_generation(tmp_path: Path) -> None:
    store = BallotStore(sqlite_path=tmp_path / "ballots.sqlite")
    store.save_key("s", 1, b"pem-1")
    store.save_key("s", 2, b"pem-2")
    assert (store.key("s", 1), store.key("s", 2), store.key("s", 3)) == (b"pem-1", b"pem-2", None)


def test_the_store_sits_beside_the_event_store(tmp_path: Path) -> None:
    store = ballot_store_for({"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(tmp_path / "d.db")})
    store.close()
    assert (tmp_path / "ballots.sqlite").exists()
    ballot_store_for({"SQLITE_DBNAME": ":memory:"}).close()
