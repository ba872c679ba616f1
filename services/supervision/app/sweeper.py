"""The periodic early-warning sweep (预警督办) that runs beside supervision's runtime.

Every ``interval`` seconds it sweeps each county that has project files, with the service's
clock. The sweep is idempotent (a cause is warned once), so running it often is harmless; staff
and tests trigger the same sweep with an explicit ``now`` through the API or ``shishi supervision
sweep``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import datetime

import structlog

from services.supervision.app.application import SupervisionApplication
from services.supervision.read.projections import PROJECT
from shared.views.store import ViewStore

log = structlog.get_logger("shishi.supervision.sweeper")


def sweep_all(app: SupervisionApplication, views: ViewStore, now: datetime) -> dict[str, int]:
    counties = sorted({d["county"] for d in views.list(PROJECT)})
    return {county: len(app.sweep(county, now)) for county in counties}


def periodic_sweep(
    app: SupervisionApplication, views: ViewStore, clock: Callable[[], datetime], interval: float
) -> Callable[[asyncio.Event], object]:
    async def run(stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            try:
                changed = await asyncio.to_thread(sweep_all, app, views, clock())
                if any(changed.values()):
                    log.info("warning_sweep", changed=changed)
            except Exception as exc:  # logged and retried at the next round; nothing is lost
                log.error("warning_sweep_failed", error=repr(exc))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), timeout=interval)

    return run
