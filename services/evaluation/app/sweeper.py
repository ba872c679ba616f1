"""The periodic deadline sweep: every county's open rectifications are checked against today's
date (from the clock given), so a missed deadline raises its warning without anyone asking."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import datetime

import structlog

from services.evaluation.app.application import EvaluationApplication
from services.evaluation.read.projections import RATING
from shared.kernel.meta import Meta
from shared.views.store import ViewStore

log = structlog.get_logger("shishi.evaluation.sweep")


def sweep_all(app: EvaluationApplication, views: ViewStore, now: datetime) -> dict[str, list[str]]:
    by_county: dict[str, list] = {}
    for doc in views.list(RATING):
        if doc.get("rectification") and doc["rectification"]["status"] == "ordered":
            by_county.setdefault(doc["county"], []).append(doc["project_id"])
    warned = {}
    for county, ids in sorted(by_county.items()):
        from uuid import UUID

        meta = Meta(
            county=county, actor_role="system", actor_id="deadline-sweep", occurred_at=now, reason="deadline sweep"
        )
        found = app.sweep(meta, now.date(), [UUID(i) for i in ids])
        if found:
            warned[county] = found
    return warned


async def run_periodic_sweep(
    app: EvaluationApplication,
    views: ViewStore,
    clock: Callable[[], datetime],
    interval_seconds: float,
    stopping: asyncio.Event,
) -> None:
    while not stopping.is_set():
        try:
            warned = await asyncio.to_thread(sweep_all, app, views, clock())
            if warned:
                log.info("rectification_overdue", warned=warned)
        except Exception as exc:  # noqa: BLE001 - a failed sweep is retried at the next interval
            log.error("sweep_failed", error=str(exc))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), timeout=interval_seconds)
