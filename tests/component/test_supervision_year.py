"""A project's year in supervision, through the HTTP API with the clock moved by the test:
the 30-day plan and its escalation, cadence entries due and missed, findings reopened and
closed, change requests approved and rejected with the plan's history intact, the group, funds,
warnings resolved only with a reason, the sweep run twice, and a micro project on the same path."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from services.supervision.outbound.contracts import to_contracts
from shared.contracts import decision as d
from shared.contracts import supervision as c
from tests.fixtures.service import InProcessService

COUNTY = "440781"
PLAN = {
    "budget_lines": [
        {"code": "A", "name": "土建", "amount": "800000"},
        {"code": "B", "name": "设备", "amount": "200000"},
    ],
    "tasks": [
        {
            "id": "t1",
            "name": "管网改造",
            "unit": "住建局",
            "person": "张工",
            "due": "2026-09-30",
            "budget_line": "A",
            "budget": "800000",
        },
        {
            "id": "t2",
            "name": "加装电梯",
            "unit": "住建局",
            "person": "李工",
            "due": "2026-10-31",
            "budget_line": "B",
            "budget": "200000",
        },
    ],
    "milestones": [
        {"id": "m1", "name": "开工", "due": "2026-04-30", "target_pct": 20},
        {"id": "m2", "name": "主体完工", "due": "2026-10-31", "target_pct": 100},
    ],
}


class World(InProcessService):
    """Supervision in this process through a project's year: adopted projects arrive as decision publishes them."""

    def __init__(self, tmp: Path) -> None:
        super().__init__(
            "supervision", tmp, now=datetime(2026, 1, 15, 9, tzinfo=UTC), settings={"supervision_sweep_seconds": 0}
        )

    def auth(self, role: str, subject: str = "", county: str | None = COUNTY) -> dict[str, str]:
        return super().auth(role, county=county, subject=subject or f"{role}-1")

    def call(self, method: str, path: str, role: str, subject: str = "", status: int | None = None, **kw: Any) -> Any:
        return super().call(method, path, role, subject=subject or f"{role}-1", expect=status, **kw)

    def adopt(self, tier: str = "major", session: str = "2026-01-15", investment: str = "1000000") -> str:
        """decision.project-adopted arrives: the same handler the NATS consumer runs."""
        project_id = uuid4()
        payload = d.ProjectAdopted(
            project_id=project_id,
            candidate_id=uuid4(),
            year=2026,
            tier=tier,
            name=f"{tier}-{project_id.hex[:4]}",
            content="内容",
            implementing_body="住建局",
            investment=Decimal(investment),
            deadline=date(2026, 12, 31),
            demand_ids=[uuid4()],
        )
        self.deliver(payload, at=datetime.fromisoformat(session).replace(tzinfo=UTC))
        return str(project_id)

    def sweep(self, day: str) -> list[dict]:
        return self.call("POST", f"/counties/{COUNTY}/sweep", "congress_staff", params={"now": day})["actions"]


@pytest.fixture
def w(tmp_path: Path) -> World:
    return World(tmp_path)


def test_plan_deadline_warning_escalation_and_published_plan(w: World) -> None:
    pid = w.adopt(session="2026-01-15")
    assert w.sweep("2026-02-14") == []  # day 30: still in time
    assert [a["key"] for a in w.sweep("2026-02-15")] == ["plan_missing"]
    assert w.sweep("2026-02-15") == [] and w.sweep("2026-02-20") == []  # raised once, never again
    assert [(a["key"], a["action"]) for a in w.sweep("2026-03-02")] == [("plan_missing", "escalated")]
    w.catch_up()
    dash = w.call("GET", f"/counties/{COUNTY}/warnings", "congress_staff")
    assert dash["total"] == 1 and dash["escalated"] == 1 and dash["items"][0]["kind"] == "plan_missing"
    # the unit files late; the plan is on the public page and reported (plan-filed contract, late=True)
    w.at("2026-03-05")
    view = w.call("POST", f"/projects/{pid}/plan", "gov_unit", json=PLAN, status=201)
    assert view["plan"]["late"] is True and view["plan"]["due_on"] == "2026-02-14"
    assert [(a["key"], a["action"]) for a in w.sweep("2026-03-05")] == [("plan_missing", "cleared")]
    published = [
        x
        for n in w.app.recorder.select_notifications(1, 100)
        for x in to_contracts(w.app.mapper.to_domain_event(n))
        if isinstance(x, c.PlanFiled)
    ]
    assert len(published) == 1 and published[0].late and published[0].budget_total == Decimal("1000000")
    page = w.client.get(f"/supervision/projects/{pid}")
    assert page.status_code == 200 and "管网改造" in page.text and "张工" in page.text
    # a second filing is refused: changes go through a change request
    assert w.call("POST", f"/projects/{pid}/plan", "gov_unit", json=PLAN, status=409)["reason"] == "rule_violation"


def test_monthly_and_quarterly_reports_due_and_missed_and_resolution_needs_a_reason(w: World) -> None:
    pid = w.adopt()
    w.at("2026-02-10")
    w.call("POST", f"/projects/{pid}/plan", "gov_unit", json=PLAN, status=201)
    assert w.sweep("2026-03-05") == []
    assert [a["key"] for a in w.sweep("2026-03-06")] == ["entry_missing:2026-02"]
    w.at("2026-03-07")
    entry = w.call(
        "POST",
        f"/projects/{pid}/progress",
        "gov_unit",
        json={
            "period": "2026-02",
            "task_progress": {"t1": 10, "t2": 0},
            "spent_by_line": {"A": "50000", "B": "0"},
            "work_done": "管网勘察",
            "problems": "雨季",
            "note": "二月跟踪",
        },
    )
    assert entry["progress_pct"] == 8 and entry["spent"] == "50000"  # 800k*10% / 1,000k = 8%
    assert [(a["key"], a["action"]) for a in w.sweep("2026-03-07")] == [("entry_missing:2026-02", "cleared")]
    keys = {a["key"] for a in w.sweep("2026-04-11")}
    assert keys == {"entry_missing:2026-03", "quarterly_missing:2026Q1"}
    w.at("2026-04-12")
    w.call(
        "POST",
        f"/projects/{pid}/reports",
        "gov_unit",
        json={"kind": "quarterly", "period": "2026Q1", "text": "一季度进展"},
        status=201,
    )
    assert (
        w.call(
            "POST",
            f"/projects/{pid}/reports",
            "gov_unit",
            json={"kind": "quarterly", "period": "2026", "text": "x"},
            status=422,
        )["reason"]
        == "invalid_period"
    )
    assert ("quarterly_missing:2026Q1", "cleared") in {(a["key"], a["action"]) for a in w.sweep("2026-04-12")}
    # the missing March entry: resolved only with a reason, and not raised again afterwards
    r = w.call(
        "POST",
        f"/projects/{pid}/warnings/entry_missing:2026-03/resolve",
        "congress_staff",
        json={"reason": ""},
        status=422,
    )
    assert r["reason"] == "invalid_request"
    view = w.call(
        "POST",
        f"/projects/{pid}/warnings/entry_missing:2026-03/resolve",
        "congress_staff",
        json={"reason": "三月因疫情停工，经主任会议同意免报"},
    )
    resolved = next(x for x in view["warnings"] if x["key"] == "entry_missing:2026-03")
    assert resolved["status"] == "resolved" and resolved["resolution"].startswith("三月")
    assert "entry_missing:2026-03" not in {a["key"] for a in w.sweep("2026-04-13")}
    assert w.call(
        "POST", f"/projects/{pid}/warnings/entry_missing:2026-03/resolve", "gov_unit", json={"reason": "x"}, status=403
    )


def test_finding_reopened_then_closed_and_counts(w: World) -> None:
    pid = w.adopt()
    w.at("2026-02-10")
    w.call("POST", f"/projects/{pid}/plan", "gov_unit", json=PLAN, status=201)
    deputies = [{"id": f"dep-{i}", "name": f"代表{i}"} for i in range(2)]
    assert (
        w.call(
            "POST",
            f"/projects/{pid}/group",
            "congress_staff",
            json={"deputies": deputies, "residents": [{"id": "res-1", "name": "居民甲"}]},
            status=409,
        )["detail"]
        == "监督小组须有 3 至 5 名代表，现为 2 名 / a supervision group has 3 to 5 deputies, not 2"
    )
    deputies.append({"id": "dep-2", "name": "代表2"})
    w.call(
        "POST",
        f"/projects/{pid}/group",
        "congress_staff",
        json={"deputies": deputies, "residents": [{"id": "res-1", "name": "居民甲"}]},
    )
    # an outsider deputy may not inspect; a member may
    w.call(
        "POST",
        f"/projects/{pid}/inspections",
        "deputy",
        "dep-9",
        json={"inspected_on": "2026-03-01", "findings": [{"text": "x"}]},
        status=409,
    )
    r = w.call(
        "POST",
        f"/projects/{pid}/inspections",
        "deputy",
        "dep-0",
        status=201,
        json={
            "inspected_on": "2026-03-01",
            "location": "台城街道",
            "findings": [
                {
                    "text": "施工围挡缺失",
                    "severity": "high",
                    "location": "3号楼",
                    "photos": [{"name": "IMG_001.jpg", "size_bytes": 204800}],
                }
            ],
        },
    )
    fid = r["finding_ids"][0]
    w.call("POST", f"/projects/{pid}/findings/{fid}/assign", "congress_staff", json={"unit": "住建局"})
    w.call("POST", f"/projects/{pid}/findings/{fid}/answer", "gov_unit", json={"answer": "已补设围挡"})
    w.call("POST", f"/projects/{pid}/findings/{fid}/review", "deputy", "dep-1", json={"accepted": True}, status=409)
    w.call("POST", f"/projects/{pid}/findings/{fid}/review", "deputy", "dep-0", json={"accepted": False}, status=409)
    view = w.call(
        "POST",
        f"/projects/{pid}/findings/{fid}/review",
        "deputy",
        "dep-0",
        json={"accepted": False, "reason": "围挡仍有缺口"},
    )
    assert view["findings"][0]["status"] == "reopened" and view["finding_counts"] == {"found": 1, "solved": 0}
    w.call("POST", f"/projects/{pid}/findings/{fid}/answer", "gov_unit", json={"answer": "全部封闭"})
    view = w.call("POST", f"/projects/{pid}/findings/{fid}/review", "deputy", "dep-0", json={"accepted": True})
    assert view["findings"][0]["status"] == "closed" and view["finding_counts"] == {"found": 1, "solved": 1}
    assert [h["step"] for h in view["findings"][0]["history"]] == [
        "assigned",
        "answered",
        "reopened",
        "answered",
        "accepted",
    ]
    # roster change needs a reason and keeps the group within 3-5 deputies
    w.call(
        "POST",
        f"/projects/{pid}/group/roster",
        "congress_staff",
        json={"leave": ["dep-2"], "reason": "调离"},
        status=409,
    )
    view = w.call(
        "POST",
        f"/projects/{pid}/group/roster",
        "congress_staff",
        json={"leave": ["dep-2"], "join": [{"id": "dep-3", "name": "代表3"}], "reason": "代表2工作调动"},
    )
    assert [m["id"] for m in view["group"]["deputies"]] == ["dep-0", "dep-1", "dep-3"]
    assert view["group"]["history"][-1]["reason"] == "代表2工作调动"
    w.call(
        "POST",
        f"/projects/{pid}/inquiries",
        "congress_staff",
        status=201,
        json={
            "held_on": "2026-03-20",
            "topic": "进度滞后专题询问",
            "questions": [{"question": "为何滞后？", "answer": "雨季", "answered_by": "住建局局长"}],
            "follow_ups": ["4月底前报送赶工计划"],
        },
    )
    w.catch_up()
    mine = w.call("GET", "/me/projects", "deputy", "dep-3")
    assert [p["id"] for p in mine["items"]] == [pid]
    assert w.call("GET", "/me/projects", "deputy", "dep-2")["total"] == 0
    summary = w.call("GET", f"/counties/{COUNTY}/summary", "congress_staff")
    assert summary["findings_found"] == 1 and summary["findings_solved"] == 1


def test_change_requests_approved_and_rejected_keep_every_plan_version(w: World) -> None:
    pid = w.adopt()
    w.at("2026-02-10")
    w.call("POST", f"/projects/{pid}/plan", "gov_unit", json=PLAN, status=201)
    w.at("2026-06-01")
    rejected = w.call(
        "POST",
        f"/projects/{pid}/changes",
        "gov_unit",
        status=201,
        json={"kind": "extension", "new_deadline": "2027-06-30", "reason": "征地未完成"},
    )
    view = w.call(
        "POST",
        f"/projects/{pid}/changes/{rejected['request_id']}/decision",
        "congress_staff",
        json={"approved": False, "reason": "理由不充分"},
    )
    assert view["deadline"] == "2026-12-31" and len(view["plan_versions"]) == 1
    w.call(
        "POST",
        f"/projects/{pid}/changes/{rejected['request_id']}/decision",
        "congress_staff",
        json={"approved": True, "reason": "再议"},
        status=409,
    )
    scope = dict(PLAN, tasks=[dict(PLAN["tasks"][0], due="2027-03-31"), PLAN["tasks"][1]])
    approved = w.call(
        "POST",
        f"/projects/{pid}/changes",
        "gov_unit",
        status=201,
        json={"kind": "scope", "reason": "增加雨污分流", "plan": scope},
    )
    w.call(
        "POST",
        f"/projects/{pid}/changes/{approved['request_id']}/decision",
        "gov_unit",
        json={"approved": True, "reason": "x"},
        status=403,
    )
    view = w.call(
        "POST",
        f"/projects/{pid}/changes/{approved['request_id']}/decision",
        "congress_staff",
        json={"approved": True, "reason": "常委会审议同意"},
    )
    versions = view["plan_versions"]
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[0]["tasks"][0]["due"] == "2026-09-30" and versions[1]["tasks"][0]["due"] == "2027-03-31"
    assert view["original_plan"] == versions[0] and view["plan"]["change_request"] == approved["request_id"]
    assert {ch["status"] for ch in view["change_requests"]} == {"approved", "rejected"}
    page = w.client.get(f"/supervision/projects/{pid}").text
    assert 'id="original-plan"' in page and "增加雨污分流" in page


def test_micro_project_same_path_to_the_completed_contract(w: World) -> None:
    pid = w.adopt(tier="micro", session="2026-03-01", investment="80000")
    assert [a["key"] for a in w.sweep("2026-04-01")] == ["plan_missing"]
    w.at("2026-04-02")
    micro_plan = {
        "budget_lines": [{"code": "M", "name": "路面修补", "amount": "80000"}],
        "tasks": [
            {
                "id": "r",
                "name": "修路",
                "unit": "大江镇",
                "person": "王镇长",
                "due": "2026-06-30",
                "budget_line": "M",
                "budget": "80000",
            }
        ],
        "milestones": [{"id": "done", "name": "完工", "due": "2026-06-30", "target_pct": 100}],
    }
    w.call("POST", f"/projects/{pid}/plan", "gov_unit", json=micro_plan, status=201)
    w.call(
        "POST",
        f"/projects/{pid}/group",
        "congress_staff",
        json={
            "deputies": [{"id": f"d{i}", "name": f"代表{i}"} for i in range(3)],
            "residents": [{"id": "r", "name": "居民"}],
        },
    )
    w.at("2026-05-02")
    w.call(
        "POST",
        f"/projects/{pid}/progress",
        "gov_unit",
        json={"period": "2026-04", "task_progress": {"r": 60}, "spent_by_line": {"M": "45000"}, "note": "四月"},
    )
    w.call(
        "POST",
        f"/projects/{pid}/audits",
        "congress_staff",
        status=201,
        json={"text": "材料款凭证不全", "amount_questioned": "3000", "budget_line": "M"},
    )
    w.at("2026-06-20")
    done = {"completed_on": "2026-06-20", "spent": "78000"}
    refused = w.call("POST", f"/projects/{pid}/completion", "gov_unit", json=done, status=409)
    assert refused["reason"] == "completion_reason_required"  # 60% reported: done only with a reason
    reason = "六月下旬补齐剩余路面，未再填报月度进度"
    view = w.call("POST", f"/projects/{pid}/completion", "gov_unit", json={**done, "reason": reason})
    assert view["completion"]["progress_at_report"] == 60 and view["completion"]["reason"] == reason
    view = w.call("POST", f"/projects/{pid}/acceptance", "deputy", "d0", json={"verdict": "accepted"})
    assert view["status"] == "accepted" and view["funds"] == [
        {"code": "M", "name": "路面修补", "planned": "80000", "spent": "45000"}
    ]
    completed = [
        x
        for n in w.app.recorder.select_notifications(1, 200)
        for x in to_contracts(w.app.mapper.to_domain_event(n))
        if isinstance(x, c.ProjectCompleted)
    ]
    assert len(completed) == 1
    done = completed[0]
    assert done.tier == "micro" and done.spent == Decimal("78000") and done.plan_versions == 1
    assert done.plan_late is True and done.warnings_raised == 1
    # nothing is due for an accepted project: its last open warning clears, and nothing follows
    assert [(a["key"], a["action"]) for a in w.sweep("2027-03-01")] == [("plan_missing", "cleared")]
    assert w.sweep("2027-06-01") == []


def test_county_scope_and_pages(w: World) -> None:
    pid = w.adopt()
    other = w.auth("congress_staff", county="440703")
    assert w.client.get(f"/supervision/api/projects/{pid}", headers=other).status_code == 404
    assert w.client.post(f"/supervision/api/counties/{COUNTY}/sweep", headers=other).status_code == 403
    assert w.client.post(f"/supervision/api/counties/{COUNTY}/sweep", headers=w.auth("deputy")).status_code == 403
    w.sweep("2026-03-01")
    w.catch_up()
    board = w.client.get(f"/supervision/api/counties/{COUNTY}/projects").json()
    assert board["summary"]["open_warnings"] == 1 and board["summary"]["plans_missing"] == 1
    dash = w.client.get(f"/supervision/dashboard?county={COUNTY}", headers=w.auth("congress_staff"))
    assert dash.status_code == 200 and "echarts.min.js" in dash.text and 'data-key="plan_missing"' in dash.text
    assert w.client.get(f"/supervision/dashboard?county={COUNTY}", headers=other).status_code == 403
    assert w.client.get(f"/supervision/?county={COUNTY}").status_code == 200
    assert w.client.get(f"/supervision/unit?county={COUNTY}", headers=w.auth("gov_unit")).status_code == 200
    assert w.client.get(f"/supervision/projects/{uuid4()}").status_code == 404


def test_recorded_session_close_moves_the_plan_deadline(w: World) -> None:
    pid = w.adopt(session="2026-02-10")  # the result arrived on 10 February
    w.at("2026-02-12")
    w.call(
        "POST",
        f"/counties/{COUNTY}/session-close",
        "congress_staff",
        status=422,
        json={"year": 2026, "closed_on": "2026-01-20"},
    )  # a reason is required
    assert w.call(
        "POST",
        f"/projects/{pid}/session-close",
        "congress_staff",
        status=409,
        json={"closed_on": "2026-03-01", "reason": "闭会"},
    )["detail"].endswith("future")
    r = w.call(
        "POST",
        f"/counties/{COUNTY}/session-close",
        "congress_staff",
        json={"year": 2026, "closed_on": "2026-01-20", "reason": "县人代会1月20日闭会"},
    )
    assert r["projects"] == [pid]
    assert w.call("GET", f"/projects/{pid}", "congress_staff")["session_closed_on"] == "2026-01-20"
    assert [a["key"] for a in w.sweep("2026-02-20")] == ["plan_missing"]  # day 31 after 20 January


def test_inspector_mobile_page_records_and_reviews_a_finding(w: World) -> None:
    pid = w.adopt()
    w.call(
        "POST",
        f"/projects/{pid}/group",
        "congress_staff",
        json={
            "deputies": [{"id": f"dep-{i}", "name": f"代表{i}"} for i in range(3)],
            "residents": [{"id": "r", "name": "居民"}],
        },
    )
    w.catch_up()
    me = w.auth("deputy", "dep-1")
    page = w.client.get("/supervision/inspect", headers=me)
    assert page.status_code == 200 and f'action="/supervision/inspect/{pid}"' in page.text
    assert f'data-project="{pid}"' not in w.client.get("/supervision/inspect", headers=w.auth("deputy", "dep-7")).text
    r = w.client.post(
        f"/supervision/inspect/{pid}",
        headers=me,
        follow_redirects=False,
        data={"inspected_on": "2026-03-02", "text": "井盖松动", "severity": "high", "location": "2号路口"},
    )
    assert r.status_code == 303 and r.headers["location"].endswith("done=finding_recorded")
    finding = w.call("GET", f"/projects/{pid}", "congress_staff")["findings"][0]
    assert finding["text"] == "井盖松动" and finding["inspector"] == "dep-1" and finding["severity"] == "high"
    w.call("POST", f"/projects/{pid}/findings/{finding['id']}/assign", "congress_staff", json={"unit": "市政"})
    w.call("POST", f"/projects/{pid}/findings/{finding['id']}/answer", "gov_unit", json={"answer": "已更换井盖"})
    assert "已更换井盖" in w.client.get("/supervision/inspect", headers=me).text
    r = w.client.post(
        f"/supervision/inspect/{pid}/findings/{finding['id']}",
        headers=me,
        follow_redirects=False,
        data={"accepted": "yes"},
    )
    assert r.headers["location"].endswith("done=finding_reviewed")
    assert w.call("GET", f"/projects/{pid}", "congress_staff")["finding_counts"] == {"found": 1, "solved": 1}


def test_county_rules_are_versioned_checked_and_used_by_the_sweep(w: World) -> None:
    pid = w.adopt(session="2026-01-15")
    bad = w.client.put(
        f"/supervision/api/counties/{COUNTY}/rules",
        headers=w.auth("congress_staff"),
        json={"changes": {"midyear_review_due": "13-40"}, "reason": "试行"},
    )
    assert bad.status_code == 422 and "MM-DD" in bad.json()["detail"]
    assert bad.json()["reason"] == "rule_out_of_range" and bad.json()["rule"] == "midyear_review_due"
    huge = w.client.put(
        f"/supervision/api/counties/{COUNTY}/rules",
        headers=w.auth("congress_staff"),
        json={"changes": {"plan_due_days": 10**9}, "reason": "试行"},
    )
    assert huge.status_code == 422 and huge.json()["messages"] == {
        "zh": "规则 plan_due_days 须不小于 1 且不大于 365天（收到 1000000000）",
        "en": "Rule plan_due_days must be at least 1 and at most 365 days (got 1000000000)",
    }
    group = w.client.put(
        f"/supervision/api/counties/{COUNTY}/rules",
        headers=w.auth("congress_staff"),
        json={"changes": {"group_min": 6}, "reason": "试行"},
    )
    assert group.status_code == 409 and group.json()["reason"] == "rule_out_of_range"
    assert group.json()["messages"]["zh"] == "规则 group_min 不得大于 group_max"
    ok = w.client.put(
        f"/supervision/api/counties/{COUNTY}/rules",
        headers=w.auth("congress_staff"),
        json={"changes": {"plan_due_days": 20}, "reason": "县人大常委会决定方案20日内报送"},
    )
    assert ok.status_code == 200 and ok.json()["version"] == 2
    assert w.sweep("2026-02-04") == []
    assert [a["key"] for a in w.sweep("2026-02-05")] == ["plan_missing"]  # day 21 under the county's rule
    assert w.call("GET", f"/projects/{pid}", "congress_staff")["warnings"][0]["rules_version"] == 2
    w.at("2026-02-06")
    assert (
        w.call(
            "POST",
            f"/projects/{pid}/progress",
            "gov_unit",
            status=422,
            json={"period": "2026-03", "progress_pct": 5, "spent": "0", "note": "x"},
        )["reason"]
        == "future_period"
    )
