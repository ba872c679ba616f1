"""What one ``bench pipeline`` run measured, as a table for people or one JSON line for machines."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (0 < pct <= 100) of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


@dataclass(frozen=True)
class Phase:
    """How many events a phase moved end to end, and in how many seconds."""

    events: int
    seconds: float

    @property
    def eps(self) -> float:
        return self.events / self.seconds


@dataclass(frozen=True)
class PipelineReport:
    """``raw`` and ``real`` are timed alike (tickets published while the consumer runs);
    ``raw_drain`` is the raw consumer alone over tickets published beforehand."""

    raw: Phase
    raw_drain: Phase
    real: Phase
    latencies_ms: list[float]
    recorded_ms: list[float]  # publish -> intake recorded the event (the rest is commit, relay and broker)
    accepted: int
    batch: int
    bench_rss_mb: float
    intake_rss_mb: float
    offered_rate: float | None = None  # tickets/s offered (``--rate``); None: as fast as the broker takes them

    def as_dict(self) -> dict:
        return {
            "offered_rate": self.offered_rate,
            "achieved_rate": round(self.real.eps, 1),
            "raw_eps": round(self.raw.eps, 1),
            "real_eps": round(self.real.eps, 1),
            "ratio": round(self.real.eps / self.raw.eps, 3),
            "p50_ms": round(percentile(self.latencies_ms, 50), 1),
            "p99_ms": round(percentile(self.latencies_ms, 99), 1),
            "recorded_p50_ms": round(percentile(self.recorded_ms, 50), 1),
            "recorded_p99_ms": round(percentile(self.recorded_ms, 99), 1),
            "peak_rss_mb": round(max(self.bench_rss_mb, self.intake_rss_mb), 1),
            "events": self.real.events,
            "accepted": self.accepted,
            "batch": self.batch,
            "raw_seconds": round(self.raw.seconds, 4),
            "raw_drain_eps": round(self.raw_drain.eps, 1),
            "real_seconds": round(self.real.seconds, 4),
            "bench_rss_mb": round(self.bench_rss_mb, 1),
            "intake_rss_mb": round(self.intake_rss_mb, 1),
        }

    def json_line(self) -> str:
        return json.dumps(self.as_dict())

    def table(self) -> str:
        d = self.as_dict()
        return "\n".join(
            [
                f"bench pipeline: {d['events']} hotline tickets, consumer batch {d['batch']}, "
                "durable (nats fsync always, SQLite WAL synchronous FULL)",
                f"  offered {d['offered_rate']:g} tickets/s, achieved {d['achieved_rate']:.1f} tickets/s"
                if d["offered_rate"]
                else "  offered as fast as the broker acknowledges",
                f"  {'':28}{'events/s':>10}{'seconds':>10}",
                f"  {'raw ceiling (no domain)':28}{d['raw_eps']:>10.1f}{d['raw_seconds']:>10.3f}",
                f"  {'  raw consumer alone':28}{d['raw_drain_eps']:>10.1f}   (tickets published beforehand)",
                f"  {'real path (intake service)':28}{d['real_eps']:>10.1f}{d['real_seconds']:>10.3f}",
                f"  {'ratio real / raw':28}{d['ratio']:>10.3f}",
                f"  {'latency publish -> accepted':28}p50 {d['p50_ms']:.1f} ms, p99 {d['p99_ms']:.1f} ms",
                f"  {'  of which -> recorded':28}p50 {d['recorded_p50_ms']:.1f} ms, p99 {d['recorded_p99_ms']:.1f} ms "
                "(intake recorded the ticket's event)",
                f"  {'peak RSS':28}{d['peak_rss_mb']:.1f} MB "
                f"(bench {d['bench_rss_mb']:.1f} MB, intake and its followers {d['intake_rss_mb']:.1f} MB)",
            ]
        )
