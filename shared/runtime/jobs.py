"""The service's clock and its periodic jobs: one recipe for every service.

Every ``create_app`` takes a :class:`Clock` (the system clock unless a test injects another), puts it on
``app.state.clock`` for requests (``shared.web.requests.meta_for``) and hands it to the runtime, which
runs each :class:`CountySweep` every ``every`` seconds with that clock. A sweep works county by county:
one county's error is logged and counted and every other county goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import structlog

log = structlog.get_logger("shishi.jobs")

Now = Callable[[], datetime]


def system_now() -> datetime:
    return datetime.now(UTC)


class Clock:
    """The one clock of a service: business time of requests and of periodic jobs. Tests set it."""

    def __init__(self, now: Now | None = None) -> None:
        self._now: Now = now or system_now

    def __call__(self) -> datetime:
        return self._now()

    def set(self, now: Now | datetime) -> None:
        """From now on, tell ``now`` (a fixed moment, or a function giving the moment)."""
        self._now = (lambda: now) if isinstance(now, datetime) else now


@dataclass(frozen=True)
class CountySweep:
    """A job run for every county with data, at ``now``: ``sweep(county, now)`` says how many things it
    changed. ``every``: seconds between runs (0: only on request)."""

    name: str
    every: float
    counties: Callable[[], Iterable[str]]
    sweep: Callable[[str, datetime], int]


@dataclass
class SweepReport:
    changed: dict[str, int] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)


@dataclass
class JobStats:
    runs: int = 0
    county_failures: int = 0
    last_failures: dict[str, str] = field(default_factory=dict)


def sweep_counties(job: CountySweep, now: datetime) -> SweepReport:
    """Run ``job`` for each county in turn; a county that fails is reported, the others go on."""
    report = SweepReport()
    for county in sorted(set(job.counties())):
        try:
            changed = job.sweep(county, now)
        except Exception as exc:  # one county's bad rule or data must not stop every county's job
            report.failed[county] = f"{type(exc).__name__}: {exc}"
            log.error("sweep_county_failed", job=job.name, county=county, error=report.failed[county])
            continue
        if changed:
            report.changed[county] = changed
    return report


async def run_periodically(job: CountySweep, clock: Clock, stopping: asyncio.Event, stats: JobStats) -> None:
    """Run ``job`` every ``job.every`` seconds until ``stopping`` (the runtime's task for it)."""
    while not stopping.is_set():
        try:
            report = await asyncio.to_thread(sweep_counties, job, clock())
            stats.runs += 1
            stats.county_failures += len(report.failed)
            stats.last_failures = report.failed
            if report.changed:
                log.info("sweep_done", job=job.name, changed=report.changed)
        except Exception as exc:  # listing the counties failed (the store is away): retried next round
            log.error("sweep_failed", job=job.name, error=repr(exc))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), timeout=job.every)
