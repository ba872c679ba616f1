"""Open311 GeoReport v2 at /intake/open311/v2/: the read calls through the `georeport` PyPI
client against a real HTTP server; POST requests (form-encoded, api_key) written against the
published spec (http://wiki.open311.org/GeoReport_v2)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
import uvicorn
from georeport import GeoReport

from services.intake.main import create_app
from shared.auth import issue_token
from shared.bus.server import free_port
from shared.config import Settings

COUNTY = "440781"


class Open311Server:
    def __init__(self, tmp_path: Path) -> None:
        self.settings = Settings(service="intake", data_dir=tmp_path)
        self.api = create_app(self.settings, start_runtime=False)
        self.api.state.clock.set(lambda: datetime(2025, 6, 1, 10, tzinfo=UTC))
        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(self.api, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.root = f"http://127.0.0.1:{self.port}/intake/open311/v2"

    def __enter__(self) -> Open311Server:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def key(self, role: str = "resident", county: str = COUNTY) -> str:
        return issue_token(self.settings.resolved_jwt_secret(), subject=f"app-{role}", roles=[role], counties=[county])

    def post(self, **fields: str) -> requests.Response:
        form = {
            "jurisdiction_id": COUNTY,
            "api_key": self.key(),
            "service_code": "roads",
            "description": "环市路路面坑洼",
            "lat": "22.25",
            "long": "112.79",
            "attribute[town]": "台城街道",
            "first_name": "小明",
            "last_name": "王",
            "phone": "13600002222",
            **fields,
        }
        form = {k: v for k, v in form.items() if v is not None}
        response = requests.post(f"{self.root}/requests.json", data=form, timeout=10)
        self.api.state.runtime.updater.catch_up()
        return response


@pytest.fixture
def open311(tmp_path: Path) -> Iterator[Open311Server]:
    with Open311Server(tmp_path) as server:
        yield server


def test_discovery_services_and_definitions_through_the_georeport_client(open311: Open311Server) -> None:
    discovery = requests.get(f"{open311.root}/discovery.json", timeout=10).json()
    assert discovery["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    client = GeoReport(open311.root, jurisdiction=COUNTY)
    services = client.get_service_list()
    assert {s["service_code"] for s in services} >= {"roads", "water", "housing", "elderly"}
    roads = next(s for s in services if s["service_code"] == "roads")
    assert roads["service_name"] == "道路交通" and roads["metadata"] is True and roads["type"] == "realtime"
    definition = client.get_service_definition("roads")
    assert definition["service_code"] == "roads" and definition["attributes"][0]["code"] == "town"
    assert definition["attributes"][0]["required"] is True
    with pytest.raises(requests.HTTPError):
        client.get_service_definition("unicorns")


def test_post_then_read_back_through_the_client(open311: Open311Server) -> None:
    created = open311.post()
    assert created.status_code == 200, created.text
    [receipt] = created.json()
    request_id, token = receipt["service_request_id"], receipt["token"]
    open311.post(service_code="water", description="小区停水三天")
    client = GeoReport(open311.root, jurisdiction=COUNTY)
    everything = client.get_service_requests()
    assert len(everything) == 2
    roads = client.get_service_requests(service_code="roads")
    assert [r["service_request_id"] for r in roads] == [request_id]
    one = client.get_service_request(request_id)
    assert one["status"] == "open" and one["status_notes"].startswith("received")
    assert one["description"] == "环市路路面坑洼" and one["address"] == "台城街道"
    assert "13600002222" not in str(everything) and "王" not in str(one)  # contact details never published
    assert client.get_service_requests(status="closed") == []
    assert len(client.get_service_requests(status="open")) == 2
    assert client.get_service_requests(start_date="2024-01-01T00:00:00Z", end_date="2024-02-01T00:00:00Z") == []
    by_token = requests.get(f"{open311.root}/tokens/{token}.json", timeout=10).json()
    assert by_token == [{"service_request_id": request_id, "token": token}]
    # the resident follows it with the token as their tracking code
    track = requests.get(f"http://127.0.0.1:{open311.port}/intake/api/track/{token}", timeout=10).json()
    assert track["channel"] == "open311"


def test_closed_demand_is_closed_with_our_status_in_notes(open311: Open311Server) -> None:
    [receipt] = open311.post().json()
    staff = {
        "authorization": "Bearer "
        + issue_token(open311.settings.resolved_jwt_secret(), subject="s", roles=["congress_staff"], counties=[COUNTY])
    }
    url = f"http://127.0.0.1:{open311.port}/intake/api/demands/{receipt['service_request_id']}/close"
    assert requests.post(url, json={"text": "已修复"}, headers=staff, timeout=10).status_code == 200
    open311.api.state.runtime.updater.catch_up()
    one = GeoReport(open311.root, jurisdiction=COUNTY).get_service_request(receipt["service_request_id"])
    assert one["status"] == "closed" and one["status_notes"] == "closed"


@pytest.mark.parametrize(
    ("fields", "code", "words"),
    [
        ({"api_key": None}, 403, "api_key"),
        ({"api_key": "not-a-token"}, 403, "api_key"),
        ({"jurisdiction_id": "440703"}, 403, "jurisdiction"),  # key of another county
        ({"jurisdiction_id": None}, 400, "jurisdiction_id"),
        ({"service_code": "unicorns"}, 400, "service_code"),
        ({"description": None}, 400, "description"),
        ({"attribute[town]": None}, 400, "town"),
        ({"lat": None, "long": None}, 400, "location"),
        ({"lat": "north"}, 400, "lat"),
    ],
)
def test_bad_posts_get_spec_errors(open311: Open311Server, fields: dict, code: int, words: str) -> None:
    response = open311.post(**fields)
    assert response.status_code == code
    [error] = response.json()
    assert error["code"] == code and words in error["description"]


def test_read_calls_need_a_jurisdiction_and_know_unknown_ids(open311: Open311Server) -> None:
    r = requests.get(f"{open311.root}/requests.json", timeout=10)
    assert r.status_code == 400 and r.json()[0]["code"] == 400
    assert requests.get(f"{open311.root}/requests/nope.json", timeout=10).status_code == 404
    assert requests.get(f"{open311.root}/tokens/ZZZZZZZZZZ.json", timeout=10).status_code == 404
    r = requests.get(
        f"{open311.root}/requests.json",
        params={"jurisdiction_id": COUNTY, "start_date": "2024-01-01T00:00:00Z", "end_date": "2024-06-01T00:00:00Z"},
        timeout=10,
    )
    assert r.status_code == 400 and "90 days" in r.json()[0]["description"]
