"""Micro projects (民生微实事 立办制): accept-or-decline within N days, the yearly town/street fund
never overspent, and a proposal over the cap escalated to intake as a project suggestion."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from services.decision.outbound.contracts import to_contracts
from tests.component.decision_flow import COUNTY, Flow


def proposal(flow: Flow, investment: str, town: str = "台城街道") -> dict:
    return {
        "year": 2026,
        "town": town,
        "name": "巷道修缮",
        "content": "修补路面",
        "implementing_body": "台城街道办事处",
        "investment": investment,
        "deadline": "2026-10-31",
        "demand_ids": flow.pooled_demands(1),
    }


def test_micro_deadline_fund_and_escalation(tmp_path: Path) -> None:
    flow = Flow(tmp_path)
    now = datetime(2026, 3, 1, 9, tzinfo=UTC)
    flow.api.state.clock.set(lambda: now)
    first = flow.call("POST", f"/counties/{COUNTY}/micro-projects", "deputy", expect=201, json=proposal(flow, "60000"))
    assert first["respond_by"] == "2026-03-08"  # default: 7 days to accept or decline
    second = flow.call("POST", f"/counties/{COUNTY}/micro-projects", "deputy", expect=201, json=proposal(flow, "50000"))
    flow.api.state.clock.set(lambda: now + timedelta(days=8))
    overdue = flow.call("GET", f"/counties/{COUNTY}/micro-projects?overdue=true")
    assert {d["id"] for d in overdue["items"]} == {first["id"], second["id"]}
    accepted = flow.call("POST", f"/micro-projects/{first['id']}/accept", "gov_unit", json={"reason": "街道承办"})
    assert accepted["status"] == "accepted"
    assert [d["id"] for d in flow.call("GET", f"/counties/{COUNTY}/micro-projects?overdue=true")["items"]] == [
        second["id"]
    ]

    # the town's yearly fund: 100,000 allocated; 60,000 + 50,000 would overspend it
    fund = flow.call(
        "POST",
        f"/counties/{COUNTY}/micro-funds",
        expect=201,
        json={"year": 2026, "town": "台城街道", "amount": "100000", "reason": "2026年预算"},
    )
    assert fund["balance"] == "100000"
    flow.call("POST", f"/micro-projects/{first['id']}/approve", json={"reason": "街道议事会通过"})
    refused = flow.client.post(
        f"/decision/api/micro-projects/{second['id']}/approve",
        headers=flow.headers("congress_staff"),
        json={"reason": "通过"},
    )
    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        "台城街道 2026 年微实事专项资金余额 40000 元，列支 50000 元将超支"
        " / the 2026 micro fund of 台城街道 has 40000 left; 50000 would overspend it"
    )
    funds = flow.call("GET", f"/counties/{COUNTY}/micro-funds?year=2026")["items"]
    assert (funds[0]["allocated"], funds[0]["committed"], funds[0]["balance"]) == ("100000", "60000", "40000")
    flow.call(
        "POST",
        f"/counties/{COUNTY}/micro-funds",
        expect=201,
        json={"year": 2026, "town": "台城街道", "amount": "20000", "reason": "追加"},
    )
    assert flow.call("POST", f"/micro-projects/{second['id']}/approve", json={"reason": "通过"})["status"] == "approved"

    # over the cap: escalated back to intake, with the reason, and the demand stays in the pool
    big = proposal(flow, "350000")
    escalated = flow.call("POST", f"/counties/{COUNTY}/micro-projects", "deputy", expect=202, json=big)
    assert escalated["status"] == "escalated" and "exceeds the micro-project cap 100000" in escalated["reason"]
    pool = flow.call("GET", f"/counties/{COUNTY}/pool")
    assert big["demand_ids"][0] in [d["id"] for d in pool["items"]]
    listed = {d["id"]: d for d in flow.call("GET", f"/counties/{COUNTY}/micro-projects")["items"]}
    assert listed[escalated["id"]]["status"] == "escalated"
    contracts = [
        c
        for n in flow.app.recorder.select_notifications(0, 10_000)
        for c in to_contracts(flow.app.mapper.to_domain_event(n))
    ]
    out = [c for c in contracts if c.type_name() == "decision.micro-escalated"]
    assert len(out) == 1 and str(out[0].demand_ids[0]) == big["demand_ids"][0] and out[0].cap == 100000


def test_a_county_can_require_a_fund(tmp_path: Path) -> None:
    flow = Flow(tmp_path)
    flow.call(
        "PUT", f"/counties/{COUNTY}/rules", json={"changes": {"micro_fund_required": True}, "reason": "常委会决定"}
    )
    micro = flow.call(
        "POST", f"/counties/{COUNTY}/micro-projects", "deputy", expect=201, json=proposal(flow, "30000", town="大江镇")
    )
    r = flow.client.post(
        f"/decision/api/micro-projects/{micro['id']}/approve",
        headers=flow.headers("congress_staff"),
        json={"reason": "通过"},
    )
    assert r.status_code == 409 and "no 2026 micro fund is allocated for 大江镇" in r.json()["detail"]
