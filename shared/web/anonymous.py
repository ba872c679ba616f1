"""Routes where the caller must stay unknown: casting a secret ballot.

Such a request must not carry a login (an ``Authorization`` header or the login cookie): the service
could then pair the ballot with a person, by mistake or on purpose. The ballot page sends its casts
with ``credentials: "omit"``; a request that still carries one is refused, not silently stripped, so a
broken client is noticed. These routes are also left out of the request log (``shared.web.serving``)
and the gateway's log, so no line pairs a time with a cast."""

from __future__ import annotations

from fastapi import Request

from shared.auth import COOKIE
from shared.web.problems import Problem

ANONYMOUS_PATHS = ("/ballots",)  # POST …/ballots: a secret ballot


def is_anonymous(method: str, path: str) -> bool:
    return method == "POST" and path.rstrip("/").endswith(ANONYMOUS_PATHS)


def refuse_identified(request: Request) -> None:
    if request.headers.get("authorization") or request.cookies.get(COOKIE):
        raise Problem(
            400,
            "Identified ballot",
            "投票请求不得携带登录信息 / a ballot is cast without login: send it with no credentials",
            reason="identified_ballot",
        )
