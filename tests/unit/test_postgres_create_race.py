"""Replicas starting together on one PostgreSQL database: the event store's composite type created
by two at the same moment fails the second with an IntegrityError (shared/persistence/postgres.py);
creating is tried again, and a lasting failure is still raised."""

from __future__ import annotations

import pytest
from eventsourcing.persistence import IntegrityError
from eventsourcing.postgres import PostgresProcessRecorder

from shared.persistence.postgres import ShishiPostgresProcessRecorder


def test_a_type_created_by_another_replica_meanwhile_is_tried_again(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def create_table(self: object) -> None:
        calls.append(1)
        if len(calls) == 1:
            raise IntegrityError('duplicate key value violates unique constraint "pg_type_typname_nsp_index"')

    monkeypatch.setattr(PostgresProcessRecorder, "create_table", create_table)
    monkeypatch.setattr("shared.persistence.postgres.time.sleep", lambda seconds: None)
    ShishiPostgresProcessRecorder.create_table(object.__new__(ShishiPostgresProcessRecorder))
    assert len(calls) == 2


def test_a_lasting_failure_is_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    def create_table(self: object) -> None:
        raise IntegrityError("still failing")

    monkeypatch.setattr(PostgresProcessRecorder, "create_table", create_table)
    monkeypatch.setattr("shared.persistence.postgres.time.sleep", lambda seconds: None)
    with pytest.raises(IntegrityError):
        ShishiPostgresProcessRecorder.create_table(object.__new__(ShishiPostgresProcessRecorder))
