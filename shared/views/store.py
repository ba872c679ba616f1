"""The read-model store: JSON documents per (kind, id, county), and the position of the fold that wrote
them (``shared.views.updater``). SQLite file by default, the service's PostgreSQL database when
configured. A service's ``read/projections.py`` says how each domain event changes documents, through
a :class:`ViewTx`."""

from __future__ import annotations

import builtins
import gc
import json
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import structlog
from pydantic_core import to_json

from shared.config import Settings
from shared.persistence.schema import SCHEMA_LOCK
from shared.persistence.side_tables import postgres_connection
from shared.views.query import DocQuery, compile_query, count_query, fields_query

log = structlog.get_logger("shishi.views")

SCHEMA = [
    "CREATE TABLE IF NOT EXISTS view_docs (kind TEXT NOT NULL, id TEXT NOT NULL, county TEXT NOT NULL, "
    "doc TEXT NOT NULL, PRIMARY KEY (kind, id))",
    "CREATE INDEX IF NOT EXISTS view_docs_county ON view_docs (kind, county)",
    "CREATE TABLE IF NOT EXISTS view_position (name TEXT PRIMARY KEY, position BIGINT NOT NULL)",
]


@contextmanager
def collector_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def encode_doc_bytes(doc: dict) -> bytes:
    """A document's stored text, as UTF-8: compact JSON with the keys in the order the fold wrote
    them. The fold is deterministic (no set or hash order reaches a document), so a rebuild writes
    the text the live updater wrote. pydantic-core's encoder: about four times the standard
    library's C encoder on these documents, a sixth of a rebuild (``shishi bench replay``)."""
    return to_json(doc, fallback=str, inf_nan_mode="constants")


def encode_doc(doc: dict) -> str:
    return encode_doc_bytes(doc).decode()


def search_query(p: str, kind: str, county: str, field: str, value: str) -> tuple[str, tuple[str, ...]]:
    """The statement and parameters finding the ids of a kind's documents in one county (through
    the (kind, county) index) whose top-level ``field`` is the text ``value``; ``p``: the placeholder."""
    if not field.isidentifier():
        raise ValueError(f"not a document field name: {field!r}")
    extract, path = (f"json_extract(doc, {p})", f"$.{field}") if p == "?" else (f"(doc::jsonb ->> {p})", field)
    return f"SELECT id FROM view_docs WHERE kind={p} AND county={p} AND {extract} = {p}", (kind, county, path, value)


class ViewTx:
    """Documents as seen inside one update transaction (reads see earlier writes)."""

    def __init__(self, cursor: Any, placeholder: str) -> None:
        self._c = cursor
        self._p = placeholder
        self._cache: dict[tuple[str, str], dict | None] = {}
        self._county: dict[tuple[str, str], str] = {}
        self._dirty: dict[tuple[str, str], tuple[str, dict | None]] = {}

    def _load(self, key: tuple[str, str]) -> tuple[dict, str] | None:
        self._c.execute(f"SELECT doc, county FROM view_docs WHERE kind={self._p} AND id={self._p}", key)
        row = self._c.fetchone()
        return (json.loads(row[0]), row[1]) if row else None

    def get(self, kind: str, id: str) -> dict | None:
        key = (kind, str(id))
        if key not in self._cache:
            found = self._load(key)
            self._cache[key] = found[0] if found else None
            if found:
                self._county[key] = found[1]
        return self._cache[key]

    def put(self, kind: str, id: str, county: str, doc: dict) -> None:
        key = (kind, str(id))
        self._cache[key] = doc
        self._county[key] = county
        self._dirty[key] = (county, doc)

    def update(self, kind: str, id: str, change: Callable[[dict], None]) -> dict | None:
        doc = self.get(kind, id)
        if doc is None:
            return None
        change(doc)
        self.put(kind, id, self._county.get((kind, str(id)), doc.get("county", "")), doc)
        return doc

    def find(self, kind: str, county: str, field: str, value: str) -> list[str]:
        """Ids of the documents of ``kind`` in ``county`` whose top-level ``field`` is ``value``, as
        this transaction sees them (its own changes first), in id order. It scans the county's
        stored documents of that kind: for rare events only (a fold's lookups by id are what keep
        a rebuild fast)."""
        candidates = set(self._search(kind, county, field, value))
        candidates.update(id for (k, id), doc in self._cache.items() if k == kind and doc is not None)
        return sorted(
            id
            for id in candidates
            if (doc := self.get(kind, id)) is not None
            and self._county.get((kind, id)) == county
            and doc.get(field) == value
        )

    def _search(self, kind: str, county: str, field: str, value: str) -> list[str]:
        """Ids of the stored documents that may match (``find`` checks each as this transaction sees it)."""
        self._c.execute(*search_query(self._p, kind, county, field, value))
        return [row[0] for row in self._c.fetchall()]

    def rows(self) -> list[tuple[str, str, str, str]]:
        """Every document changed in this transaction, encoded, ready for one upsert statement."""
        return [
            (kind, id, county, encode_doc(doc)) for (kind, id), (county, doc) in self._dirty.items() if doc is not None
        ]


class ViewStore:
    def __init__(self, *, sqlite_path: Path | None = None, postgres: dict[str, str] | None = None) -> None:
        self._lock = threading.Lock()
        self.sqlite_path, self.postgres = sqlite_path, postgres
        self._conn: Any  # a psycopg or sqlite3 connection: the two share what this class uses
        if postgres:
            from psycopg import sql

            # ``VIEWS_SCHEMA``: the read models live in a schema of their own per fold version
            # (``make_views``), so a release with another fold builds its read models beside the
            # running release's instead of emptying them (a rolling upgrade serves the old ones meanwhile).
            schema = postgres.get("VIEWS_SCHEMA", "")
            # Read models are folded again from the event store after a crash (their position commits with
            # them): their commits need not wait for the disk, as the event store's must.
            self._conn = postgres_connection(postgres, autocommit=False, search_path=schema, durable=False)
            if schema:
                with self._conn.transaction():
                    self._conn.execute(SCHEMA_LOCK)
                    self._conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
            self._p = "%s"
        else:
            assert sqlite_path is not None
            sqlite_path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(str(sqlite_path), check_same_thread=False, isolation_level=None)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")  # no fsync per commit: see PostgreSQL's above
            self._p = "?"
        with self.transaction() as c:
            if self._p == "%s":
                c.execute(SCHEMA_LOCK)  # replicas starting together (shared.persistence.postgres.create_schema)
            for statement in SCHEMA:
                c.execute(statement)

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        with self._lock:
            cursor = self._conn.cursor()
            if self._p == "?":
                cursor.execute("BEGIN IMMEDIATE")
            try:
                yield cursor
            except BaseException:
                self._conn.rollback() if self._p == "%s" else cursor.execute("ROLLBACK")
                raise
            else:
                self._conn.commit() if self._p == "%s" else cursor.execute("COMMIT")

    def position(self, name: str) -> int:
        with self.transaction() as c:
            c.execute(f"SELECT position FROM view_position WHERE name={self._p}", (name,))
            row = c.fetchone()
            return int(row[0]) if row else 0

    def reset_unless_version(self, name: str, version: int) -> bool:
        """Empty the read model ``name`` when it was folded by another version of its fold, and
        record ``version``, in one transaction: whichever process checks first resets, the others
        then find the new version. A store with no version recorded was folded by version 1 (the
        releases before versions). Returns whether it reset."""
        p, key = self._p, f"{name}@version"
        with self.transaction() as c:
            if p == "%s":  # as ``_moved``: serialised with every guarded write of this read model
                c.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"view_position:{name}",))
            c.execute(f"SELECT position FROM view_position WHERE name={p}", (key,))
            row = c.fetchone()
            recorded = int(row[0]) if row is not None else 1
            if row is not None and recorded == version:
                return False
            c.execute(f"SELECT position FROM view_position WHERE name={p}", (name,))
            reset = recorded != version and c.fetchone() is not None  # an empty store has nothing to reset
            if reset:
                c.execute("DELETE FROM view_docs")
                c.execute("DELETE FROM view_position")
            self._set_position(c, key, version)
        if reset:
            log.warning("views_reset_for_new_fold", name=name, previous_version=recorded, version=version)
        return reset

    def bulk_loading(self) -> None:
        """Settings for a connection that writes many large batches: on SQLite a page cache of
        64 MiB (the default 2 MiB re-reads the key index's pages for every batch of random ids)."""
        if self._p == "?":
            self._conn.execute("PRAGMA cache_size=-65536")

    @property
    def shareable(self) -> bool:
        """Whether another process can open this store (not an in-memory SQLite database)."""
        return self.postgres is not None or (self.sqlite_path is not None and str(self.sqlite_path) != ":memory:")

    def peer(self) -> ViewStore:
        """Another connection to the same store."""
        return ViewStore(sqlite_path=self.sqlite_path, postgres=self.postgres)

    def _moved(self, c: Any, name: str, after: int) -> bool:
        """Inside a write transaction: whether ``name`` is no longer at ``after``."""
        p = self._p
        if p == "%s":  # SQLite's BEGIN IMMEDIATE already serialises writers
            c.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"view_position:{name}",))
        c.execute(f"SELECT position FROM view_position WHERE name={p}", (name,))
        row = c.fetchone()
        return (int(row[0]) if row else 0) != after

    def _upsert(self, c: Any, rows: Sequence[tuple[str, str, str, str]]) -> None:
        if rows:
            p = self._p
            c.executemany(
                f"INSERT INTO view_docs (kind, id, county, doc) VALUES ({p},{p},{p},{p}) "
                "ON CONFLICT (kind, id) DO UPDATE SET county = excluded.county, doc = excluded.doc",
                rows,
            )

    def _set_position(self, c: Any, name: str, position: int) -> None:
        p = self._p
        c.execute(f"DELETE FROM view_position WHERE name={p}", (name,))
        c.execute(f"INSERT INTO view_position (name, position) VALUES ({p},{p})", (name, position))

    def apply(self, name: str, position: int, fn: Callable[[ViewTx], None], *, after: int | None = None) -> bool:
        """Fold ``fn`` and move ``name`` to ``position`` in one transaction. With ``after``, only if
        ``name`` is still at ``after``: another process (the followers process, or a page folding
        its own request) may have folded the same events meanwhile. Returns whether it applied."""
        with self.transaction() as c:
            if after is not None and self._moved(c, name, after):
                return False
            tx = ViewTx(c, self._p)
            fn(tx)
            self._upsert(c, tx.rows())
            self._set_position(c, name, position)
        return True

    def write(self, name: str, position: int, rows: Sequence[tuple[str, str, str, str]], *, after: int) -> bool:
        """Documents already folded and encoded (``ViewTx.rows``), with ``name`` moved from ``after`` to
        ``position``, in one transaction; nothing if ``name`` is no longer at ``after``."""
        with self.transaction() as c:
            if self._moved(c, name, after):
                return False
            self._upsert(c, rows)
            self._set_position(c, name, position)
        return True

    def lookup(self, kind: str, id: str) -> tuple[str, str] | None:
        """One document's text and county, read without taking the write lock (a writer in another
        process may hold it): what the last committed transaction left."""
        rows = self._read_committed(
            f"SELECT doc, county FROM view_docs WHERE kind={self._p} AND id={self._p}", (kind, id)
        )
        return (rows[0][0], rows[0][1]) if rows else None

    def search(self, kind: str, county: str, field: str, value: str) -> list[str]:
        """``ViewTx._search`` without the write lock (a writer in another process may hold it)."""
        return [row[0] for row in self._read_committed(*search_query(self._p, kind, county, field, value))]

    def _read_committed(self, statement: str, params: tuple) -> list[tuple]:
        """Rows read outside any write transaction: what the last committed transaction left."""
        with self._lock:
            cursor = self._conn.cursor()
            cursor.execute(statement, params)
            rows = cursor.fetchall()
            if self._p == "%s":
                self._conn.rollback()  # end the implicit read transaction
        return rows

    def get(self, kind: str, id: str) -> dict | None:
        rows = self._read_committed(f"SELECT doc FROM view_docs WHERE kind={self._p} AND id={self._p}", (kind, str(id)))
        return json.loads(rows[0][0]) if rows else None

    def all_counties(self) -> list[str]:
        """Every county with any document in these read models: the counties of each kind."""
        statement = (
            "WITH RECURSIVE k(kind) AS (SELECT min(kind) FROM view_docs UNION ALL SELECT (SELECT min(kind) "
            "FROM view_docs WHERE kind > k.kind) FROM k WHERE k.kind IS NOT NULL) "
            "SELECT kind FROM k WHERE kind IS NOT NULL"
        )
        kinds = [row[0] for row in self._read_committed(statement, ())]
        return sorted({county for kind in kinds for county in self.counties(kind)})

    def counties(self, kind: str) -> list[str]:
        """The counties that have documents of ``kind``: a loose scan of the (kind, county) index, one
        index look-up per county (``DISTINCT`` read every document's entry: 0.1 s at 350,000 demands)."""
        p = self._p
        statement = (
            f"WITH RECURSIVE c(county) AS (SELECT min(county) FROM view_docs WHERE kind={p} UNION ALL "
            f"SELECT (SELECT min(county) FROM view_docs WHERE kind={p} AND county > c.county) FROM c "
            "WHERE c.county IS NOT NULL) SELECT county FROM c WHERE county IS NOT NULL ORDER BY county"
        )
        return [row[0] for row in self._read_committed(statement, (kind, kind))]

    def list(self, kind: str, county: str | None = None) -> list[dict]:
        """Every document of a kind (in a county). Reads take no write lock: the read-model writer in
        the companion process never holds a page up."""
        p = self._p
        if county is None:
            rows = self._read_committed(f"SELECT doc FROM view_docs WHERE kind={p} ORDER BY id", (kind,))
        else:
            statement = f"SELECT doc FROM view_docs WHERE kind={p} AND county={p} ORDER BY id"
            rows = self._read_committed(statement, (kind, county))
        return [json.loads(r[0]) for r in rows]

    def count_by_county(self, kind: str) -> dict[str, int]:
        """How many documents of ``kind`` each county has (one grouped query over the county index)."""
        statement = f"SELECT county, count(*) FROM view_docs WHERE kind={self._p} GROUP BY county"
        return {row[0]: int(row[1]) for row in self._read_committed(statement, (kind,))}

    def select(self, query: DocQuery) -> builtins.list[dict]:
        """The documents a :class:`DocQuery` names, in its order, its page only."""
        statement, params = compile_query(self._p, query)
        return [json.loads(r[0]) for r in self._read_committed(statement, tuple(params))]

    def count(self, query: DocQuery) -> int:
        statement, params = count_query(self._p, query)
        return int(self._read_committed(statement, tuple(params))[0][0])

    def fields(self, query: DocQuery, names: tuple[str, ...]) -> builtins.list[tuple]:
        """Only the named fields of the matching documents (counts and facets without parsing documents)."""
        statement, params = fields_query(self._p, query, names)
        return self._read_committed(statement, tuple(params))

    def dump(self) -> builtins.list[tuple[str, str, str, str]]:
        """Every document, canonically ordered: used to compare a rebuild with the live model."""
        with self.transaction() as c:
            c.execute("SELECT kind, id, county, doc FROM view_docs ORDER BY kind, id")
            return [tuple(r) for r in c.fetchall()]

    def clear(self) -> None:
        with self.transaction() as c:
            c.execute("DELETE FROM view_docs")
            c.execute("DELETE FROM view_position")

    def close(self) -> None:
        self._conn.close()


def views_schema(version: int) -> str:
    """The PostgreSQL schema holding the read models folded by fold version ``version``."""
    return f"views_v{version}"


def make_views(settings: Settings, version: int = 1) -> ViewStore:
    """The service's read-model store: ``views.sqlite`` in its data dir, or on PostgreSQL the schema of its
    fold's ``version`` in its database (``views_v<version>``: each fold version its own read models)."""
    if settings.persistence == "postgres":
        return ViewStore(postgres={**settings.eventsourcing_env(), "VIEWS_SCHEMA": views_schema(version)})
    return ViewStore(sqlite_path=settings.service_dir / "views.sqlite")
