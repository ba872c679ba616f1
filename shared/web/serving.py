"""The HTTP shell every service shares: lifespan, problems, auth, request logs, health."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager

import structlog
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse

from shared.auth import TokenVerifier
from shared.config import Settings
from shared.logging import configure_logging
from shared.runtime.service import ServiceRuntime
from shared.web.counties_api import make_counties_router
from shared.web.docs_pages import install_offline_docs
from shared.web.problems import install_problem_handlers

log = structlog.get_logger("shishi.http")

CallNext = Callable[[Request], Awaitable[Response]]


def make_verifier(settings: Settings) -> TokenVerifier:
    return TokenVerifier(secret=settings.verifying_secret(), jwks_url=settings.jwt_jwks_url, issuer=settings.jwt_issuer)


def create_service_app(
    settings: Settings,
    runtime: ServiceRuntime,
    routers: Iterable[APIRouter],
    *,
    title: str,
    start_runtime: bool = True,
) -> FastAPI:
    """Build one service's FastAPI app; routes live under ``/<service>/``."""
    configure_logging(
        service=settings.service, level=settings.log_level, json=settings.log_json, file=settings.log_file
    )
    prefix = f"/{settings.service}"

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if start_runtime:
            await runtime.start()
        try:
            yield
        finally:
            if start_runtime:
                await runtime.stop()

    app = FastAPI(title=title, lifespan=lifespan, openapi_url=f"{prefix}/openapi.json", docs_url=None, redoc_url=None)
    install_offline_docs(app, prefix, f"{prefix}/static")  # Swagger UI and ReDoc from vendored files: no CDN
    app.state.settings = settings
    app.state.runtime = runtime
    app.state.application = runtime.app
    app.state.views = runtime.views
    app.state.clock = runtime.clock  # business time of requests (``meta_for``) and of the runtime's jobs
    app.state.verifier = make_verifier(settings)
    install_problem_handlers(app)
    install_request_log(app)

    @app.get(f"{prefix}/healthz", tags=["health"])
    def healthz() -> JSONResponse:
        health = runtime.health() if start_runtime else {"ready": True, "service": settings.service}
        return JSONResponse(health, status_code=200 if health["ready"] else 503)

    healthz.allowed_roles = ("public",)  # type: ignore[attr-defined]  # the route's roles, read by the isolation test and the docs
    for router in (*routers, make_counties_router(runtime.views)):
        app.include_router(router, prefix=prefix)
    return app


def install_request_log(app: FastAPI) -> None:
    @app.middleware("http")
    async def request_log(request: Request, call_next: CallNext) -> Response:
        correlation_id = request.headers.get("x-correlation-id") or uuid.uuid4().hex
        structlog.contextvars.bind_contextvars(correlation_id=correlation_id)
        request.state.correlation_id = correlation_id
        started = time.perf_counter()
        try:
            response = await call_next(request)
        finally:
            structlog.contextvars.unbind_contextvars("correlation_id")
        response.headers["x-correlation-id"] = correlation_id
        log.info(
            "request",
            method=request.method,
            path=request.url.path,
            status=response.status_code,
            correlation_id=correlation_id,
            county=getattr(request.state, "county", None) or request.scope.get("path_params", {}).get("county"),
            event_id=getattr(request.state, "event_id", None),
            ms=round((time.perf_counter() - started) * 1000, 2),
        )
        return response
