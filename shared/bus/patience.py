"""Waiting out a JetStream cluster that is electing a leader.

A stream's or a consumer's leader is elected when the cluster starts and again when a node is lost;
meanwhile the JetStream API answers nothing (a timeout), "no responders" or "unavailable" for a few
seconds. A replica starting then waits and tries again with back-off instead of failing its start."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import nats.errors
import structlog
from nats.js.errors import ServiceUnavailableError

log = structlog.get_logger("shishi.bus")

T = TypeVar("T")
ELECTING = (nats.errors.TimeoutError, nats.errors.NoRespondersError, ServiceUnavailableError)


async def patiently(step: Callable[[], Awaitable[T]], what: str, patience: float = 60.0) -> T:
    """``await step()``, tried again with back-off (0.5 s doubling to 5 s) while the cluster answers as
    one electing a leader, for up to ``patience`` seconds; then its last error is raised."""
    deadline = time.monotonic() + patience
    delay = 0.5
    while True:
        try:
            return await step()
        except ELECTING as exc:
            if time.monotonic() + delay > deadline:
                raise
            log.warning("jetstream_retry", what=what, error=repr(exc), retry_in=delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)
