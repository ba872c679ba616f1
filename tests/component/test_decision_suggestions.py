"""Intake's project suggestions (merged demands) reach decision's pool over the inbound handler,
exactly once, and a candidate drafted from one keeps every original demand (lineage)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

from services.decision.inbound.handlers import POLICIES
from shared.bus.messages import Delivered
from shared.contracts import intake as i
from shared.contracts.envelope import Actor, Envelope
from shared.persistence.application import Inbound
from tests.component.decision_flow import COUNTY, Flow


def delivered(payload: i.SuggestionRaised | i.SuggestionSplit) -> Delivered:
    now = datetime(2026, 3, 1, tzinfo=UTC)
    env = Envelope(
        event_id=uuid4(),
        type=payload.type_name(),
        schema_version=payload.SCHEMA_VERSION,
        county=COUNTY,
        occurred_at=now,
        recorded_at=now,
        actor=Actor(role="congress_staff", id="staff-1"),
        payload=payload.model_dump(mode="json"),
    )
    return Delivered(env, payload)


def test_a_candidate_from_a_suggestion_keeps_its_demands(tmp_path: Path) -> None:
    flow = Flow(tmp_path)
    demands = [uuid4() for _ in range(4)]
    suggestion_id = uuid4()
    handle = POLICIES.handler(flow.app)
    raised = delivered(
        i.SuggestionRaised(
            suggestion_id=suggestion_id,
            title="老旧小区改造",
            category="housing",
            towns=["台城街道"],
            demand_ids=demands,
        )
    )
    split = delivered(
        i.SuggestionSplit(suggestion_id=suggestion_id, removed_demand_ids=demands[3:], remaining_demand_ids=demands[:3])
    )
    flow.app.process_batch([Inbound("INTAKE", 1, raised), Inbound("INTAKE", 2, split)], handle)
    flow.app.process_batch([Inbound("INTAKE", 1, raised)], handle)  # redelivered: no effect
    flow.sync()
    pool = flow.call("GET", f"/counties/{COUNTY}/suggestions")
    assert pool["total"] == 1 and pool["items"][0]["demand_ids"] == [str(d) for d in demands[:3]]
    own = flow.pooled_demands(1)
    c = flow.call(
        "POST",
        f"/counties/{COUNTY}/candidates",
        "gov_unit",
        expect=201,
        json={
            "year": 2026,
            "name": "老旧小区改造",
            "content": "改造",
            "implementing_body": "县住建局",
            "investment": "3000000",
            "deadline": "2026-12-31",
            "suggestion_ids": [str(suggestion_id)],
            "demand_ids": own,
        },
    )
    assert c["demand_ids"] == [*own, *[str(d) for d in demands[:3]]] and c["suggestion_ids"] == [str(suggestion_id)]
    assert flow.call("GET", f"/counties/{COUNTY}/suggestions")["total"] == 0
    again = flow.client.post(
        f"/decision/api/counties/{COUNTY}/candidates",
        headers=flow.headers("gov_unit"),
        json={
            "year": 2026,
            "name": "重复",
            "content": "改造",
            "implementing_body": "县住建局",
            "investment": "1",
            "deadline": "2026-12-31",
            "suggestion_ids": [str(suggestion_id)],
        },
    )
    assert again.status_code == 409 and "already part of candidate" in again.json()["detail"]
    nothing = flow.client.post(
        f"/decision/api/counties/{COUNTY}/candidates",
        headers=flow.headers("gov_unit"),
        json={
            "year": 2026,
            "name": "无来源",
            "content": "改造",
            "implementing_body": "县住建局",
            "investment": "1",
            "deadline": "2026-12-31",
        },
    )
    assert nothing.status_code == 422 and nothing.json()["reason"] == "lineage_required"
