"""Pages of read-model documents chosen, counted and ordered by the database, not in Python: a
county's list stays as fast with ten thousand documents as with ten (``shishi bench views``).

A :class:`DocQuery` names a kind, a county, conditions on fields of the documents (top-level, or
nested: ``wish.claimed``) and an order; :func:`compile_query` turns it into SQL for SQLite
(``json_extract``) or PostgreSQL (``doc::jsonb ->> field``, ``#>>`` for a nested one). Field names are
checked (identifiers only); values are parameters. A value compares as text, or as a number when it is
an ``int`` (``year``), or as a JSON boolean when it is a ``bool`` (``active``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Op = Literal["=", "!=", "<", "<=", ">", ">=", "is null", "is not null", "contains"]


@dataclass(frozen=True)
class Condition:
    field: str
    op: Op
    value: str | int | None = None  # bool too (a subclass of int): compared as the document's true/false


@dataclass(frozen=True)
class DocQuery:
    kind: str
    county: str | None = None
    where: tuple[Condition, ...] = ()
    either: tuple[Condition, ...] = ()  # at least one of these holds (one OR group beside the ANDs)
    order: tuple[tuple[str, bool], ...] = ()  # (field, descending); the id breaks ties
    limit: int | None = None
    offset: int = 0


def doc_field(p: str, name: str) -> tuple[str, str]:
    """The SQL of a document field (``a`` or nested ``a.b``), and its parameter (the JSON path, the
    key or the PostgreSQL path array)."""
    parts = name.split(".")
    if not all(part.isidentifier() for part in parts):
        raise ValueError(f"not a document field name: {name!r}")
    if p == "?":
        return "json_extract(doc, ?)", f"$.{name}"
    if len(parts) == 1:
        return "(doc::jsonb ->> %s)", name
    return "(doc::jsonb #>> %s::text[])", "{" + ",".join(parts) + "}"


def condition_sql(p: str, cond: Condition) -> tuple[str, list[str | int]]:
    sql, path = doc_field(p, cond.field)
    if cond.op in ("is null", "is not null"):
        return f"{sql} {cond.op.upper()}", [path]
    if cond.op == "contains":
        return f"{'instr' if p == '?' else 'strpos'}({sql}, {p}) > 0", [path, str(cond.value)]
    if isinstance(cond.value, bool):  # SQLite's json_extract gives 1/0, PostgreSQL's ->> 'true'/'false'
        value: str | int = int(cond.value) if p == "?" else str(cond.value).lower()
        return f"{sql} {cond.op} {p}", [path, value]
    if isinstance(cond.value, int):  # a number: SQLite compares json_extract's integer, PostgreSQL casts
        return f"{sql if p == '?' else f'({sql})::numeric'} {cond.op} {p}", [path, cond.value]
    return f"{sql} {cond.op} {p}", [path, str(cond.value)]


def where_sql(p: str, query: DocQuery) -> tuple[str, list[str | int]]:
    clauses: list[str] = [f"kind={p}"]
    params: list[str | int] = [query.kind]
    if query.county is not None:
        clauses.append(f"county={p}")
        params.append(query.county)
    for cond in query.where:
        sql, more = condition_sql(p, cond)
        clauses.append(sql)
        params += more
    if query.either:
        alternatives = []
        for cond in query.either:
            sql, more = condition_sql(p, cond)
            alternatives.append(sql)
            params += more
        clauses.append("(" + " OR ".join(alternatives) + ")")
    return " AND ".join(clauses), params


def compile_query(p: str, query: DocQuery, what: str = "doc") -> tuple[str, list[str | int]]:
    where, params = where_sql(p, query)
    statement = f"SELECT {what} FROM view_docs WHERE {where}"
    if query.order:
        parts = []
        for name, descending in query.order:
            sql, path = doc_field(p, name)
            params.append(path)
            parts.append(f"{sql} {'DESC' if descending else 'ASC'}")
        statement += " ORDER BY " + ", ".join([*parts, "id"])
    if query.limit is not None:
        statement += f" LIMIT {p} OFFSET {p}"
        params += [query.limit, query.offset]
    return statement, params


def count_query(p: str, query: DocQuery) -> tuple[str, list]:
    where, params = where_sql(p, query)
    return f"SELECT count(*) FROM view_docs WHERE {where}", params


def fields_query(p: str, query: DocQuery, names: tuple[str, ...]) -> tuple[str, list]:
    """The named fields of every matching document (no whole documents parsed)."""
    columns, params = [], []
    for name in names:
        sql, path = doc_field(p, name)
        columns.append(sql)
        params.append(path)
    where, where_params = where_sql(p, query)
    return f"SELECT {', '.join(columns)} FROM view_docs WHERE {where}", params + where_params
