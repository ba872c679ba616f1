"""`shishi health`: the image's HEALTHCHECK asks whichever Shishi process listens on the port."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.tools.cli.main import main
from shared.bus.server import free_port
from tests.fixtures.open311 import Open311Server


def test_health_finds_the_service_on_the_port(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with Open311Server(tmp_path) as intake:
        port = str(intake.port)
        assert main(["health", "--port", port]) == 0
        assert "intake: ready" in capsys.readouterr().out
        assert main(["health", "--port", port, "--service", "intake"]) == 0
        assert main(["health", "--port", port, "--service", "decision"]) == 1  # not the one running here
    assert main(["health", "--port", str(free_port()), "--timeout", "1"]) == 1
    assert "nothing answered" in capsys.readouterr().out
