"""The ballot store on both backends: SQLite beside the event store, or tables in the service's PostgreSQL
database (shared by every replica of the service). One ballot per credential and box, a retry accepted once,
the urn emptied at close, the keys kept per vote and generation."""

from __future__ import annotations

import pytest

from shared.ballots.store import AlreadySpent, ballot_store_for


def test_the_urn_and_the_keys_on_each_backend(backend_env: dict[str, str]) -> None:
    store = ballot_store_for(backend_env)
    other = ballot_store_for(backend_env)  # a second replica of the service, on the same database
    try:
        store.cast("box", "n1", "AAAA-BBBB-CCCC", {"p": "yes"})
        store.cast("box", "n1", "AAAA-BBBB-CCCC", {"p": "yes"})  # the same request again
        with pytest.raises(AlreadySpent):
            other.cast("box", "n1", "DDDD-EEEE-FFFF", {"p": "no"})
        with pytest.raises(AlreadySpent):
            other.cast("box", "n2", "AAAA-BBBB-CCCC", {"p": "no"})
        other.cast("box", "n2", "GGGG-HHHH-JJJJ", {"p": "no"})
        assert store.count("box") == 2
        assert sorted(b["receipt"] for b in other.ballots("box")) == ["AAAA-BBBB-CCCC", "GGGG-HHHH-JJJJ"]
        store.save_key("vote", 1, b"pem-1")
        assert other.key("vote", 1) == b"pem-1" and other.key("vote", 2) is None
        other.empty("box")
        assert store.count("box") == 0 and store.ballots("box") == []
    finally:
        store.close()
        other.close()
