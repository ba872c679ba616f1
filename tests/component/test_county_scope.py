"""Counties are isolated from day one: county A's staff get 403 on county B's lists and 404 on
its objects; a resident submits and follows a demand without an account."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from services.decision.main import create_app as decision_app
from services.intake.main import create_app as intake_app
from shared.auth import issue_token
from shared.config import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(service="intake", data_dir=tmp_path)


def bearer(settings: Settings, role: str, county: str) -> dict[str, str]:
    token = issue_token(settings.resolved_jwt_secret(), subject=f"{role}-{county}", roles=[role], counties=[county])
    return {"authorization": f"Bearer {token}"}


def test_intake_scope(settings: Settings) -> None:
    client = TestClient(intake_app(settings, start_runtime=False))
    created = client.post(
        "/intake/api/demands",
        json={
            "county": "440781",
            "town": "台城街道",
            "category": "water",
            "text": "下水道堵塞",
            "phone": "13800000000",
        },
    )
    assert created.status_code == 201
    demand_id, code = created.json()["id"], created.json()["tracking_code"]
    assert client.get(f"/intake/api/track/{code}").json()["text"] == "下水道堵塞"  # no account needed

    a_staff, b_staff = bearer(settings, "congress_staff", "440781"), bearer(settings, "congress_staff", "440703")
    assert client.get("/intake/api/counties/440781/demands", headers=a_staff).status_code == 200
    r = client.get("/intake/api/counties/440781/demands", headers=b_staff)
    assert r.status_code == 403 and r.json()["reason"] == "county_forbidden"
    assert client.get(f"/intake/api/demands/{demand_id}", headers=b_staff).status_code == 404
    detail = client.get(f"/intake/api/demands/{demand_id}", headers=a_staff).json()
    assert detail["contact"]["phone"] == "13800000000"
    # a deputy of the county sees the demand but not the resident's contact
    assert (
        "contact"
        not in client.get(f"/intake/api/demands/{demand_id}", headers=bearer(settings, "deputy", "440781")).json()
    )
    # no token: 401 on staff routes; a resident's token is not staff
    assert client.get("/intake/api/counties/440781/demands").status_code == 401
    assert (
        client.get("/intake/api/counties/440781/demands", headers=bearer(settings, "resident", "440781")).status_code
        == 403
    )
    # channels other than the public form need a token of that county
    station = {
        "county": "440781",
        "channel": "liaison_station",
        "town": "台城街道",
        "category": "roads",
        "text": "代居民反映：路灯不亮",
    }
    assert client.post("/intake/api/demands", json=station).status_code == 403
    assert (
        client.post("/intake/api/demands", json=station, headers=bearer(settings, "deputy", "440703")).status_code
        == 403
    )
    assert (
        client.post("/intake/api/demands", json=station, headers=bearer(settings, "deputy", "440781")).status_code
        == 201
    )


def test_decision_scope_and_read_only_roles(tmp_path: Path) -> None:
    settings = Settings(service="decision", data_dir=tmp_path)
    client = TestClient(decision_app(settings, start_runtime=False))
    assert (
        client.get(
            "/decision/api/counties/440781/pool", headers=bearer(settings, "congress_staff", "440703")
        ).status_code
        == 403
    )
    assert (
        client.get(
            "/decision/api/counties/440781/pool", headers=bearer(settings, "province_viewer", "4407*")
        ).status_code
        == 200
    )
    # an auditor reads but never writes
    r = client.put(
        "/decision/api/counties/440781/rules",
        json={"changes": {"micro_cap_cny": 50000}, "reason": "试行"},
        headers=bearer(settings, "auditor", "440781"),
    )
    assert r.status_code == 403
    ok = client.put(
        "/decision/api/counties/440781/rules",
        json={"changes": {"micro_cap_cny": 50000}, "reason": "县人大常委会决定"},
        headers=bearer(settings, "congress_staff", "440781"),
    )
    assert ok.status_code == 200 and ok.json()["version"] == 2
    assert (
        client.get("/decision/api/counties/440703/rules", headers=bearer(settings, "congress_staff", "440703")).json()[
            "version"
        ]
        == 1
    )


def test_problem_json_on_bad_input(settings: Settings) -> None:
    client = TestClient(intake_app(settings, start_runtime=False))
    r = client.post("/intake/api/demands", json={"county": "4407", "town": "", "category": "x", "text": ""})
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["reason"] == "invalid_request" and "county" in body["detail"]
    r = client.post(
        "/intake/api/demands",
        json={"county": "440781", "town": "台城街道", "category": "spaceships", "text": "问题描述"},
    )
    assert r.status_code == 422 and r.json()["reason"] == "unknown_category"
