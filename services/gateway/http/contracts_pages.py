"""The published language on the one origin: the AsyncAPI document of everything on NATS at
``/contracts/asyncapi.json`` and a page that renders it with the vendored AsyncAPI viewer at
``/contracts/`` (no CDN: the page loads only this origin's files)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from shared.bus.asyncapi import build_asyncapi
from shared.web.docs_pages import ASYNCAPI_VIEWER_CSP, asyncapi_viewer_html

DOCUMENT = "/contracts/asyncapi.json"


def make_contracts_router(static_url: str) -> APIRouter:
    router = APIRouter(prefix="/contracts", include_in_schema=False)
    document = build_asyncapi()  # the same document `shishi contracts export` writes
    page = asyncapi_viewer_html(DOCUMENT, static_url, "实事 · 事件契约 (AsyncAPI)")

    @router.get("/asyncapi.json")
    def asyncapi() -> JSONResponse:
        """The AsyncAPI 3.1 document: channels, messages, who sends and receives, servers and security."""
        return JSONResponse(document, headers={"access-control-allow-origin": "*"})

    @router.get("/")
    def viewer() -> HTMLResponse:
        return HTMLResponse(page, headers={"Content-Security-Policy": ASYNCAPI_VIEWER_CSP})

    @router.get("")
    def bare() -> RedirectResponse:
        return RedirectResponse("/contracts/", status_code=308)

    return router
