"""RFC 9457 problem details for every error a client can cause."""

from __future__ import annotations

import json
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.auth import AuthError
from shared.contracts.plausible import REASONS as PLAUSIBILITY_REASONS
from shared.kernel.meta import RuleViolation
from shared.persistence.application import NotFound

PROBLEM = "application/problem+json"
log = structlog.get_logger("shishi.http")


class Problem(Exception):
    """Raise from a route or application method: becomes a problem+json response."""

    def __init__(self, status: int, title: str, detail: str = "", *, reason: str = "", **extra: object) -> None:
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail
        self.reason = reason or title.lower().replace(" ", "_")
        self.extra = extra


def problem_response(
    status: int, title: str, detail: str, reason: str, request: Request, **extra: object
) -> JSONResponse:
    body = {
        "type": f"https://shishi.example/problems/{reason}",
        "title": title,
        "status": status,
        "detail": detail,
        "reason": reason,
        "instance": str(request.url.path),
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


class ProblemDetail(BaseModel):
    """RFC 9457 problem details, as every error of the JSON API is answered (``application/problem+json``)."""

    type: str
    title: str
    status: int
    detail: str = ""
    reason: str = Field(description="machine-readable: invalid_request, unknown_county, rule_out_of_range …")
    instance: str = ""


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` documenting problem answers."""
    descriptions = {
        400: "bad request",
        401: "no or an invalid token",
        403: "the token's roles or counties do not allow it",
        404: "no such object (or another county's)",
        405: "method not allowed (with ``Allow``)",
        409: "refused by a domain rule (``reason``)",
        413: "request body too large",
        422: "invalid request (``reason``: invalid_request, unknown_county, date_out_of_range …)",
        429: "too many anonymous requests from one address (``Retry-After``)",
        500: "internal error (logged; no internal text)",
    }
    return {
        status: {"model": ProblemDetail, "description": descriptions[status], "content": {PROBLEM: {}}}
        for status in statuses
    }


# Every JSON route may answer these; ``create_service_app`` documents them on every router.
DEFAULT_PROBLEMS = problem_responses(400, 401, 403, 404, 405, 409, 413, 422, 429, 500)


REASONS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    429: "rate_limited",
}


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc.status, exc.title, exc.detail, exc.reason, request, **exc.extra)

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound) -> JSONResponse:
        return problem_response(404, "Not found", f"no such object: {exc}", "not_found", request)

    @app.exception_handler(AuthError)
    async def _auth(request: Request, exc: AuthError) -> JSONResponse:
        return problem_response(401, "Unauthorized", str(exc), "unauthorized", request)

    @app.exception_handler(RuleViolation)
    async def _rule(request: Request, exc: RuleViolation) -> JSONResponse:
        messages = getattr(exc, "messages", None)  # RuleOutOfRange: the reason in Chinese and English
        extra = {"messages": messages} if isinstance(messages, dict) else {}
        return problem_response(409, "Refused by a rule", str(exc), exc.reason, request, **extra)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        raw = exc.errors()
        errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in raw]
        detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors[:5])
        # an unknown county or an implausible date names itself; anything else is an invalid request
        reason = next((str(e["type"]) for e in raw if e.get("type") in PLAUSIBILITY_REASONS), "invalid_request")
        return problem_response(422, "Invalid request", detail, reason, request, errors=errors)

    @app.exception_handler(StarletteHTTPException)  # Starlette's own too (a 405 from routing, with Allow)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        reason = REASONS.get(exc.status_code, "http_error")
        response = problem_response(
            exc.status_code, reason.replace("_", " ").capitalize(), str(exc.detail), reason, request
        )
        for name, value in (exc.headers or {}).items():  # Allow on a 405, Retry-After …
            response.headers[name] = value
        return response


class Unhandled:
    """Pure ASGI middleware: an unexpected exception becomes a 500 problem (no internal text), logged
    with its traceback, and is not raised on to the server. Starlette's own error middleware re-raises
    after answering, which makes uvicorn close the connection under a response that promised
    keep-alive: a proxy reusing it then fails (the gateway answered 502 to the requests after a 500)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as exc:  # noqa: BLE001 - answered here, logged with its traceback
            log.error("unhandled_error", path=scope.get("path"), error=repr(exc), exc_info=exc)
            if started:
                raise  # a response already under way cannot be replaced: the server ends the connection
            body = json.dumps(
                {
                    "type": "https://shishi.example/problems/internal_error",
                    "title": "Internal error",
                    "status": 500,
                    "detail": "the service could not handle this request; it is logged",
                    "reason": "internal_error",
                    "instance": scope.get("path", ""),
                }
            ).encode()
            headers = [(b"content-type", PROBLEM.encode()), (b"content-length", str(len(body)).encode())]
            await send({"type": "http.response.start", "status": 500, "headers": headers})
            await send({"type": "http.response.body", "body": body})
