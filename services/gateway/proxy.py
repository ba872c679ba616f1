"""The origin's proxy to the services: each request under ``/<service>/`` passed, as it came, to one
of the service's replicas (``services.gateway.read.replicas``), and the answer passed back.

Over the network the requests go through one pooled aiohttp session, not httpx: httpcore's pool scans
every pooled connection, polling its socket, for each request (encode/httpcore#928), so with fifty
clients at once the origin spent much of its time choosing a connection and its throughput fell
below what ten clients got (README "Performance"); aiohttp's connector takes the next idle
connection of the host and parses answers in C. Tests that hand the gateway the services' ASGI apps
(an httpx ``transport``, no sockets) are forwarded through httpx: the same replica rules, one
interface (:class:`Leg`).

The replica rules: a request goes to the next replica in turn; one that refused the connection is
skipped for a few seconds and the request goes to the next; a replica that hung up without answering
is asked again (a pooled connection it had just closed), then skipped, but only for a request
without a body: a body may have been taken in, and is never sent twice.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Protocol

import aiohttp
import httpx
import structlog
from fastapi import Request
from fastapi.responses import Response, StreamingResponse
from starlette.background import BackgroundTask
from starlette.types import Receive, Scope, Send
from yarl import URL

from services.gateway.read.replicas import Upstreams
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
# the origin's own server (uvicorn) writes Date and Server on every answer: the service's would be a second
DROPPED_OUT = {name.encode() for name in HOP_BY_HOP - {"content-length"}} | {b"date", b"server"}
POOL = 500  # connections to the services at once (uvicorn's default backlog is 2048)
# Idle connections are dropped well before the services' keep-alive ends (uvicorn: 5 s), so a pooled
# connection the service is closing at that very moment is never picked.
KEEPALIVE_SECONDS = 2.0
SMALL = 64 * 1024  # bodies up to this size (by Content-Length) go through in one piece, not as a stream

log = structlog.get_logger("shishi.gateway")

Content = bytes | AsyncIterator[bytes] | None


class NotSent(Exception):
    """The replica could not be reached: nothing was sent, the next replica may take the request."""


class Lost(Exception):
    """The replica hung up before answering: the request may have reached it."""


class Failed(Exception):
    """No answer in time, or another failure: the request is not sent elsewhere."""


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


async def request_content(request: Request) -> Content:
    """What is sent upstream: nothing for a request without a body; a small body announced by its
    ``Content-Length`` whole (one write to the service instead of a chunked stream); any other body
    as a stream (never held whole here; the service's size limit counts it on the way)."""
    if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return None
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) <= SMALL:
        return await request.body()
    return request.stream()


class Leg(Protocol):
    """One way of reaching the services: sends a request to one replica and returns its answer as a
    response to pass back, or raises :class:`NotSent`, :class:`Lost` or :class:`Failed`."""

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def send(self, method: str, target: str, headers: list[tuple[str, str]], content: Content) -> Response: ...


class AiohttpLeg:
    """The services over the network, through one pooled aiohttp session (open in the gateway's lifespan)."""

    def __init__(self) -> None:
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

    async def send(self, method: str, target: str, headers: list[tuple[str, str]], content: Content) -> Response:
        if self._session is None:
            raise Failed("the gateway's upstream session is not open")
        url = URL(target, encoded=True)
        try:
            try:
                answer = await self._session.request(method, url, headers=headers, data=content, allow_redirects=False)
            except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError) as exc:
                if content is not None or isinstance(exc, aiohttp.ClientConnectorError):
                    raise
                # a pooled connection the service had just closed: a request without a body is sent again
                answer = await self._session.request(method, url, headers=headers, allow_redirects=False)
        except aiohttp.ClientConnectorError as exc:
            raise NotSent(str(exc)) from exc
        except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError, aiohttp.ClientPayloadError) as exc:
            raise Lost(str(exc)) from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise Failed(str(exc)) from exc
        raw_headers = [(k.lower(), v) for k, v in answer.raw_headers if k.lower() not in DROPPED_OUT]
        length = answer.content_length
        if length is not None and length <= SMALL:
            try:
                body = await answer.read()
            except (aiohttp.ClientError, TimeoutError) as exc:
                answer.release()
                raise Lost(str(exc)) from exc
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


class HttpxLeg:
    """The services through an httpx transport (tests hand in the services' ASGI apps)."""

    def __init__(self, transport: httpx.AsyncBaseTransport) -> None:
        self.transport = transport
        self._client: httpx.AsyncClient | None = None

    async def open(self) -> None:
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(60.0, connect=5.0), follow_redirects=False, transport=self.transport
        )

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def send(self, method: str, target: str, headers: list[tuple[str, str]], content: Content) -> Response:
        if self._client is None:
            raise Failed("the gateway's upstream client is not open")
        request = self._client.build_request(method, target, headers=headers, content=content)
        try:
            upstream = await self._client.send(request, stream=True)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise NotSent(str(exc)) from exc
        except httpx.TimeoutException as exc:
            raise Failed(str(exc)) from exc
        except httpx.TransportError as exc:
            raise Lost(str(exc)) from exc
        out_headers = {k: v for k, v in upstream.headers.items() if k.lower() not in HOP_BY_HOP}
        return StreamingResponse(
            upstream.aiter_raw(),
            status_code=upstream.status_code,
            headers=out_headers,
            background=BackgroundTask(upstream.aclose),
        )


@dataclass
class Proxy:
    """Forwards requests to the replicas of ``pool`` through ``leg``; counts the requests no replica
    answered, by service (the origin's ``/metrics``)."""

    pool: Upstreams
    leg: Leg
    errors: dict[tuple[str, ...], int]

    @classmethod
    def over(cls, upstreams: Mapping[str, str | list[str]], transport: httpx.AsyncBaseTransport | None) -> Proxy:
        leg: Leg = AiohttpLeg() if transport is None else HttpxLeg(transport)
        return cls(Upstreams(upstreams), leg, {})

    async def forward(self, request: Request, service: str) -> Response:
        """The request as it came (path and query as sent, headers less hop-by-hop ones, the body),
        answered with what the service answered: a small answer whole, a large one streamed."""
        scope = request.scope
        path = scope.get("raw_path") or scope["path"].encode()
        if scope.get("query_string"):
            path += b"?" + scope["query_string"]
        headers = [(k, v) for k, v in request.headers.items() if k not in DROPPED_IN]
        headers += forwarded_headers(request)
        content = await request_content(request)
        for base in self.pool.order(service):
            try:
                response = await self.leg.send(request.method, base + path.decode("latin-1"), headers, content)
            except NotSent:
                self.pool.down(base)  # nothing was sent: the next replica takes it
                log.warning("upstream_replica_down", service=service, replica=base)
                continue
            except Lost:
                if content is not None:
                    break  # the body may have been taken in: never sent twice
                # the replica died while answering a read: reads are safe to ask again, of the next one
                self.pool.down(base)
                log.warning("upstream_replica_lost", service=service, replica=base)
                continue
            except Failed:
                break  # a slow answer is not a dead replica
            self.pool.up(base)
            return response
        self.errors[(service,)] = self.errors.get((service,), 0) + 1
        log.warning("upstream_unavailable", service=service, path=scope["path"])
        return problem_response(502, "Bad gateway", f"{service} is not answering", "upstream_unavailable", request)


class ProxiedService:
    """The ASGI app every request under ``/<service>/`` reaches: no routing or dependency solving of
    the origin's own, the request passed to the service as it came."""

    def __init__(self, proxy: Proxy, service: str) -> None:
        self.proxy = proxy
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        response = await self.proxy.forward(Request(scope, receive), self.service)
        await response(scope, receive, send)
