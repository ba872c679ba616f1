"""`shishi bench views --json` fills the stores of many counties through the real paths, starts the
product and times the province roll-up, a county's queue (API and page), tracking pages and project
pages through the origin; it reports every read and each service's memory.

Speed is what the command measures; this test never asserts a threshold on it.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from shared.bus.server import NatsServer
from tests.fixtures.availability import skip_or_fail

READS = {"baseline", "province", "queue", "queue_page", "tracking", "tracking_api", "project"}


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict:
    try:
        NatsServer.binary()
    except FileNotFoundError as exc:
        skip_or_fail(str(exc))
    data_dir = tmp_path_factory.mktemp("bench-views")
    command = [sys.executable, "-m", "services.tools.cli.main", "bench", "views", "--counties", "3"]
    result = subprocess.run(
        [*command, "--demands", "600", "--samples", "10", "--json", "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=420,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, result.stdout
    return json.loads(lines[0])


def test_every_read_is_timed_without_an_error(report) -> None:
    assert set(report["reads"]) == READS
    for name, read in report["reads"].items():
        assert read["errors"] == 0, (name, read)
        assert read["samples"] > 0 and 0 < read["p50_ms"] <= read["p99_ms"], (name, read)
        if name != "baseline":
            assert read["ratio"] > 0


def test_the_stores_hold_what_was_asked(report) -> None:
    assert (report["counties"], report["demands"]) == (3, 600)
    assert report["stored_events"] >= 2 * 600  # a demand and its tracking code each, contacts besides
    assert report["fill_seconds"] > 0


def test_reads_are_timed_once_the_services_are_idle(report) -> None:
    assert report["idle"] is True, report
    assert report["idle_wait_seconds"] >= 0


def test_each_service_memory_is_printed(report) -> None:
    assert set(report["rss_mb"]) == {"intake", "decision", "supervision", "evaluation"}
    for rss in report["rss_mb"].values():
        assert rss["service"] > 0 and rss["companion"] > 0
