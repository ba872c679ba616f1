"""Who may call a route: every route declares its roles; county scope is checked on every read and write."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextvars import ContextVar

from fastapi import Request

from shared.auth import ANONYMOUS, COOKIE, READ_ONLY_ROLES, AuthError, Principal, Role, TokenVerifier
from shared.web.problems import Problem

PUBLIC = "public"
# The counties a request's scope checks were about (an object read by id names its county only here):
# the auditor-read recorder gives each request a list to fill and files the read under its county.
_COUNTIES_CHECKED: ContextVar[list[str] | None] = ContextVar("shishi_counties_checked", default=None)


def watch_counties() -> list[str]:
    """From here on in this request, the counties its scope checks are about are appended to the list returned."""
    checked: list[str] = []
    _COUNTIES_CHECKED.set(checked)
    return checked


def _checked(county: str) -> None:
    checked = _COUNTIES_CHECKED.get()
    if checked is not None:
        checked.append(county)


def principal_of(request: Request) -> Principal:
    """The caller, from ``Authorization: Bearer`` or the ``shishi_token`` cookie; anonymous otherwise."""
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else request.cookies.get(COOKIE, "")
    principal = ANONYMOUS
    if token:
        verifier: TokenVerifier = request.app.state.verifier
        try:
            principal = verifier.verify(token)
        except AuthError:
            if header:
                raise
            principal = ANONYMOUS  # a stale cookie on a public page is not an error
    request.state.principal = principal
    return principal


def carries_credential(request: Request) -> bool:
    """The request names a caller (``Authorization`` or the login cookie): checking it may fetch keys."""
    return "authorization" in request.headers or COOKIE in request.cookies


def allow(*roles: Role | str, write: bool = False) -> Callable[[Request], Awaitable[Principal]]:
    """Dependency: the caller must hold one of ``roles`` (admin always may); ``PUBLIC`` admits anyone.

    ``write=True`` refuses read-only roles (auditor, province viewer) even if listed. A request with a
    token is checked in a worker thread (an RS256 token may need the JWKS fetched); an anonymous one is
    answered on the event loop at once (no thread for a resident's submission or a public page).
    """
    wanted = {Role(r) for r in roles if r != PUBLIC}
    public = PUBLIC in roles

    async def dependency(request: Request) -> Principal:
        if carries_credential(request) or getattr(request.state, "principal", None) is not None:
            return await asyncio.to_thread(check, request)
        return check(request)

    def check(request: Request) -> Principal:
        principal = principal_of(request)
        if public:
            return principal
        if principal is ANONYMOUS:
            raise Problem(401, "Unauthorized", "a token is required", reason="unauthorized")
        if not principal.has_any(wanted):
            raise Problem(403, "Forbidden", f"requires one of: {', '.join(sorted(wanted))}", reason="forbidden")
        if write and principal.roles <= READ_ONLY_ROLES:
            raise Problem(403, "Forbidden", "read-only role", reason="forbidden")
        return principal

    dependency.allowed_roles = tuple(sorted(r.value for r in wanted)) or ("public",)  # type: ignore[attr-defined]  # the route's roles, read by the isolation test and the docs
    return dependency


def check_county(principal: Principal, county: str) -> None:
    """403 when the caller's scope does not cover ``county``."""
    if not principal.covers(county):
        raise Problem(403, "Forbidden", f"county {county} is outside your scope", reason="county_forbidden")
    _checked(county)


def require_county(principal: Principal, county: str | None) -> str:
    """For objects looked up by id: another county's object is reported as absent (404). The county."""
    if county is None or not principal.covers(county):
        raise Problem(404, "Not found", "no such object", reason="not_found")
    _checked(county)
    return county
