"""``shishi bench views``: what people read, at province scale.

``--counties C --demands N`` fills the stores through the real paths (``views_fill``), folds the read
models, then runs nats-server, the four services (each with its companion) and the gateway as the
product runs them, and times one reader after another on a keep-alive connection through the origin:

* ``province``  — ``GET /province/api/counties?year=Y`` (every county side by side, a province viewer);
* ``queue``     — ``GET /intake/api/counties/{c}/demands?page=P&limit=50`` and the staff page
  ``/intake/queue?county=C&page=P`` (a county's staff, pages chosen at random);
* ``tracking``  — ``GET /intake/track/{code}`` (a resident's tracking page, random demands);
* ``project``   — ``GET /supervision/projects/{id}`` (a project's public page, random projects).

Reads are timed once the services are idle (on a filled store their followers first catch up: the
audit log, the journal), each after three untimed requests. Each read's baseline in the same run is
``/livez`` through the same origin (the web stack alone): ``ratio`` is the baseline's p50 over the
read's. RSS of every service (and its companion) is printed after the reads, with the number of
events in intake's store.
"""

from __future__ import annotations

import asyncio
import json
import random
import sqlite3
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from services.tools.bench.intake_process import ServeProcess, stored_events, wait_quiet
from services.tools.bench.loadgen import request_bytes, timed_requests
from services.tools.bench.report import percentile
from services.tools.bench.views_fill import county_codes, fill
from services.tools.cli.progress import Progress
from shared.auth import issue_token
from shared.config import SERVICES, Settings

PER_PAGE = 50
WARM_UP = 3  # requests of each read sent before the timed ones


@dataclass
class Read:
    name: str
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0

    def as_dict(self) -> dict:
        values = self.latencies_ms or [0.0]
        return {
            "p50_ms": round(percentile(values, 50), 1),
            "p99_ms": round(percentile(values, 99), 1),
            "samples": len(self.latencies_ms),
            "errors": self.errors,
        }


@dataclass
class ViewsReport:
    counties: int
    demands: int
    events: int = 0
    fill_seconds: float = 0.0
    idle_wait_seconds: float = 0.0
    idle: bool = True
    reads: dict[str, Read] = field(default_factory=dict)
    rss_mb: dict[str, dict[str, float]] = field(default_factory=dict)

    def as_dict(self) -> dict:
        baseline = self.reads["baseline"].as_dict()["p50_ms"] if "baseline" in self.reads else 0.0
        reads = {}
        for name, read in self.reads.items():
            figures = read.as_dict()
            if name != "baseline":
                figures["ratio"] = round(baseline / figures["p50_ms"], 3) if figures["p50_ms"] else 0.0
            reads[name] = figures
        return {
            "counties": self.counties,
            "demands": self.demands,
            "stored_events": self.events,
            "fill_seconds": round(self.fill_seconds, 1),
            "idle_wait_seconds": round(self.idle_wait_seconds, 1),
            "idle": self.idle,
            "reads": reads,
            "rss_mb": self.rss_mb,
        }

    def json_line(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False)

    def table(self) -> str:
        d = self.as_dict()
        rows = [
            f"bench views: {d['counties']} counties, {d['demands']:,} demands ({d['stored_events']:,} events in "
            f"intake's store, filled and folded in {d['fill_seconds']:.0f} s), through the origin",
            f"  services idle after {d['idle_wait_seconds']:.0f} s"
            + ("" if d["idle"] else " (NOT idle: the wait timed out, reads share the CPU with followers)"),
            f"  {'read':<16}{'p50 ms':>9}{'p99 ms':>9}{'samples':>9}{'errors':>8}{'ratio':>8}",
        ]
        for name, r in d["reads"].items():
            ratio = f"{r['ratio']:>8.3f}" if "ratio" in r else f"{'':>8}"
            rows.append(f"  {name:<16}{r['p50_ms']:>9.1f}{r['p99_ms']:>9.1f}{r['samples']:>9}{r['errors']:>8}{ratio}")
        for service, rss in d["rss_mb"].items():
            rows.append(f"  RSS {service:<12} {rss['service']:.1f} MB, its companion {rss['companion']:.1f} MB")
        return "\n".join(rows)


def sample_ids(work: Path, service: str, kind: str, field_name: str, count: int, rng: random.Random) -> list[str]:
    """Random documents' ``field_name`` from a service's read models (read once, before the reads)."""
    with sqlite3.connect(f"file:{work / service / 'views.sqlite'}?mode=ro", uri=True) as conn:
        rows = conn.execute(
            "SELECT json_extract(doc, ?) FROM view_docs WHERE kind=? ORDER BY random() LIMIT ?",
            (f"$.{field_name}", kind, count),
        ).fetchall()
    values = [str(r[0]) for r in rows if r[0]]
    rng.shuffle(values)
    return values


def measure(
    port: int, name: str, requests: list[bytes], report: ViewsReport, bar: Progress, ok: tuple[int, ...] = (200,)
) -> None:
    bar.step(f"read: {name} ({len(requests)} requests)")
    read = Read(name)
    asyncio.run(timed_requests("127.0.0.1", port, requests[:WARM_UP]))  # not timed: caches warm, as in use
    for status, ms in asyncio.run(timed_requests("127.0.0.1", port, requests)):
        if status in ok:
            read.latencies_ms.append(ms)
        else:
            read.errors += 1
    report.reads[name] = read
    bar.advance()


def run_views_bench(
    nats_url: str, work: Path, counties: int, demands: int, samples: int, bar: Progress | None = None
) -> ViewsReport:
    bar = bar or Progress.off()
    report = ViewsReport(counties=counties, demands=demands)
    codes = county_codes(counties)
    now = datetime.now(UTC)
    started = time.perf_counter()
    if not (work / "intake" / "events.sqlite").exists():  # a --data-dir given again is measured as it is
        bar.task("bench views: fill", total=None)

        def step(stage: str, done: int, total: int) -> None:
            bar.update(done, total, description=stage)

        report.events = fill(work, codes, demands, now, step)
    report.fill_seconds = time.perf_counter() - started
    bar.task("bench views: read", total=8)
    rng = random.Random(5)
    codes_sample = sample_ids(work, "intake", "demand", "tracking_code", samples, rng)
    projects = sample_ids(work, "supervision", "project", "id", samples, rng)
    secret = Settings(data_dir=work).resolved_jwt_secret()
    viewer = issue_token(secret, subject="bench-viewer", roles=["province_viewer"], counties=["*"], name="省人大")
    staff = issue_token(secret, subject="bench-staff", roles=["congress_staff"], counties=["*"], name="人大工作人员")
    # every reader comes from one address: the anonymous limits per address (120 look-ups a minute) are off
    env = {"SHISHI_LOG_LEVEL": "WARNING", "SHISHI_RATE_LIMIT_LOOKUP": "", "SHISHI_RATE_LIMIT_SUBMIT": ""}
    services = [ServeProcess(name, work, nats_url, env) for name in SERVICES]
    children: list[ServeProcess] = []
    try:
        bar.step("start the four services")
        for child in services:
            child.start(timeout=600)  # a first start folds what is not yet folded
            children.append(child)
        upstreams = json.dumps({s.service: f"http://127.0.0.1:{s.port}" for s in services})
        gateway = ServeProcess("gateway", work, nats_url, {**env, "SHISHI_UPSTREAMS": upstreams})
        gateway.start()
        children.append(gateway)
        bar.step("wait until the services are idle (followers caught up on the filled stores)")
        waited = time.perf_counter()
        report.idle = wait_quiet(children, timeout=1800)
        report.idle_wait_seconds = time.perf_counter() - waited
        bar.advance()
        host = f"127.0.0.1:{gateway.port}"

        def get(path: str, token: str | None = None) -> bytes:
            return request_bytes("GET", path, b"", host, {"authorization": f"Bearer {token}"} if token else {})

        per_county = max(1, demands // counties)
        pages = max(1, per_county // PER_PAGE)
        asked = [(rng.choice(codes), rng.randint(1, pages)) for _ in range(samples)]
        measure(gateway.port, "baseline", [get("/livez") for _ in range(samples)], report, bar)
        year = now.year
        province = [get(f"/province/api/counties?year={year}", viewer) for _ in range(max(5, samples // 5))]
        measure(gateway.port, "province", province, report, bar)
        api = [get(f"/intake/api/counties/{c}/demands?page={p}&limit={PER_PAGE}", staff) for c, p in asked]
        measure(gateway.port, "queue", api, report, bar)
        measure(
            gateway.port,
            "queue_page",
            [get(f"/intake/queue?county={c}&page={p}", staff) for c, p in asked],
            report,
            bar,
        )
        measure(gateway.port, "tracking", [get(f"/intake/track/{code}") for code in codes_sample], report, bar)
        measure(gateway.port, "tracking_api", [get(f"/intake/api/track/{code}") for code in codes_sample], report, bar)
        measure(gateway.port, "project", [get(f"/supervision/projects/{p}") for p in projects], report, bar)
        report.rss_mb = {s.service: {k: round(v, 1) for k, v in s.rss_mb().items()} for s in services}
        if not report.events:
            report.events = stored_events(work)
    except RuntimeError as exc:
        tails = "\n".join(f"--- {c.service} (tail) ---\n{c.output_tail()}" for c in children)
        raise RuntimeError(f"{exc}\n{tails}") from exc
    finally:
        for child in reversed(children):
            child.stop()
    return report
