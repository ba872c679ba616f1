"""The warning sweep also runs by itself inside the service: a periodic job of the runtime sweeps
every county with project files, with the service's clock; one county's failure stops no other."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from uuid import uuid4

from services.supervision.main import create_app
from shared.config import Settings
from shared.kernel.meta import Meta
from shared.persistence.application import UnitOfWork
from shared.runtime.jobs import CountySweep, run_periodically, sweep_counties


def test_background_sweep_raises_due_warnings_with_the_service_clock(tmp_path: Path) -> None:
    settings = Settings(service="supervision", data_dir=tmp_path, supervision_sweep_seconds=0.01)
    api = create_app(settings, start_runtime=False)
    runtime, app = api.state.runtime, api.state.application
    assert [(job.name, job.every) for job in runtime.jobs] == [("warning-sweep", 0.01)]
    for county in ("440781", "440703"):
        uow = UnitOfWork(app)
        meta = Meta(county, "congress_staff", "staff", datetime(2026, 1, 15, tzinfo=UTC))
        app.open_project(
            uow,
            meta,
            uuid4(),
            2026,
            "major",
            f"{county} 项目",
            "",
            "住建局",
            Decimal("100"),
            date(2026, 12, 31),
            [],
            date(2026, 1, 15),
        )
        app.save(*uow.aggregates())
    runtime.updater.catch_up()
    api.state.clock.set(lambda: datetime(2026, 3, 1, tzinfo=UTC))

    async def two_rounds() -> None:
        stopping = asyncio.Event()
        job = runtime.jobs[0]
        running = asyncio.create_task(run_periodically(job, runtime.clock, stopping, runtime.job_stats[job.name]))
        await asyncio.sleep(0.3)
        stopping.set()
        await asyncio.wait_for(running, timeout=5)

    asyncio.run(two_rounds())
    runtime.updater.catch_up()
    for county in ("440781", "440703"):
        warnings = [w for w in runtime.views.list("warning", county)]
        assert [(w["kind"], w["raised_on"]) for w in warnings] == [("plan_missing", "2026-03-01")]
        # day 45 after the session is 2026-03-01: escalation comes only after it
        assert warnings[0]["escalated_on"] is None


def test_no_background_sweep_when_disabled(tmp_path: Path) -> None:
    api = create_app(
        Settings(service="supervision", data_dir=tmp_path, supervision_sweep_seconds=0), start_runtime=False
    )
    assert [job.every for job in api.state.runtime.jobs] == [0]  # still there for requests, never scheduled


def test_one_countys_failing_sweep_is_counted_and_every_other_county_goes_on() -> None:
    swept: list[str] = []

    def sweep(county: str, now: datetime) -> int:
        if county == "440703":
            raise OverflowError("date value out of range")
        swept.append(county)
        return 1

    job = CountySweep("warning-sweep", 300, lambda: ["440781", "440703", "440705"], sweep)
    report = sweep_counties(job, datetime(2026, 3, 1, tzinfo=UTC))
    assert swept == ["440705", "440781"]
    assert report.changed == {"440705": 1, "440781": 1}
    assert report.failed == {"440703": "OverflowError: date value out of range"}
