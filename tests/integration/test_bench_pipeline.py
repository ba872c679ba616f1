"""`shishi bench pipeline --json` runs the raw ceiling and the real intake path end to end and
reports one JSON object in which every ticket is accounted for.

Speed is what the command measures; this test never asserts a threshold on it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from shared.bus.server import NatsServer
from tests.fixtures.availability import skip_or_fail

EVENTS = 300
KEYS = {"raw_eps", "real_eps", "ratio", "p50_ms", "p99_ms", "peak_rss_mb"}


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    try:
        NatsServer.binary()
    except FileNotFoundError as exc:
        skip_or_fail(str(exc))
    data_dir = tmp_path_factory.mktemp("bench")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "services.tools.cli.main",
            "bench",
            "pipeline",
            "--events",
            str(EVENTS),
            "--json",
            "--data-dir",
            str(data_dir),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    return result, data_dir


def test_prints_exactly_one_json_object_with_the_six_figures(bench_run) -> None:
    result, _ = bench_run
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, result.stdout
    report = json.loads(lines[0])
    assert report.keys() >= KEYS
    assert all(isinstance(report[k], int | float) and report[k] > 0 for k in KEYS), report


def test_every_ticket_produced_exactly_one_accepted_event(bench_run) -> None:
    report = json.loads(bench_run[0].stdout)
    assert report["events"] == EVENTS
    assert report["accepted"] == EVENTS


def test_figures_are_consistent(bench_run) -> None:
    report = json.loads(bench_run[0].stdout)
    assert report["ratio"] == pytest.approx(report["real_eps"] / report["raw_eps"], abs=0.002)
    assert report["real_eps"] == pytest.approx(EVENTS / report["real_seconds"], rel=0.01)
    assert report["raw_eps"] == pytest.approx(EVENTS / report["raw_seconds"], rel=0.01)
    # the raw consumer over tickets published beforehand is measured too, and reported beside
    assert report["raw_drain_eps"] > 0
    # no ticket can take longer than the whole real phase (first publish to last arrival)
    assert report["p50_ms"] <= report["p99_ms"] <= report["real_seconds"] * 1000 + 0.1
    assert report["peak_rss_mb"] == max(report["bench_rss_mb"], report["intake_rss_mb"])


def test_the_intake_service_logs_to_its_file_not_to_the_report(bench_run) -> None:
    _, data_dir = bench_run
    log = (data_dir / "intake" / "intake.log").read_text()
    assert '"message_handled"' in log


def test_a_fixed_rate_is_offered_and_what_was_achieved_is_reported(tmp_path: Path) -> None:
    """``--rate R --seconds S``: R x S tickets offered at R a second; the report says both rates and the
    latencies from publish to the outbound event (and to intake's recording of it)."""
    result = subprocess.run(
        [sys.executable, "-m", "services.tools.cli.main", "bench", "pipeline", "--rate", "100", "--seconds", "1"]
        + ["--json", "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["events"] == report["accepted"] == 100
    assert report["offered_rate"] == 100
    # offered over about a second: the achieved rate cannot exceed what was offered by much
    assert 0 < report["achieved_rate"] <= 100 * 1.5
    assert report["achieved_rate"] == report["real_eps"]
    assert 0 < report["recorded_p50_ms"] <= report["recorded_p99_ms"]
    # intake records a ticket's event before it publishes it (5 ms: two clocks, the service's and ours)
    assert report["recorded_p50_ms"] <= report["p50_ms"] + 5 <= report["p99_ms"] + 5
