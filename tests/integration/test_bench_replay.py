"""`shishi bench replay --json` fills a store, reads it raw, verifies it and rebuilds its read
models, and reports one JSON object with the figures issue #7 names; given the same ``--data-dir``
again it measures the same store without refilling it, and rebuilds into an empty scratch store.

Speed is what the command measures; this test never asserts a threshold on it.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

EVENTS = 1500
KEYS = {"raw_eps", "verify_eps", "verify_ratio", "rebuild_eps", "rebuild_ratio", "asof_p99_ms"}


def bench(data_dir: Path) -> dict:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "services.tools.cli.main",
            "bench",
            "replay",
            "--events",
            str(EVENTS),
            "--json",
            "--data-dir",
            str(data_dir),
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, result.stdout
    return json.loads(lines[0])


def rebuilt(data_dir: Path) -> list[tuple]:
    with closing(sqlite3.connect(data_dir / "rebuild.sqlite")) as c:
        return c.execute("SELECT kind, id, county, doc FROM view_docs ORDER BY kind, id").fetchall()


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict, list[tuple], list[tuple]]:
    data_dir = tmp_path_factory.mktemp("replay")
    first = bench(data_dir)
    first_docs = rebuilt(data_dir)
    with closing(sqlite3.connect(data_dir / "rebuild.sqlite")) as c:  # a leftover the next rebuild must not keep
        c.execute("INSERT INTO view_docs (kind, id, county, doc) VALUES ('demand', 'stale', '440703', '{}')")
        c.commit()
    second = bench(data_dir)
    return first, second, first_docs, rebuilt(data_dir)


def test_prints_one_json_object_with_the_figures(runs) -> None:
    first, _, _, _ = runs
    assert first.keys() >= KEYS
    assert all(isinstance(first[k], int | float) and first[k] > 0 for k in KEYS), first
    assert first["events"] >= EVENTS
    assert first["log_append_eps"] > 0  # the first run appended every event to the Merkle log


def test_ratios_are_against_the_raw_read_of_the_same_run(runs) -> None:
    for report in runs[:2]:
        assert report["verify_ratio"] == pytest.approx(report["verify_eps"] / report["raw_eps"], abs=0.002)
        assert report["rebuild_ratio"] == pytest.approx(report["rebuild_eps"] / report["raw_eps"], abs=0.002)
        assert report["asof_p50_ms"] <= report["asof_p99_ms"]


def test_the_same_data_dir_is_measured_again_without_refilling(runs) -> None:
    first, second, first_docs, second_docs = runs
    assert second["events"] == first["events"]
    assert second["log_append_eps"] == 0  # nothing new to append
    # the second rebuild started from an empty scratch store and folded the same documents
    assert second_docs == first_docs
    assert "stale" not in {doc_id for _, doc_id, *_ in second_docs}
    demands = sum(1 for kind, *_ in first_docs if kind == "demand")
    assert demands >= first["events"] // 3  # one per ticket; a ticket is at most three events
