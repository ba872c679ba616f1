"""The committed contract export matches the code, and exporting is reproducible byte for byte."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from shared.bus.contracts_export import build_documents, check_export, run_export

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "shared" / "contracts" / "schema"


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_committed_export_is_current() -> None:
    problems = check_export(COMMITTED)
    assert not problems, (
        "shared/contracts/schema is out of date with shared/contracts: "
        + ", ".join(problems)
        + ". Run `shishi contracts export` (or `python -m services.tools.cli.main contracts export`) "
        "and commit the result."
    )


def test_exporting_twice_gives_byte_identical_trees(tmp_path: Path, capsys) -> None:
    assert run_export(tmp_path / "a") == 0
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run(
        [sys.executable, "-m", "services.tools.cli.main", "contracts", "export", "--out", str(tmp_path / "b")],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    first, second = tree(tmp_path / "a"), tree(tmp_path / "b")
    assert first == second
    assert set(first) == set(build_documents())
    assert all(text.endswith(b"\n") for text in first.values())


def test_export_prints_each_file_and_removes_event_schemas_no_longer_produced(tmp_path: Path, capsys) -> None:
    old = tmp_path / "events" / "intake.renamed-long-ago.v1.schema.json"
    old.parent.mkdir(parents=True)
    old.write_text("{}\n")

    run_export(tmp_path)

    printed = capsys.readouterr().out.splitlines()
    assert not old.exists()
    assert f"removed {old}" in printed
    assert len([line for line in printed if line.startswith("wrote ")]) == len(build_documents())
    assert check_export(tmp_path) == []


def test_check_names_missing_stale_and_extra_files(tmp_path: Path, capsys) -> None:
    run_export(tmp_path)
    (tmp_path / "asyncapi.json").unlink()
    (tmp_path / "envelope.schema.json").write_text("{}\n")
    (tmp_path / "events" / "intake.gone.v1.schema.json").write_text("{}\n")

    assert check_export(tmp_path) == [
        "asyncapi.json (missing)",
        "envelope.schema.json (stale)",
        "events/intake.gone.v1.schema.json (extra)",
    ]
