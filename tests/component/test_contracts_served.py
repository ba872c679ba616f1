"""The AsyncAPI document is served by the one origin at /contracts/asyncapi.json, the same document
`shishi contracts export` commits, with a viewer page at /contracts/ built from vendored files only."""

from __future__ import annotations

import json
import re
from pathlib import Path

from fastapi.testclient import TestClient

from services.gateway.main import create_gateway
from shared.config import Settings
from shared.web.docs_pages import ASYNCAPI_VIEWER_CSP

COMMITTED = Path(__file__).resolve().parents[2] / "shared" / "contracts" / "schema" / "asyncapi.json"


def test_the_document_and_its_viewer_are_served_from_the_origin(tmp_path: Path) -> None:
    gateway = create_gateway(Settings(service="gateway", data_dir=tmp_path), {})
    with TestClient(gateway) as client:
        document = client.get("/contracts/asyncapi.json")
        assert document.status_code == 200 and document.headers["content-type"] == "application/json"
        assert document.json() == json.loads(COMMITTED.read_text())
        assert document.json()["asyncapi"] == "3.1.0"

        page = client.get("/contracts/")
        assert page.status_code == 200 and page.headers["content-security-policy"] == ASYNCAPI_VIEWER_CSP
        assert '"url": "/contracts/asyncapi.json"' in page.text
        assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assert assets and all(a.startswith("/static/vendor/") for a in assets), assets  # no other host
        for asset in assets:
            assert client.get(asset).status_code == 200, asset
        assert client.get("/contracts", follow_redirects=False).headers["location"] == "/contracts/"

        home = client.get("/").text
        assert 'href="/contracts/"' in home and 'href="/intake/open311/v2/discovery.json"' in home
