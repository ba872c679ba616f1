"""An integrator opens /contracts/ and reads the AsyncAPI 3.1 document in the vendored viewer: the
viewer parses it (no error), and shows the journal and audit channels and the production server."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from services.gateway.main import create_gateway
from shared.bus.server import free_port
from shared.config import Settings

pytestmark = pytest.mark.browser


@pytest.fixture
def origin(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    app = create_gateway(Settings(service="gateway", data_dir=tmp_path), {})
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_the_viewer_renders_the_document(origin: str, browser_page, tmp_path: Path) -> None:
    page = browser_page
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on("requestfailed", lambda request: problems.append(f"failed: {request.url}"))
    page.on("request", lambda request: None if request.url.startswith(origin) else problems.append(request.url))
    page.goto(f"{origin}/contracts/")
    page.wait_for_function("(document.querySelector('#asyncapi')?.textContent || '').includes('journal.{service}')")
    text = page.text_content("#asyncapi") or ""
    page.screenshot(path=tmp_path / "contracts.png", full_page=False)
    assert "Shishi integration events" in text and "audit.{service}.checkpoints" in text
    assert "production" in text and "User/Password" in text  # the server and its security scheme
    assert "HOTLINE_NATS_PASSWORD" in text
    assert "Error" not in text[:300]
    assert not problems, problems
