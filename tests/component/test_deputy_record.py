"""A deputy's record of duty (履职档案), assembled on the gateway from the four services' own
read-only routes, each service in this process: demands received and what became of them,
receptions attended, groups, inspections and findings, suggestions and micro projects, and the
votes and ratings as attendance only — the deputy's ballot choices appear nowhere in it, neither
in its JSON nor on its page nor in its PDF."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

from services.gateway.http.duty_pages import make_duty_router
from shared.ballots import blind
from shared.contracts import decision as d
from shared.contracts import supervision as s
from tests.component.decision_flow import Flow
from tests.fixtures.ballots import cast as cast_ballot
from tests.fixtures.ballots import credential
from tests.fixtures.gateway import UPSTREAMS, Services, gateway
from tests.fixtures.pdf import font_rows, text_of
from tests.fixtures.service import InProcessService

COUNTY = "440781"
ME, ABSENT = "deputy-000", "deputy-004"
MARKS = {"yes", "no", "abstain", "satisfied", "basically_satisfied", "unsatisfied"}
SECRET_KEYS = {
    "marks",
    "choice",
    "choices",
    "receipt",
    "token",
    "ballot_token",
    "ballots",
    "tally",
    "counts",
    "verdict",
}


@pytest.fixture
def county(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """A year of one deputy's work, in all four services."""
    # intake: the registry, a station, a demand through the deputy's code, a reception attended
    intake = InProcessService("intake", tmp_path / "intake", now=datetime(2026, 3, 1, 2, tzinfo=UTC))
    for n in range(5):
        body = {"deputy_id": f"deputy-{n:03d}", "name": f"代表{n}", "level": "county", "town": "台城街道"}
        intake.call("POST", f"/counties/{COUNTY}/deputies", json=body, expect=201)
    station = intake.call(
        "POST",
        f"/counties/{COUNTY}/stations",
        json={
            "name": "台城联络站",
            "town": "台城街道",
            "address": "环北大道1号",
            "hours": "每周三晚",
            "deputy_ids": [ME],
        },
        expect=201,
    )
    demand = {"county": COUNTY, "channel": "qr_code", "deputy_id": ME, "town": "台城街道", "category": "roads"}
    intake.call("POST", "/intake/api/demands", None, json={**demand, "text": "路灯不亮"}, expect=201)
    night = intake.call(
        "POST",
        f"/stations/{station['id']}/receptions",
        json={"kind": "night_chat", "starts_at": "2026-03-01T09:00:00+08:00", "ends_at": "2026-03-01T11:00:00+08:00"},
        expect=201,
    )
    intake.call("POST", f"/receptions/{night['id']}/attendance", json={"present": [ME]})

    # decision: a micro project proposed, a vote session attended, ballots cast
    decision = Flow(tmp_path / "decision")
    decision.call(
        "POST",
        f"/counties/{COUNTY}/micro-projects",
        "deputy",
        subject=ME,
        expect=201,
        json={
            "year": 2026,
            "town": "台城街道",
            "name": "台城街道路灯修复",
            "content": "更换路灯",
            "implementing_body": "台城街道办事处",
            "investment": "30000",
            "deadline": "2026-09-30",
            "demand_ids": decision.pooled_demands(1),
        },
    )
    list_id, candidates = decision.adopted_list(3, year=2026)
    session_id, _roll = decision.session(list_id, roll=5, year=2026)
    tokens = [decision.check_in(session_id, f"deputy-{n:03d}") for n in range(4)]  # deputy-004 stays away
    decision.call("POST", f"/sessions/{session_id}/votes", expect=201, json={"seats": 2})
    cast = [
        decision.cast(
            session_id, token, {c: ("yes" if k in (n % 3, (n + 1) % 3) else "no") for k, c in enumerate(candidates)}
        )
        for n, token in enumerate(tokens)
    ]
    decision.call("POST", f"/sessions/{session_id}/close")

    # supervision: a group served on, an inspection recorded, its finding closed
    supervision = InProcessService("supervision", tmp_path / "supervision", now=datetime(2026, 3, 5, 2, tzinfo=UTC))
    project_id = uuid4()
    supervision.deliver(
        d.ProjectAdopted(
            project_id=project_id,
            candidate_id=uuid4(),
            year=2026,
            tier="major",
            name="台城道路改造",
            content="内容",
            implementing_body="县交通局",
            investment=Decimal("900000"),
            deadline=date(2026, 12, 31),
            demand_ids=[uuid4()],
        ),
        at=datetime(2026, 1, 20, tzinfo=UTC),
    )
    group = {
        "deputies": [{"id": f"deputy-{n:03d}", "name": f"代表{n}"} for n in range(3)],
        "residents": [{"id": "resident-1", "name": "居民代表"}],
    }
    supervision.call("POST", f"/supervision/api/projects/{project_id}/group", json=group)
    seen = supervision.call(
        "POST",
        f"/supervision/api/projects/{project_id}/inspections",
        "deputy",
        subject=ME,
        expect=201,
        json={"inspected_on": "2026-03-04", "location": "环城路", "findings": [{"text": "路面开裂"}]},
    )
    (finding,) = seen["finding_ids"]
    base = f"/supervision/api/projects/{project_id}/findings/{finding}"
    supervision.call("POST", f"{base}/assign", json={"unit": "县交通局"})
    supervision.call("POST", f"{base}/answer", "gov_unit", json={"answer": "已修补"})
    supervision.call("POST", f"{base}/review", "deputy", subject=ME, json={"accepted": True})

    # evaluation: a rating round attended, a ballot cast
    evaluation = InProcessService(
        "evaluation",
        tmp_path / "evaluation",
        now=datetime(2026, 1, 10, 2, tzinfo=UTC),
        tracking=lambda code, **_: None,
    )
    rated = uuid4()
    evaluation.deliver(
        s.ProjectCompleted(
            project_id=rated,
            year=2025,
            tier="major",
            name="长者饭堂",
            completed_on=date(2025, 10, 1),
            deadline=date(2025, 11, 30),
            planned_investment=Decimal("90000"),
            spent=Decimal("85000"),
            demand_ids=[],
        ),
        at=datetime(2025, 10, 1, tzinfo=UTC),
    )
    rnd = evaluation.call(
        "POST",
        f"/counties/{COUNTY}/rounds",
        expect=201,
        json={"session_year": 2026, "rated_year": 2025, "session_closes_on": "2026-01-15"},
    )
    vote = f"/evaluation/api/rounds/{rnd['id']}"
    evaluation.call("POST", f"/rounds/{rnd['id']}/check-in", "deputy", subject=ME)
    held = credential(evaluation.client, vote, evaluation.auth("deputy", subject=ME))
    evaluation.call("POST", f"/rounds/{rnd['id']}/start")
    answer, kept = cast_ballot(evaluation.client, vote, held, {str(rated): "unsatisfied"})
    assert answer.status_code == 201, answer.text
    evaluation.call("POST", f"/rounds/{rnd['id']}/close")

    apps = {
        "intake": intake.api,
        "decision": decision.api,
        "supervision": supervision.api,
        "evaluation": evaluation.api,
    }
    origin = gateway(intake.settings, make_duty_router(UPSTREAMS, transport=Services(apps)))
    proofs = [blind.b64url_encode(c.msg) for c in [*tokens, held]] + [blind.b64url_encode(c.sig) for c in tokens]
    secrets = {*candidates, *proofs, kept, *(c["kept"] for c in cast)}
    with TestClient(origin) as client:
        yield {"client": client, "decision": decision, "secrets": secrets, "project_id": str(project_id)}


def strings_and_keys(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield f"key:{k}"
            yield from strings_and_keys(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings_and_keys(v)
    elif isinstance(value, str):
        yield value


def test_the_record_of_duty_gathers_a_year_from_every_service(county: dict[str, Any]) -> None:
    r = county["client"].get(f"/deputies/api/{COUNTY}/{ME}", params={"year": 2026})
    assert r.status_code == 200, r.text
    record = r.json()
    assert record["available"] == {"intake": True, "decision": True, "supervision": True, "evaluation": True}
    assert record["deputy"]["name"] == "代表0" and "phone" not in record["deputy"]
    assert record["summary"] == {
        "demands": 1,
        "demands_done": 0,
        "receptions": 1,
        "inspections": 1,
        "findings": 1,
        "findings_closed": 1,
        "suggestions": 0,
        "micro_projects": 1,
        "wishes": 0,
        "sessions_attended": 1,
        "sessions_on_roll": 1,
        "ratings_attended": 1,
    }
    assert [(g["name"], g["project_id"]) for g in record["groups"]] == [("台城道路改造", county["project_id"])]
    assert record["findings"][0]["status"] == "closed" and record["micro_projects"][0]["name"] == "台城街道路灯修复"
    (vote,) = record["attendance"]["votes"]
    assert set(vote) == {"session_id", "name", "year", "level", "town", "date", "attended"} and vote["attended"] is True
    (rating,) = record["attendance"]["ratings"]
    assert set(rating) == {"round_id", "session_year", "rated_year", "date", "projects", "attended"}
    absent = county["client"].get(f"/deputies/api/{COUNTY}/{ABSENT}", params={"year": 2026}).json()
    assert absent["attendance"]["votes"][0]["attended"] is False and absent["attendance"]["ratings"] == []
    assert county["client"].get(f"/deputies/api/{COUNTY}/nobody", params={"year": 2026}).status_code == 404


def test_a_record_of_duty_carries_no_vote_choice(county: dict[str, Any], tmp_path: Path) -> None:
    client, secrets = county["client"], county["secrets"]
    # what decision answers itself, and the record assembled from all four
    own = county["decision"].call("GET", f"/counties/{COUNTY}/deputies/{ME}/duty", None, params={"year": 2026})
    record = client.get(f"/deputies/api/{COUNTY}/{ME}", params={"year": 2026}).json()
    for answer in (own, record):
        found = set(strings_and_keys(answer))
        assert not found & MARKS, found & MARKS  # no 赞成/反对/弃权, no 满意/基本满意/不满意 value
        assert not {k.removeprefix("key:") for k in found if k.startswith("key:")} & SECRET_KEYS
        assert not found & secrets  # no candidate voted for, no token, no receipt
        assert not any(secret in json.dumps(answer) for secret in secrets)
    page = client.get(f"/deputies/{COUNTY}/{ME}", params={"year": 2026})
    assert page.status_code == 200 and "代表0" in page.text and 'id="attendance-note"' in page.text
    pdf = client.get(f"/deputies/{COUNTY}/{ME}/record-2026.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    rows = font_rows(pdf.content, tmp_path)
    assert rows and all(row["emb"] == "yes" for row in rows), rows
    for text in (page.text, text_of(pdf.content, tmp_path)):
        assert "出席" in text
        for word in ("赞成", "反对", "弃权", "不满意", "基本满意"):
            assert word not in text, word
        assert not any(secret in text for secret in secrets)
