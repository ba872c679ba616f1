"""The one origin: routes /intake, /decision, /supervision, /evaluation to the services,
serves the home page, the dev login and the shared static files."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.background import BackgroundTask

from services.gateway.http.duty_pages import make_duty_router
from services.gateway.http.home_pages import make_shell_router
from services.gateway.http.poster_pages import make_poster_router
from services.gateway.http.province_pages import make_province_router
from shared.config import SERVICES, Settings
from shared.logging import configure_logging
from shared.web.access import principal_of
from shared.web.problems import install_problem_handlers, problem_response
from shared.web.serving import install_request_log, make_verifier
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

CallNext = Callable[[Request], Awaitable[Response]]


def create_gateway(settings: Settings, upstreams: dict[str, str]) -> FastAPI:
    """``upstreams`` maps service name -> base URL (``http://127.0.0.1:8001``)."""
    configure_logging(service="gateway", level=settings.log_level, json=settings.log_json, file=settings.log_file)
    client: httpx.AsyncClient | None = None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        nonlocal client
        client = httpx.AsyncClient(timeout=httpx.Timeout(60.0, connect=5.0), follow_redirects=False)
        try:
            yield
        finally:
            await client.aclose()

    app = FastAPI(title="Shishi (实事)", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.verifier = make_verifier(settings)
    install_problem_handlers(app)
    install_request_log(app)
    templates = make_templates(static_base="/static")

    @app.middleware("http")
    async def who(request: Request, call_next: CallNext) -> Response:
        with suppress(Exception):
            principal_of(request)
        return await call_next(request)

    app.include_router(
        make_shell_router(templates, secret_provider=settings.resolved_jwt_secret, local_mode=settings.mode == "local")
    )
    app.include_router(make_province_router(upstreams))
    app.include_router(make_duty_router(upstreams))
    app.include_router(make_poster_router(upstreams))
    mount_static(app, "/static")

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        assert client is not None

        async def one(name: str) -> tuple[str, dict]:
            try:
                r = await client.get(f"{upstreams[name]}/{name}/healthz", timeout=3.0)
                return name, {"ready": r.status_code == 200, **r.json()}
            except Exception as exc:  # noqa: BLE001 - any failure means not ready
                return name, {"ready": False, "error": str(exc)}

        results = dict(await asyncio.gather(*(one(n) for n in upstreams)))
        ready = all(r["ready"] for r in results.values())
        return JSONResponse({"ready": ready, "services": results}, status_code=200 if ready else 503)

    async def proxy(request: Request, service: str, path: str) -> Response:
        assert client is not None
        url = f"{upstreams[service]}/{service}/{path}"
        headers = [(k, v) for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP]
        headers.append(("x-forwarded-for", request.client.host if request.client else ""))
        headers.append(("x-forwarded-host", request.headers.get("host", "")))
        headers.append(("x-forwarded-proto", request.url.scheme))
        upstream_request = client.build_request(
            request.method, url, params=request.query_params, headers=headers, content=await request.body()
        )
        try:
            upstream = await client.send(upstream_request, stream=True)
        except httpx.HTTPError as exc:
            return problem_response(
                502, "Bad gateway", f"{service} is not answering: {exc}", "upstream_unavailable", request
            )
        out_headers = {k: v for k, v in upstream.headers.items() if k.lower() not in HOP_BY_HOP}
        return StreamingResponse(
            upstream.aiter_raw(),
            status_code=upstream.status_code,
            headers=out_headers,
            background=BackgroundTask(upstream.aclose),
        )

    for name in SERVICES:
        if name not in upstreams:
            continue

        def bind(service: str) -> None:
            async def route(request: Request, path: str = "") -> Response:
                return await proxy(request, service, path)

            methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
            app.add_api_route(f"/{service}", route, methods=methods, include_in_schema=False)
            app.add_api_route(f"/{service}/{{path:path}}", route, methods=methods, include_in_schema=False)

        bind(name)
    return app
