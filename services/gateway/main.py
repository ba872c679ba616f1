"""The one origin: routes /intake, /decision, /supervision, /evaluation to the services,
serves the home page, the dev login and the shared static files."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from services.gateway.http.contracts_pages import make_contracts_router
from services.gateway.http.duty_pages import make_duty_router
from services.gateway.http.home_pages import make_shell_router
from services.gateway.http.poster_pages import make_poster_router
from services.gateway.http.province_pages import make_province_router
from services.gateway.proxy import Upstreams
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


class ProxiedService:
    """The ASGI app every request under ``/<service>/`` reaches: passed to the service as it came."""

    def __init__(self, proxy: Upstreams, service: str) -> None:
        self.proxy = proxy
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        response = await self.proxy.forward(Request(scope, receive), self.service)
        await response(scope, receive, send)


def create_gateway(settings: Settings, upstreams: dict[str, str]) -> FastAPI:
    """``upstreams`` maps service name -> base URL (``http://127.0.0.1:8001``)."""
    configure_logging(service="gateway", level=settings.log_level, json=settings.log_json, file=settings.log_file)
    proxy = Upstreams(upstreams)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await proxy.open()
        try:
            yield
        finally:
            await proxy.close()

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
    templates = make_templates(static_base="/static")

    app.add_middleware(Who, proxied=tuple(f"/{name}" for name in upstreams))

    app.include_router(
        make_shell_router(templates, secret_provider=settings.resolved_jwt_secret, local_mode=settings.mode == "local")
    )
    app.include_router(make_province_router(upstreams))
    app.include_router(make_contracts_router("/static"))
    app.include_router(make_duty_router(upstreams))
    app.include_router(make_poster_router(upstreams))
    mount_static(app, "/static")

    @app.get("/livez")
    def livez() -> dict:
        """The origin's process answers."""
        return {"live": True, "service": "gateway"}

    @app.get("/readyz")
    async def readyz() -> JSONResponse:
        """Every service is ready: 200, else 503."""
        results = await proxy.everyone("readyz")
        ready = all(r["ready"] for r in results.values())
        return JSONResponse({"ready": ready, "services": results}, status_code=200 if ready else 503)

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        """Each service's health (states and counts; no error text)."""
        results = await proxy.everyone("healthz")
        ready = all(r["ready"] for r in results.values())
        return JSONResponse({"ready": ready, "services": results}, status_code=200 if ready else 503)

    @app.get("/metrics")
    async def metrics_route() -> Response:
        """Prometheus metrics of the origin: requests by route, upstream errors and readiness."""
        ready = await proxy.everyone("readyz")
        snapshot = {
            "ready": int(all(r["ready"] for r in ready.values())),
            "upstream_ready": {(name,): int(r["ready"]) for name, r in ready.items()},
            "upstream_errors": dict(proxy.errors),
        }
        return Response(await asyncio.to_thread(metrics.render, snapshot), media_type=CONTENT_TYPE)

    for name in SERVICES:
        if name not in upstreams:
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
