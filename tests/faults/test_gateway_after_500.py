"""The gateway never turns one 500 into later 502s (real uvicorn servers on loopback): a service route
fails with an unexpected error, answered as a 500 problem without internal text, and the twenty
requests after it through the same gateway, on its pooled connections, are all answered by the service."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import uvicorn
from fastapi import APIRouter

from services.gateway.main import create_gateway
from services.intake.main import create_app
from shared.bus.server import free_port
from shared.config import Settings


def serve(app, port: int) -> uvicorn.Server:  # noqa: ANN001
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    return server


def test_a_500_is_a_problem_and_the_next_requests_are_answered(tmp_path: Path) -> None:
    intake = create_app(Settings(service="intake", data_dir=tmp_path), start_runtime=False)
    broken = APIRouter()

    @broken.get("/intake/api/broken")
    def fail() -> dict:
        raise RuntimeError("IntegrityError: UNIQUE constraint failed: secret_table.column")

    intake.include_router(broken)
    intake_port, gateway_port = free_port(), free_port()
    servers = [serve(intake, intake_port)]
    gateway = create_gateway(
        Settings(service="gateway", data_dir=tmp_path), {"intake": f"http://127.0.0.1:{intake_port}"}
    )
    servers.append(serve(gateway, gateway_port))
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{gateway_port}", timeout=10) as client:
            failed = client.get("/intake/api/broken")
            assert failed.status_code == 500 and failed.headers["content-type"] == "application/problem+json"
            assert failed.json()["reason"] == "internal_error" and "UNIQUE" not in failed.text
            statuses = [client.get("/intake/livez").status_code for _ in range(20)]
            assert statuses == [200] * 20
    finally:
        for server in servers:
            server.should_exit = True
