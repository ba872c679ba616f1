"""Waiting in tests until a service has settled: every stored event folded and published."""

from __future__ import annotations

import time
from collections.abc import Callable

from shared.views.updater import ViewUpdater


def until(condition: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached in time: {what}")
        time.sleep(0.1)


def quiet(api) -> bool:
    """The service has folded every stored event into its read models and published them all."""
    runtime = api.state.runtime
    last = runtime.app.recorder.max_notification_id() or 0
    return (
        runtime.views.position(ViewUpdater.NAME) == last
        and runtime.relay is not None
        and (runtime.app.recorder.max_tracking_id("outbox:nats") or 0) == last
    )
