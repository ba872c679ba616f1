"""PostgreSQL recorders with batch tracking (for scale; one database per service)."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError, StoredEvent
from eventsourcing.postgres import PostgresFactory, PostgresProcessRecorder
from eventsourcing.utils import Environment, EnvType
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from shared.persistence import trackings_from
from shared.persistence.schema import SCHEMA_LOCK


class ShishiPostgresProcessRecorder(PostgresProcessRecorder):
    """Records events with any number of tracking rows in one transaction."""

    def create_table(self) -> None:
        """The library creates its composite type (``stored_event_uuid``) in a transaction of its own
        before the tables, outside ``SCHEMA_LOCK``; two replicas creating it at the same moment fail
        the second on the catalog's unique index (an ``IntegrityError``, not the ``DuplicateObject``
        the library expects). Tried again: the type then exists and is passed over."""
        for attempt in range(5):
            try:
                super().create_table()
                return
            except IntegrityError:
                if attempt == 4:
                    raise
                time.sleep(0.1 * (attempt + 1))

    def _create_table(self, curs: Cursor[DictRow]) -> None:
        curs.execute(SCHEMA_LOCK)  # replicas starting together (``create_schema``)
        super()._create_table(curs)

    def _insert_events(self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        for tracking in trackings_from(kwargs):
            self._insert_tracking(curs, tracking=tracking)
        super()._insert_events(curs, stored_events, **kwargs)

    def tracked_ids(self, application_name: str, ids: Iterable[int]) -> set[int]:
        wanted = sorted(set(ids))
        if not wanted:
            return set()
        statement = SQL(
            "SELECT notification_id FROM {0}.{1} WHERE application_name=%s AND notification_id = ANY(%s)"
        ).format(Identifier(self.datastore.schema), Identifier(self.tracking_table_name))
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(statement, (application_name, wanted))
            return {row["notification_id"] for row in curs.fetchall()}

    def existing_ids(self, originator_ids: Iterable[UUID]) -> set[UUID]:
        """Which of these aggregates have any stored event (one query)."""
        wanted = list(originator_ids)
        if not wanted:
            return set()
        statement = SQL("SELECT DISTINCT originator_id FROM {0}.{1} WHERE originator_id = ANY(%s)").format(
            Identifier(self.datastore.schema), Identifier(self.events_table_name)
        )
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(statement, (wanted,))
            return {UUID(str(row["originator_id"])) for row in curs.fetchall()}


class ShishiPostgresFactory(PostgresFactory):
    process_recorder_class = ShishiPostgresProcessRecorder
    application_recorder_class = ShishiPostgresProcessRecorder

    def __init__(self, env: Environment | EnvType | None) -> None:
        super().__init__(env)
        if self.datastore.enable_db_functions:
            # The library's insert function bypasses _insert_events: no tracking row would be
            # written, and redeliveries would be applied again. The process environment reaches
            # here (Application merges os.environ), so refuse rather than lose tracking.
            self.close()
            raise OSError(
                f"{self.POSTGRES_ENABLE_DB_FUNCTIONS} is not supported: the database insert "
                "function records no tracking, which would break exactly-once processing"
            )
