"""``Idempotency-Key`` on every POST: a client that sends a request again with the same key gets the
first answer again instead of creating a second demand, vote round or project file.

The key is scoped to who sends it (a hash of the token in ``Authorization`` or the login cookie; for an
anonymous caller, the client address) and kept with a fingerprint of the request (method, path, query,
body) and the answer (status, content type, location, body) for ``SHISHI_IDEMPOTENCY_HOURS`` (24 h), in
the service's own database: ``<data dir>/<service>/idempotency.sqlite``, or table ``idempotency_keys``
in the service's PostgreSQL database. The same key with another request is refused (422
``idempotency_key_reused``); a key whose first request is still being answered, 409
``idempotency_key_in_use``. A 5xx answer is not kept (the client may try again with the same key).
A claim left unanswered for ``STALE_SECONDS`` (its process was killed mid-request) is taken over by the
next request with the key. So that such a retry cannot create a second object, a route that creates one
may name it from :func:`origin_of` (a digest of the caller and the key, never the caller itself): the
retry then finds what the first request saved (intake's demands do).
Replays carry ``Idempotent-Replayed: true``. Secret ballots are left out: keeping their answer with the
sender's address and a time would be a record pairing the two.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.config import Settings
from shared.persistence.schema import create_schema
from shared.persistence.side_tables import postgres_connection
from shared.web.anonymous import is_anonymous
from shared.web.limits import client_address

HEADER = b"idempotency-key"
STALE_SECONDS = 30.0  # a claim this old with no answer was left by a process that died mid-request
ORIGIN = "idempotency_origin"  # scope["state"] key of the request's origin digest
MAX_KEY = 200
MAX_STORED = 1024 * 1024  # larger answers are not kept
KEPT_HEADERS = (b"content-type", b"location")
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS idempotency_keys (owner TEXT NOT NULL, key TEXT NOT NULL, "
    "fingerprint TEXT NOT NULL, created DOUBLE PRECISION NOT NULL, status INTEGER, headers TEXT, body BYTEA, "
    "PRIMARY KEY (owner, key))"
)


class KeyStore:
    """The keys of one service (SQLite file or the service's PostgreSQL database); thread-safe."""

    def __init__(self, settings: Settings) -> None:
        self._lock = threading.Lock()
        self.ttl = settings.idempotency_hours * 3600
        if settings.persistence == "postgres":
            env = settings.eventsourcing_env()
            self._conn: Any = postgres_connection(env, autocommit=True)
            self._p = "%s"
            create_schema(self._conn, [SCHEMA])
        else:
            path = Path(settings.service_dir) / "idempotency.sqlite"
            path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._p = "?"
            self._conn.execute(SCHEMA.replace("BYTEA", "BLOB"))
        self._last_purge = 0.0

    @contextmanager
    def _cursor(self) -> Iterator[Any]:
        with self._lock:
            yield self._conn.cursor()

    def claim(self, owner: str, key: str, fingerprint: str) -> tuple[str, Any]:
        """``("new", None)`` (the caller answers and then :meth:`keep`\\s or :meth:`release`\\s), ``("replay",
        (status, headers, body))``, ``("reused", None)`` (another request) or ``("busy", None)``."""
        now = time.time()
        p = self._p
        with self._cursor() as c:
            if now - self._last_purge > 300:
                c.execute(f"DELETE FROM idempotency_keys WHERE created < {p}", (now - self.ttl,))
                self._last_purge = now
            c.execute(
                f"SELECT fingerprint, created, status, headers, body FROM idempotency_keys WHERE owner = {p} "
                f"AND key = {p}",
                (owner, key),
            )
            row = c.fetchone()
            if row is not None and row[1] < now - self.ttl:
                c.execute(f"DELETE FROM idempotency_keys WHERE owner = {p} AND key = {p}", (owner, key))
                row = None
            if row is None:
                c.execute(
                    f"INSERT INTO idempotency_keys (owner, key, fingerprint, created) VALUES ({p}, {p}, {p}, {p}) "
                    "ON CONFLICT DO NOTHING",
                    (owner, key, fingerprint, now),
                )
                return ("new", None) if c.rowcount == 1 else ("busy", None)
        if row[0] != fingerprint:
            return "reused", None
        if row[2] is None:
            if row[1] >= now - STALE_SECONDS:
                return "busy", None
            with self._cursor() as c:  # the first request's process died before answering: take it over
                c.execute(
                    f"UPDATE idempotency_keys SET created = {p} WHERE owner = {p} AND key = {p} AND created = {p} "
                    "AND status IS NULL",
                    (now, owner, key, row[1]),
                )
                return ("new", None) if c.rowcount == 1 else ("busy", None)
        return "replay", (int(row[2]), json.loads(row[3]), bytes(row[4]))

    def keep(self, owner: str, key: str, status: int, headers: list[list[str]], body: bytes) -> None:
        p = self._p
        with self._cursor() as c:
            c.execute(
                f"UPDATE idempotency_keys SET status = {p}, headers = {p}, body = {p} WHERE owner = {p} AND key = {p}",
                (status, json.dumps(headers), body, owner, key),
            )

    def release(self, owner: str, key: str) -> None:
        p = self._p
        with self._cursor() as c:
            c.execute(f"DELETE FROM idempotency_keys WHERE owner = {p} AND key = {p}", (owner, key))

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def origin_of(state: Any) -> str:
    """The request's origin digest (``idem:<sha256 of caller and key>``) when it carries an
    ``Idempotency-Key``, else ``""``: the same for a retry of the same request by the same caller."""
    return str(getattr(state, ORIGIN, "") or "")


def owner_of(scope: Scope, trusted: frozenset[str] = frozenset()) -> str:
    headers = dict(scope.get("headers") or [])
    credential = headers.get(b"authorization", b"")
    if not credential:
        cookies = headers.get(b"cookie", b"").decode("latin-1")
        credential = next(
            (part.split("=", 1)[1].encode() for part in cookies.split("; ") if part.startswith("shishi_token=")),
            b"",
        )
    if credential:
        return "token:" + hashlib.sha256(credential).hexdigest()
    return "address:" + client_address(scope, trusted)


def problem(status: int, reason: str, detail: str, path: str) -> bytes:
    return json.dumps(
        {
            "type": f"https://shishi.example/problems/{reason}",
            "title": "Idempotency key",
            "status": status,
            "detail": detail,
            "reason": reason,
            "instance": path,
        }
    ).encode()


class Idempotency:
    """Pure ASGI middleware over a :class:`KeyStore` (its database calls run in a thread)."""

    def __init__(self, app: ASGIApp, store: KeyStore, trusted_proxies: frozenset[str] = frozenset()) -> None:
        self.app = app
        self.store = store
        self.trusted = trusted_proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key_bytes = dict(scope.get("headers") or []).get(HEADER) if scope["type"] == "http" else None
        path = scope.get("path", "")
        if key_bytes is None or scope.get("method") != "POST" or is_anonymous("POST", path):
            # a secret ballot keeps nothing beside the urn (no address, no time, no answer): a ballot sent
            # again is accepted once by the urn itself (same credential, receipt and marks)
            await self.app(scope, receive, send)
            return
        key = key_bytes.decode("latin-1").strip()
        if not key or len(key) > MAX_KEY:
            await self._answer(send, 422, problem(422, "invalid_idempotency_key", f"1 to {MAX_KEY} characters", path))
            return
        messages, body = [], b""
        while True:  # the body is bounded by the size limit outside
            message = await receive()
            messages.append(message)
            body += message.get("body", b"")
            if message["type"] != "http.request" or not message.get("more_body", False):
                break
        query = scope.get("query_string", b"")
        fingerprint = hashlib.sha256(b"POST\0" + path.encode() + b"\0" + query + b"\0" + body).hexdigest()
        owner = owner_of(scope, self.trusted)
        state, stored = await asyncio.to_thread(self.store.claim, owner, key, fingerprint)
        if state == "reused":
            detail = "this Idempotency-Key was used with another request"
            await self._answer(send, 422, problem(422, "idempotency_key_reused", detail, path))
            return
        if state == "busy":
            detail = "the first request with this Idempotency-Key is still being answered"
            await self._answer(send, 409, problem(409, "idempotency_key_in_use", detail, path))
            return
        if state == "replay":
            status, headers, content = stored
            extra = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers]
            await self._answer(send, status, content, extra + [(b"idempotent-replayed", b"true")], typed=False)
            return
        digest = hashlib.sha256(owner.encode() + b"\0" + key.encode("utf-8", "surrogateescape")).hexdigest()
        scope.setdefault("state", {})[ORIGIN] = f"idem:{digest[:40]}"
        await self._first(scope, messages, send, owner, key)

    async def _first(self, scope: Scope, messages: list[Message], send: Send, owner: str, key: str) -> None:
        pending = list(messages)

        async def replay_body() -> Message:
            return pending.pop(0) if pending else {"type": "http.disconnect"}

        status, headers, chunks = 500, [], []

        async def capture(message: Message) -> None:
            nonlocal status, headers
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = [
                    [k.decode("latin-1"), v.decode("latin-1")]
                    for k, v in message.get("headers", [])
                    if k in KEPT_HEADERS
                ]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, replay_body, capture)
        finally:
            content = b"".join(chunks)
            if status >= 500 or len(content) > MAX_STORED:
                await asyncio.to_thread(self.store.release, owner, key)
            else:
                await asyncio.to_thread(self.store.keep, owner, key, status, headers, content)

    @staticmethod
    async def _answer(
        send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]] | None = None, typed: bool = True
    ) -> None:
        head = [(b"content-length", str(len(body)).encode()), *(headers or [])]
        if typed:
            head.append((b"content-type", b"application/problem+json"))
        await send({"type": "http.response.start", "status": status, "headers": head})
        await send({"type": "http.response.body", "body": body})
