"""API documentation pages served from the vendored files: no CDN, no request leaves the machine.

FastAPI's own ``/docs`` and ``/redoc`` load Swagger UI and ReDoc from cdn.jsdelivr.net (and ReDoc's
page Google Fonts), which an offline government network cannot reach. A service app is built with
``FastAPI(docs_url=None, redoc_url=None, openapi_url="/<service>/openapi.json")`` and then::

    mount_static(app, "/intake/static")
    install_offline_docs(app, "intake", "/intake/static")

which serves ``/intake/docs`` (Swagger UI) and ``/intake/redoc`` (ReDoc) from
``shared/web/static/vendor`` (see VERSIONS.txt there). ``asyncapi_viewer_html`` gives the page that
renders the AsyncAPI 3 document of the integration events with the vendored AsyncAPI viewer.

Every page is sent with a Content-Security-Policy that allows this origin only, so a bundle that
would reach out (ReDoc's "API docs by Redocly" logo from cdn.redoc.ly, Swagger UI's validator badge)
is stopped by the browser instead of leaking a request.
"""

from __future__ import annotations

import html
import json
from typing import Final

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse

from shared.web.templating import STATIC_DIR

VENDOR_DIR: Final = STATIC_DIR / "vendor"

SWAGGER_JS: Final = "vendor/swagger-ui-bundle.js"
SWAGGER_CSS: Final = "vendor/swagger-ui.css"
FAVICON: Final = "vendor/swagger-ui-favicon-32x32.png"
REDOC_JS: Final = "vendor/redoc.standalone.js"
ASYNCAPI_JS: Final = "vendor/asyncapi-react.standalone.js"
ASYNCAPI_CSS: Final = "vendor/asyncapi-react.default.min.css"

VENDORED: Final = (SWAGGER_JS, SWAGGER_CSS, FAVICON, REDOC_JS, ASYNCAPI_JS, ASYNCAPI_CSS)
"""The files these pages load, relative to the static directory (a test checks they exist)."""

DOCS_CSP: Final = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
)
"""For Swagger UI and ReDoc: FastAPI's page starts Swagger UI with an inline script; ReDoc injects styles."""

ASYNCAPI_VIEWER_CSP: Final = DOCS_CSP.replace(
    "script-src 'self' 'unsafe-inline'", "script-src 'self' 'unsafe-inline' 'unsafe-eval'"
)
"""For ``asyncapi_viewer_html``: the viewer's parser compiles JSON schemas at run time (ajv)."""

SWAGGER_UI_PARAMETERS: Final[dict[str, object]] = {"validatorUrl": None}  # no badge from validator.swagger.io


def _base(prefix: str) -> str:
    """``"intake"``, ``"/intake/"`` -> ``"/intake"``; ``""`` or ``"/"`` -> ``""`` (the app's root)."""
    stripped = prefix.strip("/")
    return f"/{stripped}" if stripped else ""


def _asset(static_url: str, name: str) -> str:
    return f"{static_url.rstrip('/')}/{name}"


def _script_json(value: object) -> str:
    """JSON safe inside ``<script>``: no ``</script>``, ``<!--`` or ``&`` can end or bend it."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def install_offline_docs(app: FastAPI, prefix: str, static_url: str) -> None:
    """Serve ``/{prefix}/docs`` (Swagger UI) and ``/{prefix}/redoc`` (ReDoc) from the vendored files.

    ``static_url`` is where ``mount_static`` serves ``shared/web/static`` for this app
    (``"/intake/static"`` for a service, ``"/static"`` on the gateway). The app must have an
    ``openapi_url`` and should be created with ``docs_url=None, redoc_url=None``.
    """
    if app.openapi_url is None:
        raise ValueError("install_offline_docs needs an app with an openapi_url")
    base = _base(prefix)
    title = app.title

    def openapi_url(request: Request) -> str:
        root_path = str(request.scope.get("root_path", "")).rstrip("/")  # as FastAPI's own /docs does
        return root_path + str(app.openapi_url)

    async def swagger_ui(request: Request) -> HTMLResponse:
        response = get_swagger_ui_html(
            openapi_url=openapi_url(request),
            title=f"{title} - Swagger UI",
            swagger_js_url=_asset(static_url, SWAGGER_JS),
            swagger_css_url=_asset(static_url, SWAGGER_CSS),
            swagger_favicon_url=_asset(static_url, FAVICON),
            swagger_ui_parameters=SWAGGER_UI_PARAMETERS,
        )
        response.headers["Content-Security-Policy"] = DOCS_CSP
        return response

    async def redoc(request: Request) -> HTMLResponse:
        response = get_redoc_html(
            openapi_url=openapi_url(request),
            title=f"{title} - ReDoc",
            redoc_js_url=_asset(static_url, REDOC_JS),
            redoc_favicon_url=_asset(static_url, FAVICON),
            with_google_fonts=False,
        )
        response.headers["Content-Security-Policy"] = DOCS_CSP
        return response

    app.add_api_route(f"{base}/docs", swagger_ui, methods=["GET"], include_in_schema=False)
    app.add_api_route(f"{base}/redoc", redoc, methods=["GET"], include_in_schema=False)


def asyncapi_viewer_html(document_url: str, static_url: str, title: str) -> str:
    """A page that renders the AsyncAPI (2.x or 3.x) document at ``document_url`` with the vendored viewer.

    The document is fetched from ``document_url`` by the browser (same origin; send the page with
    ``ASYNCAPI_VIEWER_CSP``). The viewer's own labels are in English; the document's text is shown as is.
    """
    props = {
        "schema": {"url": document_url, "requestOptions": {"method": "GET", "credentials": "same-origin"}},
        "config": {"show": {"sidebar": True}},
    }
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<link rel="icon" href="{html.escape(_asset(static_url, FAVICON))}">
<link rel="stylesheet" href="{html.escape(_asset(static_url, ASYNCAPI_CSS))}">
</head>
<body>
<noscript>需要启用 JavaScript 才能查看事件文档。JavaScript is required to view this document.</noscript>
<main id="asyncapi"></main>
<script src="{html.escape(_asset(static_url, ASYNCAPI_JS))}"></script>
<script>
AsyncApiStandalone.render({_script_json(props)}, document.getElementById("asyncapi"));
</script>
</body>
</html>
"""
