"""Records every successful read by an auditor as an ``AuditorRead`` event in the store of the
service that answered it (so the audit trail covers the auditors too)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request, Response

from shared.audit.reads import AuditorRead
from shared.auth import Role
from shared.kernel.meta import Meta, is_county_code
from shared.web.access import watch_counties

INSTALLATION = "000000"  # a read that names no county (a checkpoint list, an object looked up by id)

CallNext = Callable[[Request], Awaitable[Response]]


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
    skipped = (f"/{service}/static", f"/{service}/healthz", f"/{service}/openapi.json", f"/{service}/docs")

    @api.middleware("http")
    async def record_auditor_reads(request: Request, call_next: CallNext) -> Response:
        checked = watch_counties()
        response = await call_next(request)
        principal = getattr(request.state, "principal", None)
        if (
            request.method == "GET"
            and response.status_code < 400
            and principal is not None
            and Role.AUDITOR in principal.roles
            and not request.url.path.startswith(skipped)
        ):
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
                meta=meta,
                method=request.method,
                path=request.url.path,
                query=request.url.query,
                status=response.status_code,
            )
            await asyncio.to_thread(app.save, read)
        return response
