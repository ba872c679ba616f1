"""Which project a resident's demand went into, asked of intake's public tracking API.

A resident rates a project by the tracking code of their demand; the demand's timeline on
intake (``GET /intake/api/track/{code}``) names the projects it became (lineage). The rater
key stored with the rating is a one-way hash of the code, so one demand rates a project once
and the code itself is never stored here.
"""

from __future__ import annotations

import hashlib
from typing import Any, Protocol

import httpx


class TrackingLookup(Protocol):
    def __call__(self, code: str, client: str = "", authorization: str = "") -> dict[str, Any] | None: ...


def intake_tracking(
    base_url: str, timeout: float = 10.0, transport: httpx.BaseTransport | None = None
) -> TrackingLookup:
    """The demand behind a tracking code (county and timeline), or None when intake does not know it.
    The look-up is made on the resident's behalf: ``client`` (their address, as ``X-Forwarded-For``)
    and ``authorization`` (their token, if they sent one) go along, so intake counts it against the
    resident's own limit (anonymous look-ups, 120 a minute per address), not against evaluation's
    address, shared by every resident rating at once (the seven demo counties loading together hit it).
    One client for every look-up, its connections kept alive: a client of its own per look-up built a TLS
    context each time, most of the look-up's cost. Idle connections are dropped well before intake's
    keep-alive ends (uvicorn: 5 s), and a look-up on a pooled connection intake closed at that very moment
    is asked again (a read: safe to repeat), as the gateway does. ``transport``: tests hand in their own."""
    limits = httpx.Limits(max_keepalive_connections=10, keepalive_expiry=2.0)
    http = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout, limits=limits, transport=transport)

    def lookup(code: str, client: str = "", authorization: str = "") -> dict[str, Any] | None:
        headers = {"x-forwarded-for": client} if client else {}
        if authorization:
            headers["authorization"] = authorization
        path = f"/intake/api/track/{code}"
        try:
            response = http.get(path, headers=headers)
        except (httpx.RemoteProtocolError, httpx.ReadError):
            response = http.get(path, headers=headers)
        if response.status_code == 404:
            return None
        response.raise_for_status()
        found: dict[str, Any] = response.json()
        return found

    return lookup


def linked_projects(demand: dict[str, Any]) -> set[str]:
    return {
        e.get("ref", "")
        for e in demand.get("timeline", [])
        if e.get("stage") in {"adopted", "project", "completed", "verdict"}
    }


def rater_key(county: str, code: str) -> str:
    return hashlib.sha256(f"resident:{county}:{code.strip().upper()}".encode()).hexdigest()
