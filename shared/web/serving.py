"""The HTTP shell every service shares: lifespan, problems, auth, request logs, health."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import structlog
from fastapi import APIRouter, FastAPI, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.auth import TokenVerifier
from shared.config import Settings
from shared.logging import configure_logging
from shared.runtime.service import ServiceRuntime
from shared.web.anonymous import is_anonymous
from shared.web.conflicts import RetryConcurrentWrites
from shared.web.counties_api import make_counties_router
from shared.web.docs_pages import install_offline_docs
from shared.web.idempotency import Idempotency, KeyStore
from shared.web.limits import BodyLimit, RateLimits, RateRule
from shared.web.metrics import CONTENT_TYPE, Metrics, RequestMetrics
from shared.web.problems import DEFAULT_PROBLEMS, Unhandled, install_problem_handlers

log = structlog.get_logger("shishi.http")
HEALTH_RESPONSES: dict[int | str, dict[str, Any]] = {503: {"description": "not ready"}, **DEFAULT_PROBLEMS}


def make_verifier(settings: Settings) -> TokenVerifier:
    return TokenVerifier(secret=settings.verifying_secret(), jwks_url=settings.jwt_jwks_url, issuer=settings.jwt_issuer)


def create_service_app(
    settings: Settings,
    runtime: ServiceRuntime,
    routers: Iterable[APIRouter],
    *,
    title: str,
    start_runtime: bool = True,
    rate_limited: Iterable[RateRule] = (),
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

    app = FastAPI(
        title=title,
        lifespan=lifespan,
        openapi_url=f"{prefix}/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    install_offline_docs(app, prefix, f"{prefix}/static")  # Swagger UI and ReDoc from vendored files: no CDN
    app.state.settings = settings
    app.state.runtime = runtime
    app.state.application = runtime.app
    app.state.views = runtime.views
    app.state.clock = runtime.clock  # business time of requests (``meta_for``) and of the runtime's jobs
    app.state.verifier = make_verifier(settings)
    install_problem_handlers(app)
    app.add_middleware(RetryConcurrentWrites)  # innermost: a request run again is logged and kept once
    install_request_log(app)

    app.state.metrics = Metrics(settings.service)
    app.state.idempotency_keys = KeyStore(settings)  # Idempotency-Key answers, kept in the service's database
    install_health(app, prefix, runtime, settings, start_runtime)
    for router in (*routers, make_counties_router(runtime.views)):
        app.include_router(router, prefix=prefix, responses=DEFAULT_PROBLEMS)
    install_door(app, settings, rate_limited)
    return app


def body_limit(settings: Settings) -> int | None:
    """Bytes a request body may hold (413 beyond, counted as it streams in); None: no limit."""
    return settings.max_body_bytes or None


def install_door(app: FastAPI, settings: Settings, rate_limited: Iterable[RateRule] = ()) -> None:
    """The middleware every request passes, outermost first: unexpected errors answered as a 500 problem
    (the connection kept), request metrics, the body-size limit, the anonymous rate limits, and
    ``Idempotency-Key`` on every POST (services only)."""
    proxies = frozenset(p.strip() for p in settings.trusted_proxies.split(",") if p.strip())
    keys = getattr(app.state, "idempotency_keys", None)
    if keys is not None:
        app.add_middleware(Idempotency, store=keys, trusted_proxies=proxies)
    rules = [rule for rule in rate_limited if rule.limit]
    if rules:
        app.add_middleware(RateLimits, rules=rules, trusted_proxies=proxies)
    app.add_middleware(BodyLimit, limit=body_limit(settings))
    app.add_middleware(RequestMetrics, metrics=app.state.metrics)
    app.add_middleware(Unhandled)


def install_health(app: FastAPI, prefix: str, runtime: ServiceRuntime, settings: Settings, start_runtime: bool) -> None:
    """``livez`` (the process answers), ``readyz`` (it can serve: NATS connected, the companion's followers running),
    ``healthz`` (states and counts, no error text), under ``/<service>/``; ``/metrics`` (Prometheus) at the root."""
    metrics: Metrics = app.state.metrics

    def ready() -> bool:
        return runtime.is_ready if start_runtime else True

    @app.get(f"{prefix}/livez", tags=["health"], responses=HEALTH_RESPONSES)
    def livez() -> dict:
        """The process is alive and answers (restart it when this fails)."""
        return {"live": True, "service": settings.service}

    @app.get(f"{prefix}/readyz", tags=["health"], responses=HEALTH_RESPONSES)
    def readyz() -> JSONResponse:
        """Ready to serve: 200, else 503 (send no traffic meanwhile)."""
        ok = ready()
        return JSONResponse({"ready": ok, "service": settings.service}, status_code=200 if ok else 503)

    @app.get(f"{prefix}/healthz", tags=["health"], responses=HEALTH_RESPONSES)
    def healthz() -> JSONResponse:
        """Readiness with the runtime's states and counts (consumers, jobs, followers); never an error's text."""
        health = runtime.health() if start_runtime else {"ready": True, "service": settings.service}
        return JSONResponse(health, status_code=200 if health["ready"] else 503)

    @app.get("/metrics", tags=["health"], response_class=PlainTextResponse)
    async def metrics_route() -> Response:
        """Prometheus metrics of this service, at the root of its own port (outside ``/<service>/``, so the
        public origin, which passes only ``/<service>/…``, never shows them)."""
        snapshot: dict[str, Any] = await runtime.observe() if start_runtime else {"ready": 1}
        audit = getattr(app.state, "audit", None)
        if audit is not None:
            snapshot.update(await asyncio.to_thread(audit_figures, audit, int(snapshot.get("head", 0))))
        snapshot.pop("head", None)
        body = await asyncio.to_thread(metrics.render, snapshot)
        return Response(body, media_type=CONTENT_TYPE)

    for route in (livez, readyz, healthz, metrics_route):
        route.__dict__["allowed_roles"] = ("public",)  # the route's roles, read by the isolation test and the docs


def audit_figures(audit: Any, head: int) -> dict[str, float]:
    """The audit log's lag behind the notification log and its latest checkpoint's age (seconds)."""
    figures: dict[str, float] = {"audit_log_lag_notifications": max(0, head - audit.log.last_notification_id())}
    latest = audit.log.latest_checkpoint()
    if latest is not None:
        signed = datetime.fromisoformat(latest.time)
        figures["audit_checkpoint_age_seconds"] = max(0.0, (datetime.now(UTC) - signed).total_seconds())
    return figures


def install_request_log(app: FastAPI) -> None:
    app.add_middleware(RequestLog)


class RequestLog:
    """Pure ASGI middleware (no task and no stream per request, as ``@app.middleware("http")`` costs): one
    log line per request with its correlation id (``X-Correlation-Id`` in, or a new one; sent back), the
    county and the event id the route put in ``request.state``, and the time it took."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or is_anonymous(scope["method"], scope["path"]):
            # a secret ballot: no line pairs it with a time
            await self.app(scope, receive, send)
            return
        given = next((v for k, v in scope["headers"] if k == b"x-correlation-id"), b"")
        correlation_id = given.decode("latin-1") or uuid.uuid4().hex
        state = scope.setdefault("state", {})
        state["correlation_id"] = correlation_id
        structlog.contextvars.bind_contextvars(correlation_id=correlation_id)
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message["headers"] = [
                    *(h for h in message.get("headers", []) if h[0].lower() != b"x-correlation-id"),
                    (b"x-correlation-id", correlation_id.encode("latin-1")),
                ]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            structlog.contextvars.unbind_contextvars("correlation_id")
            log.info(
                "request",
                method=scope["method"],
                path=scope["path"],
                status=status,
                correlation_id=correlation_id,
                county=state.get("county") or scope.get("path_params", {}).get("county"),
                event_id=state.get("event_id"),
                ms=round((time.perf_counter() - started) * 1000, 2),
            )
