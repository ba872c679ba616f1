"""A connection for the tables a service keeps beside its event store (the read models, the residents' keys,
the ballot store, the idempotency keys): to the same PostgreSQL database as its events, from the same
``POSTGRES_*`` environment."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def postgres_connection(
    env: Mapping[str, str], *, autocommit: bool, search_path: str = "", durable: bool = True
) -> Any:
    """A psycopg connection to the event store's database (imported here: SQLite deployments need no driver).
    ``search_path``: the schema its unqualified tables are in (the read models of one fold version).
    ``durable=False``: commits return before they reach the disk (``synchronous_commit off``), for data
    folded again from the event store after a crash (the read models); nothing is ever left half-written."""
    import psycopg

    options = [f"-c search_path={search_path}"] if search_path else []
    if not durable:
        options.append("-c synchronous_commit=off")

    return psycopg.connect(
        host=env["POSTGRES_HOST"],
        port=int(env["POSTGRES_PORT"]),
        user=env["POSTGRES_USER"],
        password=env["POSTGRES_PASSWORD"],
        dbname=env["POSTGRES_DBNAME"],
        autocommit=autocommit,
        options=" ".join(options),
    )
