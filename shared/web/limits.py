"""Limits at the door: the size of a request body, and the rate of anonymous requests.

**Body size.** :class:`BodyLimit`, pure ASGI, in every service and the gateway, from
``SHISHI_MAX_BODY_BYTES`` (default 1 MiB): a ``Content-Length`` above the limit is answered 413
without reading the body; a body without one (chunked) is counted as it streams in and cut off as
soon as it passes the limit, never read whole. Attachments are metadata in a demand (name, type,
size): there is no upload route; one added later would take its own limit.

**Rate.** :class:`RateLimits` applies a moving window per client address to the anonymous routes a
service names (demand submission, tracking look-ups, Open311 posts, residents' ratings), with the
``limits`` library's in-memory storage: the counts are **per process** (one service process, as
``shishi up`` and the container image run them). A request carrying ``Authorization`` is not
counted (an invalid token is refused 401 before any work). The client address is the peer's, or,
when the peer is a trusted proxy (the gateway, ``SHISHI_TRUSTED_PROXIES``), the one it forwarded.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass

from fastapi import HTTPException
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PROBLEM = b"application/problem+json"


def problem(status: int, reason: str, detail: str, path: str) -> bytes:
    return json.dumps(
        {
            "type": f"https://shishi.example/problems/{reason}",
            "title": {413: "Payload too large", 429: "Too many requests"}.get(status, "Refused"),
            "status": status,
            "detail": detail,
            "reason": reason,
            "instance": path,
        }
    ).encode()


async def send_problem(send: Send, status: int, body: bytes, extra: Iterable[tuple[bytes, bytes]] = ()) -> None:
    headers = [(b"content-type", PROBLEM), (b"content-length", str(len(body)).encode()), *extra]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


@dataclass(frozen=True)
class RateRule:
    """``method`` requests whose path matches ``pattern`` share the bucket ``name`` with ``limit``
    (``limits`` notation: ``"20/minute"``, ``"5/second;100/hour"``)."""

    name: str
    method: str
    pattern: str
    limit: str


class RateLimits:
    """Pure ASGI middleware: 429 problem (``Retry-After``) past a rule's limit for one client address."""

    def __init__(self, app: ASGIApp, rules: Iterable[RateRule], trusted_proxies: Iterable[str] = ()) -> None:
        self.app = app
        self.rules = [(r, re.compile(r.pattern), parse_many(r.limit)) for r in rules]
        self.trusted = set(trusted_proxies)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def client_of(self, scope: Scope) -> str:
        return client_address(scope, self.trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.rules:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        if b"authorization" not in headers:
            path, method = scope.get("path", ""), scope.get("method", "")
            for rule, pattern, items in self.rules:
                if method == rule.method and pattern.match(path):
                    client = self.client_of(scope)
                    for item in items:
                        if not self.limiter.hit(item, rule.name, client):
                            reset = self.limiter.get_window_stats(item, rule.name, client).reset_time
                            wait = max(1, int(reset - time.time()) + 1)
                            detail = f"too many requests from your address ({item}); try again in {wait} s"
                            body = problem(429, "rate_limited", detail, path)
                            await send_problem(send, 429, body, [(b"retry-after", str(wait).encode())])
                            return
                    break
        await self.app(scope, receive, send)


def client_address(scope: Scope, trusted: set[str] | frozenset[str]) -> str:
    """The peer's address, or, when the peer is a trusted proxy, the address that proxy saw (the last
    entry of ``X-Forwarded-For``: earlier ones are whatever the client claimed)."""
    peer = str((scope.get("client") or ("unknown", 0))[0])
    if peer in trusted:
        forwarded = dict(scope.get("headers") or []).get(b"x-forwarded-for", b"").decode("latin-1")
        seen = forwarded.split(",")[-1].strip()
        if seen:
            return seen
    return peer


def parse_many(text: str) -> list[RateLimitItem]:
    return [parse(part.strip()) for part in text.split(";") if part.strip()]


class BodyLimit:
    """Pure ASGI middleware: request bodies over ``limit`` bytes are refused with a 413 problem and the
    connection closed. A ``Content-Length`` above the limit is answered before anything is read; a body
    without one is counted as it streams in and cut off as soon as it passes the limit (whatever the
    route then answers, or raises, the client gets the 413)."""

    def __init__(self, app: ASGIApp, limit: int | None) -> None:
        self.app = app
        self.limit = limit or 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.limit:
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        length = dict(scope.get("headers") or []).get(b"content-length", b"")
        if length.isdigit() and int(length) > self.limit:
            await self._refuse(send, path, f"the request body ({int(length)} bytes) exceeds {self.limit} bytes")
            return
        seen, exceeded, replied = 0, False, False

        async def counting() -> Message:
            nonlocal seen, exceeded
            if exceeded:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    exceeded = True
                    raise BodyTooLarge(self.limit)
            return message

        async def sending(message: Message) -> None:
            nonlocal replied
            if exceeded:  # the route's answer to a cut-off body (a 400, a 413 …) becomes ours
                if not replied:
                    replied = True
                    await self._refuse(send, path, f"the request body exceeds {self.limit} bytes")
                return
            replied = replied or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting, sending)
        except Exception:
            if not exceeded:
                raise
            if not replied:
                await self._refuse(send, path, f"the request body exceeds {self.limit} bytes")

    async def _refuse(self, send: Send, path: str, detail: str) -> None:
        body = problem(413, "payload_too_large", detail, path)
        await send_problem(send, 413, body, [(b"connection", b"close")])


class BodyTooLarge(HTTPException):
    """Raised while a body streams in past the limit (an HTTP exception: FastAPI passes it on)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body exceeds {limit} bytes")
