"""The one origin: routes /intake, /decision, /supervision, /evaluation to the services,
serves the home page, the dev login and the shared static files."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager, suppress
from pathlib import Path

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from services.gateway.http.audit_pages import make_audit_hub_router
from services.gateway.http.contracts_pages import make_contracts_router
from services.gateway.http.duty_pages import make_duty_router
from services.gateway.http.home_pages import make_shell_router
from services.gateway.http.poster_pages import make_poster_router
from services.gateway.http.province_pages import forwarded_auth, make_province_router
from services.gateway.proxy import ProxiedService, Proxy
from services.gateway.read.upstream import http_fetch
from services.gateway.read.worklist import worklist
from shared.auth import Principal
from shared.config import SERVICES, Settings
from shared.logging import configure_logging
from shared.web.access import principal_of
from shared.web.metrics import CONTENT_TYPE, Metrics
from shared.web.problems import install_problem_handlers
from shared.web.serving import install_door, install_request_log, make_verifier
from shared.web.templating import make_templates, mount_static


class Who:
    """Pure ASGI middleware: the caller of the origin's own pages (home, login, province, posters) is
    known to their templates (``request.state.principal``); proxied paths are the services' business."""

    def __init__(self, app: ASGIApp, proxied: tuple[str, ...]) -> None:
        self.app = app
        self.proxied = proxied

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].startswith(self.proxied):
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
    proxy = Proxy.over(upstreams, transport)
    pool = proxy.pool
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
        await proxy.leg.open()
        try:
            yield
        finally:
            await proxy.leg.close()
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
    templates = make_templates(Path(__file__).parent / "http" / "templates", static_base="/static")

    async def role_worklist(request: Request, principal: Principal) -> list[dict]:
        assert client is not None
        return await worklist(http_fetch(client, pool, forwarded_auth(request)), principal)

    app.add_middleware(Who, proxied=tuple(f"/{name}" for name in pool))

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
            "upstream_errors": dict(proxy.errors),
        }
        return Response(await asyncio.to_thread(metrics.render, snapshot), media_type=CONTENT_TYPE)

    for name in SERVICES:
        if name not in pool:
            continue

        def bind(service: str) -> None:
            async def route(request: Request) -> Response:
                return await proxy.forward(request, service)

            methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
            app.add_api_route(f"/{service}", route, methods=methods, include_in_schema=False)
            # everything under /<service>/ goes to a plain ASGI app: no dependency solving, no thread
            app.mount(f"/{service}/", ProxiedService(proxy, service))

        bind(name)
    install_door(app, settings)
    return app
