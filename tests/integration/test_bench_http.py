"""`shishi bench http --json` loads the raw baseline and the real demand submission through the
gateway at each number of clients and reports, for each, every figure the issue names.

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

KEYS = {"raw_rps", "real_rps", "ratio", "p50_ms", "p99_ms", "errors"}


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:
    try:
        NatsServer.binary()
    except FileNotFoundError as exc:
        skip_or_fail(str(exc))
    data_dir = tmp_path_factory.mktemp("bench-http")
    command = [sys.executable, "-m", "services.tools.cli.main", "bench", "http", "--clients", "1,3"]
    result = subprocess.run(
        [*command, "--seconds", "0.5", "--json", "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, result.stdout
    return json.loads(lines[0]), data_dir


def test_each_level_reports_every_figure(bench_run) -> None:
    report, _ = bench_run
    assert set(report["levels"]) == {"1", "3"}
    for level in report["levels"].values():
        assert level.keys() >= KEYS
        assert level["raw_rps"] > 0 and level["real_rps"] > 0
        assert level["ratio"] == pytest.approx(level["real_rps"] / level["raw_rps"], abs=0.002)
        assert 0 < level["p50_ms"] <= level["p99_ms"]


def test_every_real_request_created_a_demand(bench_run) -> None:
    report, _ = bench_run
    for level in report["levels"].values():
        assert level["errors"] == 0, level
        assert level["statuses"] == {"201": level["real_requests"]}
    # each demand is a demand, its tracking code and the resident's sealed contact: three events at least
    answered = sum(level["real_requests"] for level in report["levels"].values())
    assert report["stored_events"] >= 3 * answered


def test_rss_of_the_processes_is_printed(bench_run) -> None:
    report, _ = bench_run
    assert report["rss_mb"].keys() == {"intake", "intake_companion", "gateway"}
    assert all(value > 0 for value in report["rss_mb"].values())
