"""The origin's proxy to the services: one pooled aiohttp client session, requests passed through.

aiohttp rather than httpx: httpcore's pool scans every pooled connection, polling its socket, for
each request (encode/httpcore#928, open), so with fifty clients at once the gateway spent two
fifths of its time choosing a connection and its throughput fell below a third of what ten clients
got; aiohttp's connector takes the next idle connection of the host and parses answers in C.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import structlog
from fastapi import Request
from fastapi.responses import Response, StreamingResponse
from starlette.background import BackgroundTask
from yarl import URL

from shared.web.problems import problem_response

HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailers",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
    "x-forwarded-host",  # set below from what this origin was asked (QR codes print it)
    "x-forwarded-proto",
}
FORWARDED = {"x-forwarded-for", "x-forwarded-host", "x-forwarded-proto"}
DROPPED_IN = HOP_BY_HOP | FORWARDED
DROPPED_OUT = {name.encode() for name in HOP_BY_HOP - {"content-length"}}
POOL = 500  # connections to the services at once (uvicorn's default backlog is 2048)
# Idle connections are dropped well before the services' keep-alive ends (uvicorn: 5 s), so a pooled
# connection the service is closing at that very moment is never picked.
KEEPALIVE_SECONDS = 2.0
SMALL = 64 * 1024  # bodies up to this size (by Content-Length) go through in one piece, not as a stream
RETRIED = (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError)

log = structlog.get_logger("shishi.gateway")


def forwarded_headers(request: Request) -> list[tuple[str, str]]:
    """What a service needs to know about the client's request: its address (appended to the chain a
    proxy in front of us started) and the origin it used (kept as an outer proxy set it, else ours),
    so a service links to the public origin (Open311 discovery), never to its own port."""
    client = request.client.host if request.client else ""
    chain = request.headers.get("x-forwarded-for", "")
    return [
        ("x-forwarded-for", f"{chain}, {client}" if chain else client),
        ("x-forwarded-host", request.headers.get("x-forwarded-host") or request.headers.get("host", "")),
        ("x-forwarded-proto", request.headers.get("x-forwarded-proto") or request.url.scheme),
    ]


async def request_content(request: Request) -> bytes | AsyncIterator[bytes]:
    """What is sent upstream: a small body announced by its ``Content-Length`` whole (one write to the
    service instead of a chunked stream), any other body as a stream (never held whole here; the size
    limit counts it on the way)."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) <= SMALL:
        return await request.body()
    return request.stream()


class Upstreams:
    """The services by name (``{"intake": "http://127.0.0.1:8001"}``) and the pooled session to them,
    open between :meth:`open` and :meth:`close` (the gateway's lifespan)."""

    def __init__(self, urls: dict[str, str]) -> None:
        self.urls = urls
        self.errors: dict[tuple[str, ...], int] = {}
        self._session: aiohttp.ClientSession | None = None

    async def open(self) -> None:
        connector = aiohttp.TCPConnector(limit=POOL, keepalive_timeout=KEEPALIVE_SECONDS, ttl_dns_cache=None)
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(total=None, sock_connect=5.0, sock_read=60.0),
            auto_decompress=False,  # bytes pass through as the service sent them
            skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding"),  # only what the client sent
            cookie_jar=aiohttp.DummyCookieJar(),  # the gateway keeps no cookies of its own
        )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise RuntimeError("the gateway's upstream session is not open")
        return self._session

    async def ask(self, name: str, what: str) -> dict:
        """A service's ``/<name>/<what>`` (readyz, healthz) as JSON with ``ready``; never raises."""
        try:
            async with self.session.get(
                f"{self.urls[name]}/{name}/{what}", timeout=aiohttp.ClientTimeout(total=3.0)
            ) as answer:
                return {**(await answer.json(content_type=None)), "ready": answer.status == 200}
        except Exception:  # noqa: BLE001 - any failure means not ready; what failed is not for the public
            return {"ready": False, "service": name, "reachable": False}

    async def everyone(self, what: str) -> dict[str, dict]:
        names = list(self.urls)
        return dict(zip(names, await asyncio.gather(*(self.ask(n, what) for n in names)), strict=True))

    async def forward(self, request: Request, service: str) -> Response:
        """The request as it came (path and query as sent, headers less hop-by-hop ones, the body),
        answered with what the service answered: a small answer whole, a large one streamed."""
        scope = request.scope
        target = self.urls[service] + scope.get("raw_path", scope["path"].encode()).decode("latin-1")
        if scope.get("query_string"):
            target += "?" + scope["query_string"].decode("latin-1")
        headers = [(k, v) for k, v in request.headers.items() if k not in DROPPED_IN]
        headers += forwarded_headers(request)
        has_body = request.method in ("POST", "PUT", "PATCH", "DELETE")
        content = await request_content(request) if has_body else None
        url = URL(target, encoded=True)
        try:
            try:
                answer = await self._send(request.method, url, headers, content)
            except RETRIED:
                if has_body:
                    raise
                # a pooled connection the service had just closed: a request without a body is sent again
                answer = await self._send(request.method, url, headers, content)
        except (aiohttp.ClientError, TimeoutError):
            self.errors[(service,)] = self.errors.get((service,), 0) + 1
            log.warning("upstream_unavailable", service=service, path=scope["path"])
            return problem_response(502, "Bad gateway", f"{service} is not answering", "upstream_unavailable", request)
        raw_headers = [(k.lower(), v) for k, v in answer.raw_headers if k.lower() not in DROPPED_OUT]
        length = answer.content_length
        if length is not None and length <= SMALL:
            try:
                body = await answer.read()
            except (aiohttp.ClientError, TimeoutError):
                answer.release()
                return problem_response(502, "Bad gateway", f"{service} broke off", "upstream_unavailable", request)
            response = Response(body, status_code=answer.status)
            response.raw_headers = raw_headers  # duplicates (Set-Cookie) kept, Content-Length as sent
            return response
        streamed = StreamingResponse(
            answer.content.iter_chunked(SMALL), status_code=answer.status, background=BackgroundTask(answer.release)
        )
        streamed.raw_headers = [(k, v) for k, v in raw_headers if k != b"content-length"] + (
            [(b"content-length", str(length).encode())] if length is not None else []
        )
        return streamed

    async def _send(
        self, method: str, url: URL, headers: list[tuple[str, str]], content: bytes | AsyncIterator[bytes] | None
    ) -> aiohttp.ClientResponse:
        return await self.session.request(method, url, headers=headers, data=content, allow_redirects=False)
