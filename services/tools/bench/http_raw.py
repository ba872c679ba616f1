"""The raw baseline of ``bench http``: a minimal FastAPI route that durably inserts the body of
``POST /intake/api/demands`` into SQLite (WAL, synchronous FULL: the event store's durability), one
transaction per request, served by uvicorn exactly as ``shishi serve`` serves a service.

No domain, no event store, no middleware: what the same gateway, web stack and kind of store allow.
Run as ``python -m services.tools.bench.http_raw --port P --db FILE``.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import threading
from pathlib import Path
from typing import Annotated, Any

import uvicorn
from fastapi import Body, FastAPI


class RawDemands:
    """One table, one connection, one commit per insert."""

    def __init__(self, path: Path) -> None:
        for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            stale.unlink(missing_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.execute("CREATE TABLE demands (id INTEGER PRIMARY KEY, body BLOB NOT NULL)")

    def insert(self, body: bytes) -> int:
        with self._lock:
            self._conn.execute("BEGIN")
            row = self._conn.execute("INSERT INTO demands (body) VALUES (?)", (body,)).lastrowid
            self._conn.execute("COMMIT")
        return int(row or 0)


def create_raw_app(db_path: Path) -> FastAPI:
    store = RawDemands(db_path)
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @app.post("/intake/api/demands", status_code=201)
    def submit(body: Annotated[dict[str, Any], Body()]) -> dict:
        return {"id": store.insert(json.dumps(body, ensure_ascii=False).encode())}

    @app.get("/livez")
    def livez() -> dict:
        return {"live": True}

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--db", type=Path, required=True)
    args = parser.parse_args()
    uvicorn.run(create_raw_app(args.db), host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
