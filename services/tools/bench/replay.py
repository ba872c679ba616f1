"""``shishi bench replay``: how fast the audit tools read history, against a raw read of the same store.

One run, one fresh data directory: intake's store is filled with N events through its real
hotline path (batches of tickets through ``process_batch``), then measured:

* raw      — the notification log read page by page, nothing decoded (the ceiling; median of three);
* verify   — the standalone verifier: every leaf recomputed, every checkpoint root checked,
             the log's own leaves compared;
* rebuild  — every read model rebuilt from the store (``ViewUpdater.rebuild``);
* as-of    — one aggregate as of a random past moment, many times: the p99 latency.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar
from uuid import UUID

from services.tools.audit.catalog import open_service
from services.tools.cli.progress import Progress, progress
from shared.audit.asof import aggregate_as_of
from shared.audit.log import MerkleLog, sidecar_path
from shared.audit.signing import load_or_create_signer
from shared.audit.verify import store_records, verify_service
from shared.config import Settings
from shared.contracts import HotlineTicket
from shared.persistence.application import Inbound, ServiceApplication
from shared.persistence.notifications import next_batch
from shared.views.store import ViewStore
from shared.views.updater import ViewUpdater

COUNTIES = ("440703", "440704", "440705", "440781", "440783", "440784", "440785")
START = datetime(2024, 1, 1, tzinfo=UTC)
T = TypeVar("T")


@dataclass
class ReplayReport:
    events: int
    raw_eps: float
    verify_eps: float
    verify_ratio: float
    rebuild_eps: float
    rebuild_ratio: float
    asof_p99_ms: float
    asof_p50_ms: float
    log_append_eps: float

    def json_line(self) -> str:
        return json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in asdict(self).items()})

    def table(self) -> str:
        return "\n".join(
            [
                f"events              {self.events}",
                f"raw read            {self.raw_eps:,.0f} events/s",
                f"verify              {self.verify_eps:,.0f} events/s   ratio {self.verify_ratio:.2f}",
                f"read-model rebuild  {self.rebuild_eps:,.0f} events/s   ratio {self.rebuild_ratio:.2f}",
                f"as-of (1 aggregate) p50 {self.asof_p50_ms:.2f} ms   p99 {self.asof_p99_ms:.2f} ms",
                f"log append          {self.log_append_eps:,.0f} events/s"
                if self.log_append_eps
                else "log append          (nothing new: the store was filled by an earlier run)",
            ]
        )


def tickets_stored(app: ServiceApplication) -> int:
    """How many tickets an existing store (``--data-dir`` given again) already holds."""
    from services.intake.main import SUBMITTED_TOPICS

    position, count = 0, 0
    while True:
        found, position_after = next_batch(app.recorder, position, 50_000, SUBMITTED_TOPICS)
        count += len(found)
        if position_after == position:
            return count
        position = position_after


def fill(app: ServiceApplication, events: int) -> list[datetime]:
    """Hotline tickets until the store holds ``events`` events; the moment of each ticket."""
    from services.intake.main import ticket_handler

    handle = ticket_handler(app)
    rng = random.Random(7)
    seq = tickets_stored(app)
    while (app.recorder.max_notification_id() or 0) < events:
        batch = []
        for _ in range(500):
            seq += 1
            county = COUNTIES[seq % len(COUNTIES)]
            received = START + timedelta(minutes=seq * 3)
            ticket = HotlineTicket(
                ticket_id=f"B-{seq}",
                county=county,
                received_at=received,
                category="roads",
                text=f"路灯不亮 第{seq}号",
                town="台城街道",
                caller_name="陈先生" if rng.random() < 0.5 else "",
                caller_phone="13800000000" if rng.random() < 0.5 else "",
            )
            batch.append(Inbound("HOTLINE", seq, ticket))
        app.process_batch(batch, handle)
    return [START + timedelta(minutes=i * 3) for i in range(1, seq + 1)]


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def run_replay_bench(work: Path, events: int, samples: int = 2000, bar: Progress | None = None) -> ReplayReport:
    bar = bar or Progress.off()
    bar.task("bench replay", total=6)
    settings = Settings(service="intake", data_dir=work)
    api = open_service(settings)
    app, project = api.state.application, api.state.runtime.updater.project
    bar.step(f"fill the store ({events:,} events)")
    moments = fill(app, events)
    bar.advance()
    bar.step("append the Merkle log")
    total = app.recorder.max_notification_id()
    log = MerkleLog(sidecar_path(settings.service_dir), "intake")
    logged_before = log.size()  # a --data-dir given again: only what this run appends is timed
    log_s, _ = timed(lambda: log.follow(app.recorder, batch=5000))
    appended = log.size() - logged_before
    log.checkpoint(load_or_create_signer(work, "intake"))
    log.close()
    bar.advance()

    def raw() -> int:
        position, n = 0, 0
        while True:
            page = app.recorder.select_notifications(position, 5000, None, (), inclusive_of_start=False)
            n += len(page)
            if len(page) < 5000:
                return n
            position = page[-1].id

    bar.step("read the notification log (raw, three times)")
    raw_s = sorted(timed(raw)[0] for _ in range(3))[1]  # the median of three: one cold read would flatter the ratios
    bar.advance()
    bar.step("verify")
    verify_s, report = timed(lambda: verify_service("intake", work, store_records(app.recorder)))
    bar.advance()
    if not report.ok:
        raise RuntimeError(f"verification failed on a fresh store: {report.problems}")
    scratch = work / "rebuild.sqlite"
    for leftover in work.glob("rebuild.sqlite*"):  # an earlier run's (--data-dir given again): a rebuild starts
        leftover.unlink()  # empty, as on a fresh run, not by deleting the old rows inside the timed part
    views = ViewStore(sqlite_path=scratch)
    topics = api.state.runtime.updater.topics  # the same rebuild the service runs (only the topics it folds)
    bar.step("rebuild the read models")
    rebuild_s, _ = timed(lambda: ViewUpdater(app, views, project, batch=5000, topics=topics).rebuild())
    views.close()
    bar.advance()
    bar.step(f"{samples:,} aggregates as of a moment")
    ids = [row[2] for row in MerkleLog(sidecar_path(settings.service_dir), "intake").leaf_rows()[::3]]
    rng = random.Random(11)
    latencies = []
    for _ in range(samples):
        aggregate_id, moment = UUID(rng.choice(ids)), rng.choice(moments)
        started = time.perf_counter()
        aggregate_as_of(app, aggregate_id, moment)
        latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    bar.advance()
    raw_eps, verify_eps, rebuild_eps = total / raw_s, total / verify_s, total / rebuild_s
    return ReplayReport(
        events=total,
        raw_eps=raw_eps,
        verify_eps=verify_eps,
        verify_ratio=verify_eps / raw_eps,
        rebuild_eps=rebuild_eps,
        rebuild_ratio=rebuild_eps / raw_eps,
        asof_p99_ms=latencies[int(len(latencies) * 0.99) - 1],
        asof_p50_ms=latencies[len(latencies) // 2],
        log_append_eps=appended / log_s if appended else 0.0,
    )


def run_replay(args: argparse.Namespace) -> int:
    if args.events < 1:
        print("bench replay: --events must be at least 1", file=sys.stderr)
        return 2
    work = Path(args.data_dir) if args.data_dir else Path(tempfile.mkdtemp(prefix="shishi-bench-replay-"))
    try:
        with progress(args.json) as bar:
            report = run_replay_bench(work, args.events, bar=bar)
    finally:
        if not args.data_dir:
            shutil.rmtree(work, ignore_errors=True)
    print(report.json_line() if args.json else report.table())
    return 0
