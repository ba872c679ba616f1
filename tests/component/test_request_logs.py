"""One structured JSON log line per request, with the correlation id bound once."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from services.intake.main import create_app
from shared.config import Settings


def test_one_json_line_per_request_with_correlation_id(tmp_path: Path) -> None:
    log = tmp_path / "intake.log"
    client = TestClient(create_app(Settings(service="intake", data_dir=tmp_path, log_file=log), start_runtime=False))
    r = client.post(
        "/intake/api/demands",
        headers={"x-correlation-id": "corr-123"},
        json={"county": "440781", "town": "台城街道", "category": "roads", "text": "路面坑洼"},
    )
    assert r.status_code == 201 and r.headers["x-correlation-id"] == "corr-123"
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    requests = [line for line in lines if line["event"] == "request"]
    assert len(requests) == 1
    assert requests[0]["correlation_id"] == "corr-123" and requests[0]["status"] == 201
    assert requests[0]["county"] == "440781"
    assert requests[0]["service"] == "intake" and requests[0]["path"] == "/intake/api/demands"
