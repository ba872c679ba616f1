"""Tokens, roles and county scope.

A token (JWT) carries ``roles`` and ``counties``. A county scope entry is a 6-digit code
(``440781``), a prefix ending in ``*`` (``4407*`` for a city, ``44*`` for a province) or ``*``.
HS256 with a local secret by default; RS256 through a JWKS URL when configured.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from enum import StrEnum

import jwt
from jwt.types import Options

COOKIE = "shishi_token"


class Role(StrEnum):
    RESIDENT = "resident"
    DEPUTY = "deputy"
    GOV_UNIT = "gov_unit"
    CONGRESS_STAFF = "congress_staff"
    AUDITOR = "auditor"
    PROVINCE_VIEWER = "province_viewer"
    ADMIN = "admin"


READ_ONLY_ROLES = frozenset({Role.AUDITOR, Role.PROVINCE_VIEWER})


class AuthError(Exception):
    """The caller is not authenticated (401)."""


@dataclass(frozen=True)
class Principal:
    """Who is calling: subject id, roles and the counties they may touch."""

    subject: str
    roles: frozenset[Role]
    counties: tuple[str, ...] = ()
    name: str = ""
    token_id: str = ""
    claims: dict = field(default_factory=dict, compare=False, hash=False)

    def has_any(self, roles: frozenset[Role] | set[Role]) -> bool:
        return bool(self.roles & set(roles)) or Role.ADMIN in self.roles

    def covers(self, county: str) -> bool:
        return any(scope_covers(scope, county) for scope in self.counties)

    @property
    def primary_role(self) -> str:
        for role in Role:
            if role in self.roles:
                return role.value
        return "anonymous"


ANONYMOUS = Principal(subject="anonymous", roles=frozenset())


REQUIRED: Options = {"require": ["exp"]}  # a token without an expiry is refused


def valid_scope(scope: str) -> bool:
    """``440781``, ``4407*``, ``44*`` or ``*``."""
    digits = scope[:-1] if scope.endswith("*") else scope
    return digits.isdigit() and (len(digits) == 6 or (scope.endswith("*") and len(digits) < 6)) or scope == "*"


def scope_covers(scope: str, county: str) -> bool:
    if scope == "*":
        return True
    if scope.endswith("*"):
        return county.startswith(scope[:-1])
    return scope == county


def issue_token(
    secret: str,
    *,
    subject: str,
    roles: list[str] | tuple[str, ...],
    counties: list[str] | tuple[str, ...],
    name: str = "",
    ttl_seconds: int = 12 * 3600,
    issuer: str = "shishi",
    now: float | None = None,
) -> str:
    """Sign an HS256 token for local use (development, tests, the dev login)."""
    issued = int(now if now is not None else time.time())
    for role in roles:
        Role(role)  # refuse unknown roles early
    claims = {
        "sub": subject,
        "roles": list(roles),
        "counties": list(counties),
        "name": name,
        "iss": issuer,
        "iat": issued,
        "exp": issued + ttl_seconds,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, secret, algorithm="HS256")


class TokenVerifier:
    """Turns a bearer token into a :class:`Principal`."""

    def __init__(self, *, secret: str = "", jwks_url: str = "", issuer: str = "shishi") -> None:
        if not secret and not jwks_url:
            raise ValueError("a JWT secret or a JWKS URL is required")
        self._secret = secret
        self._issuer = issuer
        self._jwks = jwt.PyJWKClient(jwks_url) if jwks_url else None

    def verify(self, token: str) -> Principal:
        try:
            if self._jwks is not None and jwt.get_unverified_header(token).get("alg") == "RS256":
                key = self._jwks.get_signing_key_from_jwt(token).key
                claims = jwt.decode(token, key, algorithms=["RS256"], issuer=self._issuer, options=REQUIRED)
            elif self._secret:
                claims = jwt.decode(token, self._secret, algorithms=["HS256"], issuer=self._issuer, options=REQUIRED)
            else:
                raise AuthError("invalid token: only RS256 tokens from the configured JWKS are accepted")
        except jwt.PyJWTError as exc:
            raise AuthError(f"invalid token: {exc}") from exc
        roles_claim, counties_claim = claims.get("roles", []), claims.get("counties", [])
        if not isinstance(roles_claim, list) or not isinstance(counties_claim, list):
            raise AuthError('invalid token: roles and counties must be lists (a bare "*" is not a scope list)')
        if not all(isinstance(c, str) and valid_scope(c) for c in counties_claim):
            raise AuthError("invalid token: each county scope is a 6-digit code, a prefix ending in *, or *")
        try:
            roles = frozenset(Role(r) for r in roles_claim)
        except ValueError as exc:
            raise AuthError(f"invalid token: {exc}") from exc
        counties = tuple(counties_claim)
        return Principal(
            subject=str(claims.get("sub", "")),
            roles=roles,
            counties=counties,
            name=str(claims.get("name", "")),
            token_id=str(claims.get("jti", "")),
            claims=claims,
        )
