"""``bench pipeline``: the raw ceiling, then the real intake path, on one nats-server."""

from __future__ import annotations

import asyncio
import json
import resource
import time
from datetime import timedelta
from pathlib import Path

import nats

from services.tools.bench.intake_process import IntakeProcess
from services.tools.bench.raw import measure_raw, measure_raw_drain
from services.tools.bench.real import measure_real
from services.tools.bench.report import PipelineReport
from services.tools.cli.hotline import make_tickets
from services.tools.cli.progress import Progress
from services.tools.demo.counties import towns_of
from shared.config import Settings

COUNTY = "440781"


def tickets(count: int, seed: int) -> list[tuple[str, bytes]]:
    """(ticket id, body) of ``count`` distinct, valid hotline tickets, received over the last day (one a
    minute would date tickets beyond 2,880 in the future, which intake refuses)."""
    span = timedelta(hours=23)
    pairs = make_tickets(COUNTY, towns_of(COUNTY), count, duplicates=0, malformed=0, seed=seed, span=span)
    return [(json.loads(body)["ticket_id"], body) for _, body in pairs]


def own_peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


async def run_pipeline_bench(
    nats_url: str, work: Path, events: int, bar: Progress | None = None, *, rate: float | None = None
) -> PipelineReport:
    bar = bar or Progress.off()
    bar.task("bench pipeline", total=4)
    batch = Settings(service="intake").consumer_batch
    seed = time.time_ns() // 1_000_000  # fresh ticket ids, also in a kept --data-dir
    raw_bodies = [body for _, body in tickets(events, seed)]
    real_tickets = tickets(events, seed + 1)
    nc = await nats.connect(nats_url, name="shishi-bench")
    try:
        js = nc.jetstream(timeout=30)
        offered = f", offered at {rate:g}/s" if rate else ""
        bar.step(f"raw ceiling ({events:,} tickets{offered})")
        raw = await measure_raw(js, work / "raw.sqlite", raw_bodies, batch=batch, rate=rate)
        bar.advance()
        bar.step("raw consumer alone")
        drain = await measure_raw_drain(js, work / "raw.sqlite", raw_bodies, batch=batch)
        bar.advance()
        bar.step("start intake (shishi serve intake)")
        intake = IntakeProcess(work / "intake", nats_url)
        try:
            await asyncio.to_thread(intake.start)
            bar.advance()
            bar.step(f"the real intake path ({events:,} tickets{offered})")
            real = await measure_real(js, COUNTY, real_tickets, rate)
            bar.advance()
            intake_rss = intake.peak_rss_mb()
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}\n--- intake output and log (tail) ---\n{intake.output_tail()}") from exc
        finally:
            intake.stop()  # blocking on purpose: it must run even when the run is being cancelled
    finally:
        await nc.close()
    return PipelineReport(
        raw=raw,
        raw_drain=drain,
        real=real.phase,
        latencies_ms=real.latencies_ms,
        recorded_ms=real.recorded_ms,
        accepted=real.accepted,
        batch=batch,
        bench_rss_mb=own_peak_rss_mb(),
        offered_rate=rate,
        intake_rss_mb=intake_rss,
    )
