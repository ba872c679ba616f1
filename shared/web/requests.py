"""Turning an HTTP request into the ``Meta`` of a command."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from fastapi import Request

from shared.auth import Principal
from shared.kernel.meta import Meta
from shared.web.business_time import DEFAULT_MAX_DAYS, HEADER, declared_business_time, is_official


def meta_for(request: Request, principal: Principal, county: str, *, reason: str = "", role: str | None = None) -> Meta:
    """The command's Meta: the caller, the county, and the business time: now, or the time an official
    declares for an entry made after the fact (``Shishi-Business-Time``, shared/web/business_time.py)."""
    request.state.county = county  # for the request's log line
    clock: Callable[[], datetime] = request.app.state.clock
    actor_role = role or principal.primary_role
    now = clock()
    settings = getattr(request.app.state, "settings", None)
    max_days = getattr(settings, "business_time_max_days", DEFAULT_MAX_DAYS)
    headers = getattr(request, "headers", None)
    official = is_official(principal.roles, actor_role)
    declared = declared_business_time(headers.get(HEADER) if headers is not None else None, official, now, max_days)
    return Meta(
        county=county,
        actor_role=actor_role,
        actor_id=principal.subject,
        occurred_at=declared or now,
        correlation_id=getattr(request.state, "correlation_id", ""),
        reason=reason,
        # pages show who did it by name; a resident's name is personal data and stays out of the events
        actor_name=principal.name if actor_role != "resident" else "",
        entered_late=declared is not None,
    )


_HOST = re.compile(r"[A-Za-z0-9.\-]+(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?")


def public_origin(request: Request) -> str:
    """The origin a client used to reach us (``https://shishi.example.gov.cn``), not this process's own
    address: ``X-Forwarded-Proto`` and ``X-Forwarded-Host`` as the gateway or a reverse proxy in front of
    it set them (the first value of each, i.e. the outermost proxy's), else the request's own. A header
    that is not a plain scheme or host[:port] is ignored."""
    proto = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    host = request.headers.get("x-forwarded-host", "").split(",")[0].strip()
    scheme = proto if proto in ("http", "https") else request.url.scheme
    if not _HOST.fullmatch(host):
        host = request.headers.get("host", "") or request.url.netloc
    return f"{scheme}://{host}"
