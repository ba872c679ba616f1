"""Two requests that change one aggregate at the same moment (twelve deputies checking in to a session
at once; two officials acting on one project) both load version N and both try to store N + 1: the
store takes one and refuses the other with an ``IntegrityError`` on the aggregate's version. Nothing
of the refused request was stored (a save is one transaction), so it is run again on the aggregate as
it now is, as a client would retry it: the deputy is checked in, not answered with a 500.

Pure ASGI, inside the request log and the idempotency keys (one line and one kept answer per request):
the request's body is read once and handed to each run; a run that has begun to answer is never
repeated, and neither is a request without a body (reads store nothing)."""

from __future__ import annotations

import asyncio
import random

import structlog
from eventsourcing.persistence import IntegrityError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ATTEMPTS = 5  # runs of one request at most; each waits a little longer, at random, before the next
WRITES = {"POST", "PUT", "PATCH", "DELETE"}

log = structlog.get_logger("shishi.conflicts")


def concurrent_write(exc: BaseException) -> bool:
    """The store refused a new version of an aggregate another request had just stored (not one of
    the subclasses services raise for reasons of their own)."""
    return type(exc) is IntegrityError


class RetryConcurrentWrites:
    def __init__(self, app: ASGIApp, attempts: int = ATTEMPTS) -> None:
        self.app = app
        self.attempts = attempts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in WRITES:
            await self.app(scope, receive, send)
            return
        body, more = b"", True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client left before its request was whole: nothing to run
            body += message.get("body", b"")
            more = message.get("more_body", False)
        for attempt in range(1, self.attempts + 1):
            answered = False
            given = False

            async def replay() -> Message:
                nonlocal given
                if not given:
                    given = True
                    return {"type": "http.request", "body": body, "more_body": False}
                return await receive()  # after the body: the client's disconnect, when it comes

            async def sending(message: Message) -> None:
                nonlocal answered
                answered = True
                await send(message)

            try:
                await self.app(scope, replay, sending)
                return
            except IntegrityError as exc:
                if answered or not concurrent_write(exc) or attempt == self.attempts:
                    raise
                log.info("concurrent_write_retried", path=scope["path"], attempt=attempt)
                await asyncio.sleep(random.uniform(0.002, 0.02) * attempt)  # noqa: S311 - spreading retries
