"""The one origin: routes /intake, /decision, /supervision, /evaluation to the services,
serves the home page, the dev login and the shared static files."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager, suppress
from pathlib import Path

import httpx
import structlog
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.background import BackgroundTask
from starlette.types import ASGIApp, Receive, Scope, Send

from services.gateway.http.audit_pages import make_audit_hub_router
from services.gateway.http.contracts_pages import make_contracts_router
from services.gateway.http.duty_pages import make_duty_router
from services.gateway.http.home_pages import make_shell_router
from services.gateway.http.poster_pages import make_poster_router
from services.gateway.http.province_pages import forwarded_auth, make_province_router
from services.gateway.read.replicas import Upstreams
from services.gateway.read.upstream import http_fetch
from services.gateway.read.worklist import worklist
from shared.auth import Principal
from shared.config import SERVICES, Settings
from shared.logging import configure_logging
from shared.web.access import principal_of
from shared.web.metrics import CONTENT_TYPE, Metrics
from shared.web.problems import install_problem_handlers, problem_response
from shared.web.serving import install_door, install_request_log, make_verifier
from shared.web.templating import make_templates, mount_static

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


class Who:
    """Who is asking (``request.state.principal``), for every request, ahead of the routes; a token that does not
    verify is the routes' business. Pure ASGI: ``@app.middleware("http")`` ran each request in a task of its own
    and piped every answer the origin relays through a stream of its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            with suppress(Exception):
                principal_of(Request(scope))
        await self.app(scope, receive, send)


def create_gateway(
    settings: Settings,
    upstreams: Mapping[str, str | list[str]],
    *,
    transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """``upstreams`` maps service name -> base URL (``http://127.0.0.1:8001``), or the base URLs of its
    replicas (``services.gateway.read.replicas``); ``transport``: how the services are reached (default:
    over the network; tests hand in the services' apps)."""
    pool = Upstreams(upstreams)
    configure_logging(service="gateway", level=settings.log_level, json=settings.log_json, file=settings.log_file)
    client: httpx.AsyncClient | None = None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        nonlocal client
        # Idle connections are dropped well before the services' keep-alive ends (uvicorn: 5 s), so a
        # pooled connection the service is closing at that very moment is never picked.
        limits = httpx.Limits(max_connections=200, max_keepalive_connections=40, keepalive_expiry=2.0)
        client = httpx.AsyncClient(
            timeout=httpx.Timeout(60.0, connect=5.0), follow_redirects=False, limits=limits, transport=transport
        )
        try:
            yield
        finally:
            await client.aclose()

    app = FastAPI(
        title="Shishi (实事)",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    app.state.verifier = make_verifier(settings)
    install_problem_handlers(app)
    install_request_log(app)
    metrics = app.state.metrics = Metrics("gateway")
    upstream_errors: dict[tuple[str, ...], int] = {}
    templates = make_templates(Path(__file__).parent / "http" / "templates", static_base="/static")

    async def role_worklist(request: Request, principal: Principal) -> list[dict]:
        assert client is not None
        return await worklist(http_fetch(client, pool, forwarded_auth(request)), principal)

    app.add_middleware(Who)

    app.include_router(
        make_shell_router(
            templates,
            secret_provider=settings.resolved_jwt_secret,
            local_mode=settings.mode == "local",
            worklist=role_worklist,
        )
    )
    app.include_router(make_province_router(pool, transport))
    app.include_router(make_audit_hub_router())
    app.include_router(make_contracts_router("/static"))
    app.include_router(make_duty_router(pool, transport))
    app.include_router(make_poster_router(pool))
    mount_static(app, "/static")

    async def ask_replica(name: str, base: str, what: str) -> dict:
        assert client is not None
        try:
            r = await client.get(f"{base}/{name}/{what}", timeout=3.0)
            return {**r.json(), "ready": r.status_code == 200}
        except Exception:  # noqa: BLE001 - any failure means not ready; what failed is not for the public
            return {"ready": False, "service": name, "reachable": False}

    async def ask(name: str, what: str) -> dict:
        """A service is ready when any of its replicas is; with several, each replica's readiness and
        whether it holds the service's lease (runs its relay, sweeps and read side)."""
        bases = pool.replicas(name)
        answers = await asyncio.gather(*(ask_replica(name, base, what) for base in bases))
        if len(bases) == 1:
            return answers[0]
        ready = [a for a in answers if a["ready"]]
        return {
            **(ready or answers)[0],
            "ready": bool(ready),
            "replicas": [
                {"replica": i + 1, "ready": a["ready"], "lease": (a.get("lease") or {}).get("held")}
                for i, a in enumerate(answers)
            ],
        }

    async def everyone(what: str) -> dict[str, dict]:
        names = list(pool)
        return dict(zip(names, await asyncio.gather(*(ask(n, what) for n in names)), strict=True))

    @app.get("/livez")
    def livez() -> dict:
        """The origin's process answers."""
        return {"live": True, "service": "gateway"}

    @app.get("/readyz")
    async def readyz() -> JSONResponse:
        """Every service is ready: 200, else 503."""
        results = await everyone("readyz")
        ready = all(r["ready"] for r in results.values())
        return JSONResponse({"ready": ready, "services": results}, status_code=200 if ready else 503)

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        """Each service's health (states and counts; no error text)."""
        results = await everyone("healthz")
        ready = all(r["ready"] for r in results.values())
        return JSONResponse({"ready": ready, "services": results}, status_code=200 if ready else 503)

    @app.get("/metrics")
    async def metrics_route() -> Response:
        """Prometheus metrics of the origin: requests by route, upstream errors and readiness."""
        ready = await everyone("readyz")
        snapshot = {
            "ready": int(all(r["ready"] for r in ready.values())),
            "upstream_ready": {(name,): int(r["ready"]) for name, r in ready.items()},
            "upstream_errors": dict(upstream_errors),
        }
        return Response(await asyncio.to_thread(metrics.render, snapshot), media_type=CONTENT_TYPE)

    async def proxy(request: Request, service: str, path: str) -> Response:
        assert client is not None
        headers = [(k, v) for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP | FORWARDED]
        headers += forwarded_headers(request)
        has_body = request.method in ("POST", "PUT", "PATCH", "DELETE")
        for base in pool.order(service):  # the next replica in turn; another when one cannot be reached
            # the body streams through (never held whole here); the size limit counts it on the way
            upstream_request = client.build_request(
                request.method,
                f"{base}/{service}/{path}",
                params=request.query_params,
                headers=headers,
                content=request.stream() if has_body else None,
            )
            try:
                try:
                    upstream = await client.send(upstream_request, stream=True)
                except (httpx.RemoteProtocolError, httpx.ReadError):
                    if has_body:
                        raise
                    # a pooled connection the service had just closed: a request without a body is sent again
                    upstream = await client.send(upstream_request, stream=True)
            except (httpx.ConnectError, httpx.ConnectTimeout):
                pool.down(base)  # nothing was sent: the next replica takes it
                log.warning("upstream_replica_down", service=service, replica=base)
                continue
            except httpx.TimeoutException:
                break  # a slow answer is not a dead replica
            except httpx.TransportError:
                if has_body:
                    break  # the body may have been taken in: never sent twice
                # the replica died while answering a read: reads are safe to ask again, of the next one
                pool.down(base)
                log.warning("upstream_replica_lost", service=service, replica=base)
                continue
            except httpx.HTTPError:
                break
            pool.up(base)
            out_headers = {k: v for k, v in upstream.headers.items() if k.lower() not in HOP_BY_HOP}
            return StreamingResponse(
                upstream.aiter_raw(),
                status_code=upstream.status_code,
                headers=out_headers,
                background=BackgroundTask(upstream.aclose),
            )
        upstream_errors[(service,)] = upstream_errors.get((service,), 0) + 1
        log.warning("upstream_unavailable", service=service, path=path)
        return problem_response(502, "Bad gateway", f"{service} is not answering", "upstream_unavailable", request)

    for name in SERVICES:
        if name not in pool:
            continue

        def bind(service: str) -> None:
            async def route(request: Request, path: str = "") -> Response:
                return await proxy(request, service, path)

            methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
            app.add_api_route(f"/{service}", route, methods=methods, include_in_schema=False)
            app.add_api_route(f"/{service}/{{path:path}}", route, methods=methods, include_in_schema=False)

        bind(name)
    install_door(app, settings)
    return app
