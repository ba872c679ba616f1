"""Creating tables in PostgreSQL when several processes start at once."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# Every process creates the tables it needs at start, and replicas start together: PostgreSQL's
# ``CREATE TABLE IF NOT EXISTS`` is not safe against itself (two sessions may both find the table
# missing and the second fails on the catalog's unique index), so creating is serialised by one
# transaction-level advisory lock (first key 0x5348 "SH", as the leases'; second key 0: schema).
SCHEMA_LOCK = "SELECT pg_advisory_xact_lock(21320, 0)"


def create_schema(conn: Any, statements: Iterable[str]) -> None:
    """Run ``statements`` (``CREATE ... IF NOT EXISTS``) in one transaction of the psycopg connection
    ``conn``, serialised with every other process doing the same (``SCHEMA_LOCK``)."""
    with conn.transaction():
        conn.execute(SCHEMA_LOCK)
        for statement in statements:
            conn.execute(statement)
