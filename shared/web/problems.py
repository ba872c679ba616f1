"""RFC 9457 problem details for every error a client can cause."""

from __future__ import annotations

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from shared.auth import AuthError
from shared.contracts.plausible import REASONS as PLAUSIBILITY_REASONS
from shared.kernel.meta import RuleViolation
from shared.persistence.application import NotFound

PROBLEM = "application/problem+json"


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
        extra = {"messages": exc.messages} if isinstance(getattr(exc, "messages", None), dict) else {}
        return problem_response(409, "Refused by a rule", str(exc), exc.reason, request, **extra)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        raw = exc.errors()
        errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in raw]
        detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors[:5])
        # an unknown county or an implausible date names itself; anything else is an invalid request
        reason = next((str(e["type"]) for e in raw if e.get("type") in PLAUSIBILITY_REASONS), "invalid_request")
        return problem_response(422, "Invalid request", detail, reason, request, errors=errors)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> JSONResponse:
        reason = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}.get(
            exc.status_code, "http_error"
        )
        return problem_response(
            exc.status_code, reason.replace("_", " ").capitalize(), str(exc.detail), reason, request
        )
