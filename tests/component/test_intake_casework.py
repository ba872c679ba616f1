"""Intake's casework through its HTTP API on a real SQLite store (no NATS needed): triage and
routing by the county's versioned rules, automatic escalation, the 24-hour warning with a moved
clock, stranded demands, merge and split with lineage on the tracking page, duplicates, the
deputy inbox and micro-wishes, and county isolation of every list."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.fixtures.service import InProcessService

A, B = "440781", "440703"
T0 = datetime(2025, 3, 1, 9, tzinfo=UTC)


class Desk(InProcessService):
    """Intake in this process at the desk of a county's staff, with a clock the test moves."""

    def __init__(self, tmp_path: Path) -> None:
        super().__init__("intake", tmp_path, county=A, now=T0)

    def submit(self, text: str = "下水道堵塞，污水外溢", town: str = "台城街道", category: str = "water", **kw) -> dict:
        body = {"county": A, "town": town, "category": category, "text": text, **kw}
        return self.call("POST", "/intake/api/demands", None, json=body, expect=201)

    def post(self, path: str, body: dict, role: str = "congress_staff", county: str = A) -> dict:
        return self.call("POST", path, role, county=county, json=body)

    def get(self, path: str, role: str = "congress_staff", county: str = A) -> dict:
        return self.call("GET", path, role, county=county, expect=200)


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    d = Desk(tmp_path)
    yield d
    d.client.close()


def test_micro_item_revised_above_the_cap_is_escalated_with_reason_and_rule_version(desk: Desk) -> None:
    demand = desk.submit("小区道路破损，需要整体重铺", category="roads")
    routed = desk.post(
        f"/intake/api/demands/{demand['id']}/triage", {"kind": "common", "scope": "community", "estimate": 80_000}
    )
    assert routed["tier"] == "micro" and routed["rules_version"] == 1
    # the county raises nothing; the estimate grows past the 100,000 CNY cap
    revised = desk.post(
        f"/intake/api/demands/{demand['id']}/assessment",
        {"scope": "community", "estimate": 130_000, "reason": "施工方复核后的估算"},
    )
    assert revised["tier"] == "major" and revised["status"] == "escalated"
    last = revised["timeline"][-1]
    assert last["stage"] == "escalated" and "micro → major" in last["title"] and "100000" in last["detail"]
    # a county that raises its cap to 200,000 CNY decides under version 2
    desk.client.put(
        f"/intake/api/counties/{A}/rules",
        headers=desk.auth("congress_staff"),
        json={"changes": {"micro_project_cap": 200_000}, "reason": "县人大常委会决定"},
    )
    other = desk.submit("村道硬化", category="roads")
    again = desk.post(
        f"/intake/api/demands/{other['id']}/triage", {"kind": "common", "scope": "town", "estimate": 150_000}
    )
    assert again["tier"] == "micro" and again["rules_version"] == 2


def test_wish_that_turns_out_to_be_a_community_problem_is_escalated(desk: Desk) -> None:
    demand = desk.submit("想给家里老人装扶手", category="elderly")
    assert (
        desk.post(
            f"/intake/api/demands/{demand['id']}/triage",
            {"kind": "micro_wish", "scope": "household", "estimate": 1_500},
        )["tier"]
        == "micro_wish"
    )
    moved = desk.post(
        f"/intake/api/demands/{demand['id']}/assessment",
        {"scope": "community", "estimate": 1_500, "reason": "整栋楼老人都需要"},
    )
    assert moved["tier"] == "micro" and moved["status"] == "escalated"


def test_unanswered_consultation_raises_a_warning_after_24_hours_and_tops_the_queue(desk: Desk) -> None:
    old = desk.submit("一般诉求", category="roads")
    consult = desk.submit("请问老旧小区加装电梯如何申请补贴？", category="housing")
    desk.post(f"/intake/api/demands/{consult['id']}/triage", {"kind": "consultation", "scope": "household"})
    desk.now = T0 + timedelta(hours=23)
    assert desk.post(f"/intake/api/counties/{A}/deadlines/check", {})["warned"] == []
    desk.now = T0 + timedelta(hours=25)
    newer = desk.submit("新的诉求", category="roads")
    assert desk.post(f"/intake/api/counties/{A}/deadlines/check", {})["warned"] == [consult["id"]]
    assert desk.post(f"/intake/api/counties/{A}/deadlines/check", {})["warned"] == []  # once
    listed = desk.get(f"/intake/api/counties/{A}/demands")
    assert [d["id"] for d in listed["items"]] == [consult["id"], newer["id"], old["id"]]
    assert listed["items"][0]["overdue"] and listed["counts"]["overdue"]["overdue"] == 1
    detail = desk.get(f"/intake/api/demands/{consult['id']}")
    assert [e["stage"] for e in detail["timeline"]][-1] == "overdue"


def test_stranded_view_lists_demands_idle_for_more_than_n_days(desk: Desk) -> None:
    idle = desk.submit("路灯坏了很久", category="roads")
    desk.now = T0 + timedelta(days=10)
    moving = desk.submit("新问题", category="roads")
    desk.now = T0 + timedelta(days=15)
    view = desk.get(f"/intake/api/counties/{A}/stranded")
    assert [d["id"] for d in view["items"]] == [idle["id"]] and view["items"][0]["stranded"] == "no_owner"
    assert view["stranded_days"] == 14
    assert moving["id"] not in {d["id"] for d in view["items"]}


def test_merge_then_split_keeps_lineage_and_the_resident_sees_it(desk: Desk) -> None:
    a = desk.submit("3栋屋顶漏水", category="housing")
    b = desk.submit("小区下水道经常堵", category="housing")
    c = desk.submit("楼道没有照明", category="housing")
    merged = desk.post(
        f"/intake/api/counties/{A}/suggestions",
        {"title": "台城街道老旧小区改造", "demand_ids": [a["id"], b["id"], c["id"]]},
        role="gov_unit",
    )
    track = desk.client.get(f"/intake/api/track/{a['tracking_code']}").json()
    assert track["status"] == "merged" and track["merged_into"] == merged["id"]
    assert track["timeline"][-1]["stage"] == "merged" and track["timeline"][-1]["title"] == "台城街道老旧小区改造"
    page = desk.client.get(f"/intake/track/{a['tracking_code']}").text
    assert "台城街道老旧小区改造" in page and "已并入建议" in page
    split = desk.post(
        f"/intake/api/suggestions/{merged['id']}/split",
        {"demand_ids": [c["id"]], "new_title": "楼道照明改造", "reason": "照明单独立项"},
    )
    assert split["demand_ids"] == [a["id"], b["id"]] and split["new_suggestion"]["demand_ids"] == [c["id"]]
    old = desk.get(f"/intake/api/suggestions/{merged['id']}")
    assert [h["action"] for h in old["history"]] == ["raised", "split"]
    new = desk.get(f"/intake/api/suggestions/{split['new_suggestion']['id']}")
    assert new["split_from"] == merged["id"]
    c_track = desk.client.get(f"/intake/api/track/{c['tracking_code']}").json()
    assert [e["stage"] for e in c_track["timeline"]] == ["submitted", "merged", "split", "merged"]
    assert c_track["merged_into"] == new["id"]
    # split back to the queue: the demand is routable again, its history intact
    desk.post(f"/intake/api/suggestions/{merged['id']}/split", {"demand_ids": [b["id"]], "reason": "个性问题"})
    b_doc = desk.get(f"/intake/api/demands/{b['id']}")
    assert b_doc["merged_into"] is None and [e["stage"] for e in b_doc["timeline"]][-2:] == ["merged", "split"]


def test_duplicates_are_suggested_and_linked_in_one_action(desk: Desk) -> None:
    first = desk.submit("环市路路面坑洼，雨天积水严重", category="roads")
    second = desk.submit("环市路路面坑洼严重，雨天积水", category="roads")
    third = desk.submit("环市路路面坑洼，雨天积水严重！", category="roads")
    desk.submit("环市路路面坑洼，雨天积水严重", category="roads", town="大江镇")  # another town
    found = desk.get(f"/intake/api/demands/{first['id']}/duplicates")
    assert {d["id"] for d in found["items"]} == {second["id"], third["id"]}
    linked = desk.post(f"/intake/api/demands/{first['id']}/duplicates", {"duplicate_ids": [second["id"], third["id"]]})
    assert set(linked["duplicates"]) == {second["id"], third["id"]}
    assert desk.client.get(f"/intake/api/track/{second['tracking_code']}").json()["duplicate_of"] == first["id"]


def test_deputy_inbox_and_micro_wish_claim_fund_fulfil_visit(desk: Desk) -> None:
    desk.client.put(
        f"/intake/api/counties/{A}/rules",
        headers=desk.auth("congress_staff"),
        json={"changes": {"deputy_areas": {"大江镇": ["deputy-li"]}}, "reason": "代表联系片区"},
    )
    mine = desk.submit("村里小学门口需要减速带", town="大江镇", category="safety")
    desk.submit("别的镇的诉求", town="水步镇", category="roads")
    li = desk.auth("deputy", subject="deputy-li")
    inbox = desk.client.get(f"/intake/api/counties/{A}/inbox", headers=li).json()
    assert [d["id"] for d in inbox["items"]] == [mine["id"]]
    r = desk.client.post(
        f"/intake/api/demands/{mine['id']}/deputy-action", headers=li, json={"action": "accept", "note": "我来跟进"}
    )
    assert r.status_code == 200 and r.json()["owner"] == "deputy:deputy-li"
    other = desk.auth("deputy", subject="deputy-wang")
    r = desk.client.post(f"/intake/api/demands/{mine['id']}/deputy-action", headers=other, json={"action": "accept"})
    assert r.status_code == 409  # not in wang's inbox
    desk.catch_up()
    answered = desk.client.post(
        f"/intake/api/demands/{mine['id']}/deputy-action",
        headers=li,
        json={"action": "answer", "note": "已联系交通部门，下周安装"},
    ).json()
    assert answered["status"] == "replied"
    wish = desk.submit("孩子想参加暑期研学", town="大江镇", category="education")
    desk.post(f"/intake/api/demands/{wish['id']}/triage", {"kind": "micro_wish", "scope": "household", "estimate": 800})
    assert [w["id"] for w in desk.get(f"/intake/api/counties/{A}/wishes")["items"]] == [wish["id"]]
    steps = [
        {"step": "claimed"},
        {"step": "funded", "source": "social_donor", "amount": "800"},
        {"step": "fulfilled", "note": "已参加研学"},
        {"step": "visited", "satisfaction": "satisfied"},
    ]
    for body in steps:
        r = desk.client.post(f"/intake/api/demands/{wish['id']}/wish", headers=li, json=body)
        assert r.status_code == 200, r.text
    done = r.json()
    assert done["status"] == "closed" and done["wish"]["funded"]["source"] == "social_donor"
    assert done["wish"]["visited"]["satisfaction"] == "satisfied"


def test_county_b_staff_cannot_see_county_a(desk: Desk) -> None:
    demand = desk.submit()
    b = desk.auth("congress_staff", B)
    for path in ["demands", "stranded", "suggestions", "wishes", "rules", "deadletters"]:
        r = desk.client.get(f"/intake/api/counties/{A}/{path}", headers=b)
        assert r.status_code == 403 and r.json()["reason"] == "county_forbidden", path
    assert desk.client.get(f"/intake/api/counties/{A}/inbox", headers=desk.auth("deputy", B)).status_code == 403
    for path in ["", "/duplicates"]:
        assert desk.client.get(f"/intake/api/demands/{demand['id']}{path}", headers=b).status_code == 404
    r = desk.client.post(
        f"/intake/api/demands/{demand['id']}/triage", headers=b, json={"kind": "common", "scope": "town", "estimate": 1}
    )
    assert r.status_code == 404
    r = desk.client.post(
        f"/intake/api/counties/{A}/suggestions", headers=b, json={"title": "越权合并", "demand_ids": [demand["id"]]}
    )
    assert r.status_code == 403
    # and B's own merge cannot take A's demand
    r = desk.client.post(
        f"/intake/api/counties/{B}/suggestions", headers=b, json={"title": "越权合并", "demand_ids": [demand["id"]]}
    )
    assert r.status_code == 409
    page = desk.client.get(f"/intake/queue?county={A}", cookies={"shishi_token": b["authorization"][7:]})
    assert page.status_code == 403 and demand["tracking_code"] not in page.text


def test_bad_input_gets_a_problem_with_a_reason(desk: Desk) -> None:
    demand = desk.submit()
    staff = desk.auth("congress_staff")
    r = desk.client.post(
        f"/intake/api/demands/{demand['id']}/triage", headers=staff, json={"kind": "gossip", "scope": "town"}
    )
    assert r.status_code == 422 and r.json()["reason"] == "invalid_request"
    r = desk.client.post(
        f"/intake/api/demands/{demand['id']}/assessment",
        headers=staff,
        json={"scope": "town", "estimate": 5, "reason": "先评估"},
    )
    assert r.status_code == 409 and "not been routed" in r.json()["detail"]
    r = desk.client.post(
        f"/intake/api/demands/{demand['id']}/triage",
        headers=desk.auth("auditor"),
        json={"kind": "common", "scope": "town"},
    )
    assert r.status_code == 403
