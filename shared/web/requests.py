"""Turning an HTTP request into the ``Meta`` of a command."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi import Request

from shared.auth import Principal
from shared.kernel.meta import Meta


def meta_for(request: Request, principal: Principal, county: str, *, reason: str = "", role: str | None = None) -> Meta:
    request.state.county = county  # for the request's log line
    clock: Callable[[], datetime] = request.app.state.clock
    return Meta(
        county=county,
        actor_role=role or principal.primary_role,
        actor_id=principal.subject,
        occurred_at=clock(),
        correlation_id=getattr(request.state, "correlation_id", ""),
        reason=reason,
    )
