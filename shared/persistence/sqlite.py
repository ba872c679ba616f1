"""SQLite recorders with batch tracking (the default, embedded backend)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteCursor, SQLiteFactory, SQLiteProcessRecorder

from shared.kernel.uuids import uuid_from_hex
from shared.persistence import trackings_from


class ShishiSQLiteProcessRecorder(SQLiteProcessRecorder):
    """Records events with any number of tracking rows in one transaction."""

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        returning = super()._insert_events(c, stored_events, **kwargs)
        for tracking in trackings_from(kwargs):
            self._insert_tracking(c, tracking)
        return returning

    def convert_originator_id(self, originator_id: str) -> UUID | str:
        """As the library's (ids are stored as 32 hex digits), without ``UUID.__init__``'s parsing."""
        if self.datastore.originator_id_type == "uuid":
            return uuid_from_hex(originator_id)
        return originator_id

    def select_rows(self, after: int, limit: int, stop: int | None, topics: Sequence[str]) -> list[tuple]:
        """Notifications after ``after`` (to ``stop``, of ``topics`` if any) as plain tuples: id,
        originator id as stored (32 hex digits for UUIDs), version, topic, state. What the
        read-model writer's log reader sends on, without building the objects it would take apart."""
        statement = (
            f"SELECT rowid, originator_id, originator_version, topic, state FROM {self.events_table_name} WHERE rowid>?"
        )
        params: list[Any] = [after]
        if stop is not None:
            statement += " AND rowid<=?"
            params.append(stop)
        if topics:
            statement += f" AND topic IN ({','.join('?' * len(topics))})"
            params += list(topics)
        params.append(limit)
        with self.datastore.transaction(commit=False) as c:
            c.row_factory = None  # type: ignore[attr-defined]  # the library's cursor wraps sqlite3's: tuples, not its named rows
            c.execute(statement + " ORDER BY rowid LIMIT ?", params)
            return c.fetchall()

    @property
    def stores_uuid_hex(self) -> bool:
        return self.datastore.originator_id_type == "uuid"

    def tracked_ids(self, application_name: str, ids: Iterable[int]) -> set[int]:
        wanted = sorted(set(ids))
        if not wanted:
            return set()
        found: set[int] = set()
        with self.datastore.transaction(commit=False) as c:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                c.execute(
                    "SELECT notification_id FROM tracking WHERE application_name=? "
                    f"AND notification_id IN ({','.join('?' * len(chunk))})",
                    [application_name, *chunk],
                )
                found.update(row[0] for row in c.fetchall())
        return found

    def existing_ids(self, originator_ids: Iterable[UUID]) -> set[UUID]:
        """Which of these aggregates have any stored event (one query per 500 ids)."""
        wanted = [i.hex for i in originator_ids]
        found: set[UUID] = set()
        with self.datastore.transaction(commit=False) as c:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                c.execute(
                    f"SELECT DISTINCT originator_id FROM {self.events_table_name} "
                    f"WHERE originator_id IN ({','.join('?' * len(chunk))})",
                    chunk,
                )
                found.update(UUID(row[0]) for row in c.fetchall())
        return found


class ShishiSQLiteFactory(SQLiteFactory):
    process_recorder_class = ShishiSQLiteProcessRecorder
    application_recorder_class = ShishiSQLiteProcessRecorder  # type: ignore[assignment]  # a process recorder is an application recorder too
