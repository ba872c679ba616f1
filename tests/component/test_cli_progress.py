"""Long CLI jobs show a progress bar (rich) on standard error for a person at a terminal, and nothing
when standard error is not a terminal or with ``--json``: standard output carries the result alone."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from services.tools.cli.main import main
from services.tools.cli.progress import progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_bars_only_on_a_terminal_and_never_with_json() -> None:
    terminal, pipe = Terminal(), io.StringIO()
    with progress(stream=terminal) as bar:
        bar.task("verify", total=2)
        bar.step("verify intake")
        bar.advance(2)
    assert bar.shown and "verify intake" in terminal.getvalue() and "2/2" in terminal.getvalue()
    for as_json, stream in ((False, pipe), (True, Terminal())):
        with progress(as_json, stream=stream) as quiet:
            quiet.task("verify", total=2)
            quiet.advance()
        assert not quiet.shown and stream.getvalue() == ""


@pytest.mark.parametrize("as_json", [False, True])
def test_audit_verify_draws_its_bar_on_stderr_only(
    as_json: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    code = main(["audit", "verify", "--data-dir", str(tmp_path), *(["--json"] if as_json else [])])
    out = capsys.readouterr().out
    assert code == 1  # nothing to verify in an empty data dir
    if as_json:
        assert json.loads(out) == {"ok": False, "services": []} and terminal.getvalue() == ""
    else:
        assert "nothing to verify" in out and "verify" not in out.replace("nothing to verify", "")
        assert "4/4" in terminal.getvalue()  # one step per service


def test_bench_replay_shows_its_stages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert main(["bench", "replay", "--events", "60", "--data-dir", str(tmp_path)]) == 0
    drawn = terminal.getvalue()
    assert "bench replay" in drawn and "6/6" in drawn
    out = capsys.readouterr().out
    assert "read-model rebuild" in out and "bench replay" not in out  # the table on stdout, the bar not
