"""Records every successful read by an auditor as an ``AuditorRead`` event in the store of the
service that answered it (so the audit trail covers the auditors too)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.audit.reads import AuditorRead
from shared.auth import Role
from shared.kernel.meta import Meta, is_county_code
from shared.web.access import watch_counties

INSTALLATION = "000000"  # a read that names no county (a checkpoint list, an object looked up by id)


def read_county(request: Request, checked: list[str] | None = None) -> str:
    """The county a read was about: named in its path or query, else the county of the object it read
    (the scope check of an object read by id), else none (the installation's)."""
    county = (request.scope.get("path_params") or {}).get("county") or request.query_params.get("county", "")
    if is_county_code(str(county)):
        return str(county)
    county = getattr(request.state, "county", None)
    if county and is_county_code(str(county)):
        return str(county)
    return next((c for c in checked or [] if is_county_code(c)), INSTALLATION)


def install_read_recorder(api: FastAPI, app: Any, service: str) -> None:
    api.add_middleware(AuditorReads, application=app, service=service)


class AuditorReads:
    """Pure ASGI middleware: a GET answered below 400 to an auditor is recorded once its answer is
    complete; every other request passes untouched (no task, no stream: a submission pays nothing)."""

    def __init__(self, app: ASGIApp, application: Any, service: str) -> None:
        self.app = app
        self.application = application
        self.skipped = (f"/{service}/static", f"/{service}/healthz", f"/{service}/openapi.json", f"/{service}/docs")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"].startswith(self.skipped):
            await self.app(scope, receive, send)
            return
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        checked = watch_counties()  # the counties the request's scope checks are about
        await self.app(scope, receive, sending)
        request = Request(scope)
        principal = getattr(request.state, "principal", None)
        if status < 400 and principal is not None and Role.AUDITOR in principal.roles:
            clock = getattr(request.app.state, "clock", lambda: datetime.now(UTC))
            meta = Meta(
                county=read_county(request, checked),
                actor_role=Role.AUDITOR.value,
                actor_id=principal.subject,
                occurred_at=clock(),
                correlation_id=getattr(request.state, "correlation_id", ""),
                reason="auditor read",
            )
            read = AuditorRead(
                meta=meta, method=request.method, path=request.url.path, query=request.url.query, status=status
            )
            await asyncio.to_thread(self.application.save, read)
