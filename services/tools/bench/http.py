"""``shishi bench http``: demand submission as people wait on it, through the one origin.

One run, one nats-server: the real intake service (``shishi serve intake``, its companion beside
it) and the raw baseline (``http_raw``: a minimal FastAPI route inserting the same body into
SQLite, one durable transaction each), each behind the product's gateway (``shishi serve gateway``,
started the same way in front of each). At each number of clients (1, 10, 50 by default) the raw
path and then the real ``POST /intake/api/demands`` are loaded for ``seconds`` each by closed-loop
clients on keep-alive connections (``loadgen``), so the ratio compares two runs a few seconds
apart. Durable settings throughout (nats-server ``sync_interval: always``, SQLite WAL synchronous
FULL). The anonymous submission limit (``SHISHI_RATE_LIMIT_SUBMIT``, 30 a minute per address) is
turned off for the service: every request comes from one address.
"""

from __future__ import annotations

import asyncio
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from services.tools.bench.intake_process import ServeProcess, stored_events
from services.tools.bench.loadgen import LoadResult, request_bytes, run_load
from services.tools.bench.report import percentile
from services.tools.cli.progress import Progress

COUNTY = "440781"
PATH = "/intake/api/demands"
WARMUP_SECONDS = 1.0


def demand_body(n: int) -> bytes:
    """A resident's demand from the web form, with name and phone (sealed with a key of their own)."""
    return json.dumps(
        {
            "county": COUNTY,
            "channel": "web",
            "town": "台城街道",
            "category": "roads",
            "text": f"台城街道环城南路第{n}号路灯不亮，夜间行人看不清路面，请尽快维修。",
            "name": "陈先生",
            "phone": "13800000000",
        },
        ensure_ascii=False,
    ).encode()


@dataclass
class Level:
    """The raw and the real path at one number of clients."""

    clients: int
    raw: LoadResult
    real: LoadResult

    def as_dict(self) -> dict:
        real = self.real.latencies_ms or [0.0]
        raw = self.raw.latencies_ms or [0.0]
        return {
            "clients": self.clients,
            "raw_rps": round(self.raw.rps, 1),
            "real_rps": round(self.real.rps, 1),
            "ratio": round(self.real.rps / self.raw.rps, 3) if self.raw.rps else 0.0,
            "p50_ms": round(percentile(real, 50), 1),
            "p99_ms": round(percentile(real, 99), 1),
            "errors": self.real.errors,
            "raw_p50_ms": round(percentile(raw, 50), 1),
            "raw_p99_ms": round(percentile(raw, 99), 1),
            "raw_errors": self.raw.errors,
            "real_requests": self.real.ok,
            "statuses": {str(k): v for k, v in sorted(self.real.statuses.items())},
        }


@dataclass
class HttpReport:
    seconds: float
    levels: list[Level] = field(default_factory=list)
    rss_mb: dict[str, float] = field(default_factory=dict)
    events: int = 0

    def as_dict(self) -> dict:
        levels = {str(level.clients): level.as_dict() for level in self.levels}
        return {"seconds": self.seconds, "levels": levels, "stored_events": self.events, "rss_mb": self.rss_mb}

    def json_line(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False)

    def table(self) -> str:
        rows = [
            f"bench http: POST {PATH} through the gateway, {self.seconds:g} s per path and level, durable "
            "(nats fsync always, SQLite WAL synchronous FULL)",
            f"  {'clients':>7}{'raw req/s':>11}{'real req/s':>12}{'ratio':>8}{'p50 ms':>9}{'p99 ms':>9}"
            f"{'errors':>8}{'raw p99 ms':>12}",
        ]
        for level in self.levels:
            d = level.as_dict()
            rows.append(
                f"  {d['clients']:>7}{d['raw_rps']:>11.1f}{d['real_rps']:>12.1f}{d['ratio']:>8.3f}"
                f"{d['p50_ms']:>9.1f}{d['p99_ms']:>9.1f}{d['errors']:>8}{d['raw_p99_ms']:>12.1f}"
            )
        rss = ", ".join(f"{k} {v:.1f} MB" for k, v in self.rss_mb.items())
        rows.append(f"  stored events {self.events:,}; RSS after the run: {rss}")
        return "\n".join(rows)


def gateway_in_front_of(upstream: ServeProcess, work: Path, nats_url: str) -> ServeProcess:
    upstreams = json.dumps({"intake": f"http://127.0.0.1:{upstream.port}"})
    env = {"SHISHI_UPSTREAMS": upstreams, "SHISHI_LOG_LEVEL": "WARNING"}
    return ServeProcess("gateway", work, nats_url, env)


async def load(port: int, clients: int, seconds: float) -> LoadResult:
    host = f"127.0.0.1:{port}"
    headers = {"content-type": "application/json"}

    def make(n: int) -> bytes:
        return request_bytes("POST", PATH, demand_body(n), host, headers)

    return await run_load("127.0.0.1", port, make, clients=clients, seconds=seconds)


def run_http_bench(
    nats_url: str, work: Path, levels: list[int], seconds: float, bar: Progress | None = None
) -> HttpReport:
    bar = bar or Progress.off()
    bar.task("bench http", total=2 + 2 * len(levels))
    report = HttpReport(seconds=seconds)
    raw = ServeProcess(
        "raw",
        work / "raw",
        nats_url,
        argv=[
            sys.executable,
            "-m",
            "services.tools.bench.http_raw",
            "--port",
            "{port}",
            "--db",
            str(work / "raw.sqlite"),
        ],
        health_path="/livez",
    )
    intake = ServeProcess("intake", work, nats_url, {"SHISHI_RATE_LIMIT_SUBMIT": "", "SHISHI_LOG_LEVEL": "WARNING"})
    children: list[ServeProcess] = []
    try:
        bar.step("start the raw baseline and intake, each behind a gateway")
        for child in (raw, intake):
            child.start()
            children.append(child)
        raw_gateway = gateway_in_front_of(raw, work / "gateway-raw", nats_url)
        real_gateway = gateway_in_front_of(intake, work / "gateway-real", nats_url)
        for child in (raw_gateway, real_gateway):
            child.start()
            children.append(child)
        bar.advance()
        bar.step("warm up")
        asyncio.run(load(raw_gateway.port, 1, WARMUP_SECONDS))
        asyncio.run(load(real_gateway.port, 1, WARMUP_SECONDS))
        bar.advance()
        for clients in levels:
            bar.step(f"raw baseline, {clients} clients")
            raw_result = asyncio.run(load(raw_gateway.port, clients, seconds))
            bar.advance()
            bar.step(f"POST {PATH}, {clients} clients")
            real_result = asyncio.run(load(real_gateway.port, clients, seconds))
            bar.advance()
            report.levels.append(Level(clients, raw_result, real_result))
        report.rss_mb = {
            "intake": round(intake.rss_mb()["service"], 1),
            "intake_companion": round(intake.rss_mb()["companion"], 1),
            "gateway": round(real_gateway.rss_mb()["service"], 1),
        }
        report.events = stored_events(work)
    except RuntimeError as exc:
        tails = "\n".join(f"--- {c.service} (tail) ---\n{c.output_tail()}" for c in children)
        raise RuntimeError(f"{exc}\n{tails}") from exc
    finally:
        for child in reversed(children):
            child.stop()
    return report
