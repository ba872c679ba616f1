"""Supervision's year through its pages only (form posts, as a browser sends them), each step by the
role that takes it: the unit files the 30-day plan and a monthly entry, staff form the group, a group
deputy records a finding on the phone page, staff assign it, the unit answers, the deputy reopens and
then accepts, the unit reports completion (refused below 100% without a reason), the group checks it
(验收). Every page is Chinese with no raw keys and every input labelled; refusals are shown on the
page in Chinese (English with the toggle); people appear by name; another county's project is 404."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from shared.auth import issue_token
from shared.contracts import decision as d
from tests.fixtures.service import InProcessService

COUNTY, OTHER = "440781", "440703"
RAW = re.compile(
    r"\b(open|completion_reported|accepted|rejected|assigned|answered|reopened|pending|approved|major|micro|"
    r"low|medium|high|extension|scope|None|True|False|(sv_status|finding_status|kind|tier|severity|verdict|done)_\w+)\b"
)
ENGLISH = re.compile(r"[A-Za-z]{2,}[ ,;:]+[A-Za-z]{2,}[ ,;:]+[A-Za-z]{2,}")  # three English words in a row


class _Page(HTMLParser):
    """The visible text of a page, and its form controls with their labels."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.controls: list[dict[str, str]] = []
        self.labelled: set[str] = set()
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag in ("script", "style"):
            self._skip += 1
        if tag == "label" and a.get("for"):
            self.labelled.add(a["for"])
        if tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit", "button"):
            self.controls.append(a)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.text.append(data.strip())


def chinese_page(html: str) -> str:
    """The page's visible text, after checking it is a Chinese page with no raw key or English
    sentence, and that every input has a label of its own."""
    page = _Page()
    page.feed(html)
    text = " ".join(page.text)
    assert 'lang="zh-CN"' in html
    assert not RAW.search(text), RAW.search(text)
    assert not ENGLISH.search(text), ENGLISH.search(text)
    ids = [c.get("id", "") for c in page.controls]
    assert all(ids) and len(set(ids)) == len(ids), ids
    assert set(ids) <= page.labelled, set(ids) - page.labelled
    return text


class Year(InProcessService):
    def __init__(self, tmp: Path) -> None:
        super().__init__(
            "supervision", tmp, now=datetime(2026, 1, 22, 2, tzinfo=UTC), settings={"supervision_sweep_seconds": 0}
        )

    def as_(self, role: str, subject: str, name: str, county: str = COUNTY) -> None:
        """The browser carries this login (with the name it gives) as its cookie."""
        token = issue_token(
            self.settings.resolved_jwt_secret(), subject=subject, roles=[role], counties=[county], name=name
        )
        self.client.cookies.set("shishi_token", token)

    def page(self, path: str, status: int = 200) -> str:
        r = self.client.get(path)
        assert r.status_code == status, r.text
        return r.text

    def post(self, path: str, data: dict[str, Any], status: int = 303) -> Any:
        r = self.client.post(path, data=data, follow_redirects=False)
        assert r.status_code == status, r.text
        self.catch_up()
        return r

    def adopt(self) -> str:
        project_id = uuid4()
        self.deliver(
            d.ProjectAdopted(
                project_id=project_id,
                candidate_id=uuid4(),
                year=2026,
                tier="major",
                name="台城老旧小区改造",
                content="管网改造、加装电梯",
                implementing_body="县住建局",
                investment=Decimal("1000000"),
                deadline=date(2026, 12, 31),
                demand_ids=[uuid4()],
                session_closed_on=date(2026, 1, 20),
            )
        )
        return str(project_id)


PLAN_FORM = {
    "filed_on": "2026-01-22",
    "line_name_1": "土建",
    "line_amount_1": "800000",
    "line_name_2": "设备",
    "line_amount_2": "200000",
    "task_name_1": "管网改造",
    "task_unit_1": "县住建局",
    "task_person_1": "张工",
    "task_due_1": "2026-09-30",
    "task_line_1": "B1",
    "task_budget_1": "800000",
    "task_name_2": "加装电梯",
    "task_unit_2": "县住建局",
    "task_person_2": "李工",
    "task_due_2": "2026-10-31",
    "task_line_2": "B2",
    "task_budget_2": "200000",
    "task_line_3": "B1",  # a blank row keeps its default budget line: still blank
    "ms_name_1": "开工",
    "ms_due_1": "2026-04-30",
    "ms_target_1": "20",
    "ms_name_2": "主体完工",
    "ms_due_2": "2026-10-31",
    "ms_target_2": "100",
}


@pytest.fixture
def y(tmp_path: Path) -> Year:
    return Year(tmp_path)


def test_the_year_through_the_pages(y: Year) -> None:
    pid = y.adopt()

    # the responsible unit's worklist: the plan is due 30 days after the session closed
    y.as_("gov_unit", "unit-1", "县住建局")
    text = chinese_page(y.page(f"/supervision/unit?county={COUNTY}"))
    assert "责任单位项目看板" in text and "实施方案应于 2026-02-19 前报送" in text and "还有 28 天" in text
    text = chinese_page(y.page(f"/supervision/projects/{pid}/plan"))
    assert "闭会日期 2026-01-20；实施方案应于 2026-02-19 前报送。" in text

    # refusals come back on the form in Chinese, with what was typed kept
    empty = chinese_page(y.post(f"/supervision/projects/{pid}/plan", {"filed_on": "2026-01-22"}, 422).text)
    assert "请至少填写一个预算科目" in empty and "请至少填写一项任务" in empty
    bad = y.post(
        f"/supervision/projects/{pid}/plan", {**PLAN_FORM, "line_amount_2": "二十万", "task_person_2": ""}, 422
    )
    text = chinese_page(bad.text)
    assert "科目 2 金额（元）须为数字" in text and "请填写任务 2 责任人" in text
    assert 'value="管网改造"' in bad.text  # nothing typed is lost
    future = y.post(f"/supervision/projects/{pid}/plan", {**PLAN_FORM, "filed_on": "2026-01-23"}, 422)
    assert "实施方案的报送日期不能晚于今天" in chinese_page(future.text)
    filed = y.post(f"/supervision/projects/{pid}/plan", PLAN_FORM)
    assert filed.headers["location"] == f"/supervision/unit?county={COUNTY}&done=plan_filed"
    text = chinese_page(y.page(filed.headers["location"]))
    assert "实施方案已报送，并已报告人大常委会。" in text and "2026-01 月度跟踪应于 2026-02-05 前填报" in text
    plan = y.call("GET", f"/projects/{pid}")["plan"]
    assert [(t["id"], t["budget_line"]) for t in plan["tasks"]] == [("t1", "B1"), ("t2", "B2")]
    assert plan["by_name"] == "县住建局" and plan["filed_on"] == "2026-01-22"

    # the monthly entry: per task (rolled up by budget) and per budget line
    y.at("2026-02-03")
    text = chinese_page(y.page(f"/supervision/projects/{pid}/progress"))
    assert "“管网改造”进度（%）（县住建局）" in text and "“设备”累计支出（元）" in text
    entry = {"period": "2026-01", "task_pct_t1": "25", "task_pct_t2": "50", "spent_B1": "150000", "note": "开工"}
    y.post(f"/supervision/projects/{pid}/progress", {**entry, "work_done": "管网开挖", "problems": "雨天停工"})
    view = y.call("GET", f"/projects/{pid}")
    assert view["progress_pct"] == 30 and view["spent"] == "150000"  # 800k at 25% and 200k at 50%
    backwards = y.post(f"/supervision/projects/{pid}/progress", {**entry, "task_pct_t1": "10"}, 409)
    text = chinese_page(backwards.text)
    assert "进度不能从 30% 回退到 18%" in text and "cannot go back" not in text

    # staff form the supervision group (3-5 deputies and a resident representative)
    y.as_("congress_staff", "staff-1", "人大办小刘")
    text = chinese_page(y.page(f"/supervision/staff?county={COUNTY}"))
    assert "待组建监督小组 (1)" in text
    assert "按本县规则，监督小组由 3–5 名人大代表" in chinese_page(y.page(f"/supervision/projects/{pid}/group"))
    two = {
        "dep_name_1": "王代表",
        "dep_id_1": "dep-1",
        "dep_name_2": "赵代表",
        "dep_id_2": "dep-2",
        "res_name_1": "居民甲",
    }
    text = chinese_page(y.post(f"/supervision/projects/{pid}/group", two, 409).text)
    assert "监督小组须有 3 至 5 名代表，现为 2 名" in text
    y.post(f"/supervision/projects/{pid}/group", {**two, "dep_name_3": "钱代表", "dep_id_3": "dep-3"})
    assert [m["name"] for m in y.call("GET", f"/projects/{pid}")["group"]["deputies"]] == ["王代表", "赵代表", "钱代表"]

    # a group deputy records a finding on the phone page
    y.as_("deputy", "dep-1", "王代表")
    text = chinese_page(y.page("/supervision/inspect"))
    assert "台城老旧小区改造" in text
    finding = {"inspected_on": "2026-02-03", "location": "3号楼", "text": "井盖松动", "severity": "high"}
    assert y.post(f"/supervision/inspect/{pid}", {**finding, "text": ""}, 422).status_code == 422
    y.post(f"/supervision/inspect/{pid}", finding)
    (f,) = y.call("GET", f"/projects/{pid}")["findings"]
    assert f["inspector_name"] == "王代表" and f["severity"] == "high"

    # staff assign it to a unit
    y.as_("congress_staff", "staff-1", "人大办小刘")
    text = chinese_page(y.page(f"/supervision/staff?county={COUNTY}"))
    assert "待交办的问题 (1)" in text and "井盖松动" in text and "提出人 王代表" in text and "严重" in text
    y.post(f"/supervision/projects/{pid}/findings/{f['id']}/assign", {"unit": "县市政所"})

    # the unit answers it from its worklist (an empty answer is refused in Chinese)
    y.as_("gov_unit", "unit-2", "县市政所")
    text = chinese_page(y.page(f"/supervision/unit?county={COUNTY}"))
    assert "待答复问题" in text and "井盖松动" in text
    empty = y.post(f"/supervision/projects/{pid}/findings/{f['id']}/answer", {"answer": " "}, 409)
    assert "答复内容不能为空" in chinese_page(empty.text)
    y.post(f"/supervision/projects/{pid}/findings/{f['id']}/answer", {"answer": "已更换井盖", "unit": "县市政所"})

    # the inspector reopens it (a reason is required), the unit answers again, the inspector accepts
    y.as_("deputy", "dep-1", "王代表")
    text = chinese_page(y.page("/supervision/inspect"))
    assert "已更换井盖" in text
    review = f"/supervision/inspect/{pid}/findings/{f['id']}"
    assert "不认可答复、重新办理须说明理由" in chinese_page(y.post(review, {"accepted": "no"}, 409).text)
    y.post(review, {"accepted": "no", "reason": "井盖仍有晃动"})
    y.as_("gov_unit", "unit-2", "县市政所")
    assert "重新办理理由：井盖仍有晃动" in chinese_page(y.page(f"/supervision/unit?county={COUNTY}&unit=县市政所"))
    y.post(f"/supervision/projects/{pid}/findings/{f['id']}/answer", {"answer": "已加固井座"})
    y.as_("deputy", "dep-2", "赵代表")
    assert y.post(review, {"accepted": "yes"}, 409).status_code == 409  # only its inspector reviews it
    y.as_("deputy", "dep-1", "王代表")
    y.post(review, {"accepted": "yes"})
    assert y.call("GET", f"/projects/{pid}")["finding_counts"] == {"found": 1, "solved": 1}

    # months without an entry are late for the unit and for staff
    y.at("2026-03-07")
    y.as_("congress_staff", "staff-1", "人大办小刘")
    text = chinese_page(y.page(f"/supervision/staff?county={COUNTY}"))
    assert "月度跟踪逾期未报 (1)" in text and "2026-02 月度跟踪应于 2026-03-05 前填报" in text
    y.as_("gov_unit", "unit-1", "县住建局")
    text = chinese_page(y.page(f"/supervision/unit?county={COUNTY}&unit=县住建局"))
    assert "2026-02 月度跟踪应于 2026-03-05 前填报 已逾期" in text

    # completion below 100% needs a recorded reason
    y.at("2026-10-31")
    y.as_("gov_unit", "unit-1", "县住建局")
    text = chinese_page(y.page(f"/supervision/projects/{pid}/completion"))
    assert "已填报进度为 30%，未达 100%：报告完工须说明理由。" in text
    done = {"completed_on": "2026-10-30", "spent": "960000", "note": "全部完工"}
    refused = chinese_page(y.post(f"/supervision/projects/{pid}/completion", done, 409).text)
    assert "已填报进度为 30%，未达 100%：报告完工须说明理由" in refused and "below 100%" not in refused
    reason = "九、十月工程已完成，月度进度未及填报"
    y.post(f"/supervision/projects/{pid}/completion", {**done, "reason": reason})
    completion = y.call("GET", f"/projects/{pid}")["completion"]
    assert (completion["progress_at_report"], completion["reason"], completion["by_name"]) == (30, reason, "县住建局")
    y.as_("congress_staff", "staff-1", "人大办小刘")
    text = chinese_page(y.page(f"/supervision/staff?county={COUNTY}"))
    assert "待验收 (1)" in text and "完工报告时已填报进度 30%" in text and reason in text

    # the acceptance check, by the group's deputies (or staff), not by a deputy outside the group
    y.as_("deputy", "dep-9", "孙代表")
    text = chinese_page(y.page(f"/supervision/projects/{pid}/acceptance"))
    assert "验收由本项目监督小组的代表或人大常委会工作人员进行" in text
    outsider = y.post(f"/supervision/projects/{pid}/acceptance", {"verdict": "accepted"}, 409)
    assert "验收由本项目监督小组的代表或人大常委会工作人员进行" in chinese_page(outsider.text)
    y.as_("deputy", "dep-3", "钱代表")
    text = chinese_page(y.page("/supervision/inspect"))
    assert "验收" in text
    text = chinese_page(y.page(f"/supervision/projects/{pid}/acceptance"))
    assert reason in text and "县住建局" in text and "30%" in text
    no_reason = y.post(f"/supervision/projects/{pid}/acceptance", {"verdict": "rejected"}, 409)
    assert "验收不通过须说明理由" in chinese_page(no_reason.text)
    y.post(f"/supervision/projects/{pid}/acceptance", {"verdict": "accepted"})
    text = chinese_page(y.page(f"/supervision/projects/{pid}"))
    assert "验收：验收通过 · 钱代表" in text and "未达 100% 的理由：" + reason in text
    assert "提出人 王代表" in text and "承办单位 县市政所" in text and "已解决" in text
    assert "台城老旧小区改造" in chinese_page(y.page(f"/supervision/?county={COUNTY}"))
    y.as_("congress_staff", "staff-1", "人大办小刘")
    assert "常委会监督看板" in chinese_page(y.page(f"/supervision/dashboard?county={COUNTY}"))
    assert "待验收 (0)" in chinese_page(y.page(f"/supervision/staff?county={COUNTY}"))


def test_english_toggle_shows_the_english_half_of_a_refusal(y: Year) -> None:
    pid = y.adopt()
    y.as_("gov_unit", "unit-1", "County housing bureau")
    y.client.cookies.set("lang", "en")
    page = y.page(f"/supervision/projects/{pid}/completion")
    assert "Report completion" in page and "below 100%: a completion report needs a reason" in page
    refused = y.post(f"/supervision/projects/{pid}/completion", {"completed_on": "2026-01-22", "spent": "0"}, 409)
    assert "progress is 0%, below 100%: a completion report needs a reason" in refused.text
    assert "报告完工须说明理由" not in refused.text
    assert "Responsible unit" in y.page(f"/supervision/unit?county={COUNTY}")


def test_roles_and_counties_are_kept_apart(y: Year) -> None:
    pid = y.adopt()
    y.as_("gov_unit", "unit-x", "", county=OTHER)
    assert y.page(f"/supervision/projects/{pid}/plan", 404)
    assert "无权查看该县" in y.page(f"/supervision/unit?county={COUNTY}", 403)
    y.post(f"/supervision/projects/{pid}/plan", PLAN_FORM, 404)
    y.as_("deputy", "dep-1", "王代表")
    assert y.client.get(f"/supervision/projects/{pid}/plan", follow_redirects=False).headers["location"] == "/login"
    assert y.client.get(f"/supervision/staff?county={COUNTY}", follow_redirects=False).status_code == 303
    y.as_("auditor", "aud-1", "审计员")
    assert y.client.get(f"/supervision/staff?county={COUNTY}", follow_redirects=False).status_code == 303
    y.client.cookies.clear()
    assert y.client.get(f"/supervision/unit?county={COUNTY}", follow_redirects=False).headers["location"] == "/login"
    assert y.call("GET", f"/projects/{pid}")["plan"] is None  # nothing was filed by any of them
