"""`nats-server` ships in the `local` extra, not in the runtime install (the image uses the NATS image):
on a machine without it, `shishi up` stops at once and says how to get it."""

from __future__ import annotations

from pathlib import Path

import pytest

import shared.bus.server as server
from services.tools.cli.main import main


def test_up_without_nats_server_says_how_to_get_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(server.sys, "executable", str(tmp_path / "bin" / "python"))
    monkeypatch.setattr(server.sysconfig, "get_path", lambda *_: str(tmp_path / "scripts"))
    monkeypatch.setattr(server.shutil, "which", lambda *_: None)
    assert main(["up", "--data-dir", str(tmp_path / "data"), "--port", "18790"]) == 1
    err = capsys.readouterr().err
    assert "nats-server not found" in err and "local" in err and "requirements.lock" in err
