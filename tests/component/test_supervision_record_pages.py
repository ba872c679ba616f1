"""What congress staff record through supervision's pages (form posts, as a browser sends them), each
reached from the staff worklist's projects under way or the dashboard: a special inquiry and an audit
finding (public on the project's page, by name), the session's close for the year and one project's
correction, a warning resolved from the dashboard, the group's roster changed. Refusals read Chinese
(English with the toggle), every input is labelled, and the event is recorded."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.component.test_supervision_pages import COUNTY, PLAN_FORM, Year, chinese_page


@pytest.fixture
def y(tmp_path: Path) -> Year:
    return Year(tmp_path)


def staff(y: Year) -> None:
    y.as_("congress_staff", "staff-1", "人大办小刘")


def with_plan(y: Year) -> str:
    pid = y.adopt()
    y.as_("gov_unit", "unit-1", "县住建局")
    y.post(f"/supervision/projects/{pid}/plan", PLAN_FORM)
    staff(y)
    return pid


def test_a_special_inquiry_and_an_audit_finding_are_recorded_and_public(y: Year) -> None:
    pid = with_plan(y)
    board = y.page(f"/supervision/staff?county={COUNTY}")
    assert "在办项目 (1)" in chinese_page(board)
    assert (
        f'href="/supervision/projects/{pid}/inquiries"' in board
        and f'href="/supervision/projects/{pid}/audits"' in board
    )

    url = f"/supervision/projects/{pid}/inquiries"
    assert f'href="{url}"' in y.page(f"/supervision/projects/{pid}")  # also from the project's page
    text = chinese_page(y.page(url))
    assert "记录专题询问" in text and "问题 3 的答复" in text and "跟进事项 2" in text
    nothing = y.post(url, {"held_on": "2026-01-22", "topic": "加装电梯进度"}, 422)
    assert "请至少填写一个问题" in chinese_page(nothing.text)
    inquiry = {
        "held_on": "2026-01-22",
        "topic": "加装电梯进度",
        "q_text_1": "电梯何时开工？",
        "q_answer_1": "三月开工",
        "q_by_1": "县住建局李局长",
        "q_text_3": "资金是否到位？",
        "follow_2": "四月底前报告开工情况",
    }
    no_topic = y.post(url, {**inquiry, "topic": ""}, 422)
    assert "询问主题至少 1 个字" in chinese_page(no_topic.text) and ">电梯何时开工？</textarea>" in no_topic.text
    future = y.post(url, {**inquiry, "held_on": "2026-01-23"}, 422)
    assert "询问日期不能晚于今天" in chinese_page(future.text)
    done = y.post(url, inquiry)
    assert done.headers["location"] == f"/supervision/projects/{pid}?done=inquiry_recorded"
    text = chinese_page(y.page(done.headers["location"]))
    assert "专题询问已记录，在项目页公开。" in text
    assert "2026-01-22 · 加装电梯进度" in text and "答复：三月开工（答复人 县住建局李局长）" in text
    assert "资金是否到位？" in text and "跟进事项： 四月底前报告开工情况" in text and "记录人 人大办小刘" in text
    (recorded,) = y.call("GET", f"/projects/{pid}")["inquiries"]
    assert [q["question"] for q in recorded["questions"]] == ["电梯何时开工？", "资金是否到位？"]
    assert recorded["follow_ups"] == ["四月底前报告开工情况"] and recorded["by_name"] == "人大办小刘"

    url = f"/supervision/projects/{pid}/audits"
    page = y.page(url)
    assert "审计机关" in chinese_page(page) and 'value="审计局"' in page and ">土建 · " in page
    audit = {"office": "县审计局", "text": "土建科目多计工程量", "amount_questioned": "五万", "budget_line": "B1"}
    assert "涉及金额（元）须为数字" in chinese_page(y.post(url, audit, 422).text)
    assert "审计发现的问题至少 1 个字" in chinese_page(y.post(url, {**audit, "text": ""}, 422).text)
    done = y.post(url, {**audit, "amount_questioned": "50000"})
    text = chinese_page(y.page(done.headers["location"]))
    assert "审计发现已记录，在项目页公开。" in text
    assert "县审计局 · 土建科目多计工程量 · 涉及金额（元）" in text and "· 土建 · 记录人 人大办小刘" in text
    (a,) = y.call("GET", f"/projects/{pid}")["audits"]
    assert (a["amount_questioned"], a["budget_line"], a["by_name"]) == ("50000", "B1", "人大办小刘")


def test_the_session_close_is_recorded_for_the_year_and_corrected_for_a_project(y: Year) -> None:
    pid = y.adopt()
    staff(y)
    assert 'href="/supervision/session-close?county=440781"' in y.page(f"/supervision/staff?county={COUNTY}")
    text = chinese_page(y.page(f"/supervision/session-close?county={COUNTY}"))
    assert "2026 年度票决项目" in text
    assert "台城老旧小区改造 · 现记录的闭会日期 2026-01-20 · 实施方案应于 2026-02-19 前报送" in text

    form = {"county": COUNTY, "year": "2026", "closed_on": "2026-01-18", "reason": "大会于1月18日闭幕"}
    short = y.post("/supervision/session-close", {**form, "reason": ""}, 422)
    assert "记录理由至少 2 个字" in chinese_page(short.text)
    future = y.post("/supervision/session-close", {**form, "closed_on": "2026-01-23"}, 409)
    assert "闭会日期不能晚于今天" in chinese_page(future.text)
    done = y.post("/supervision/session-close", form)
    assert (
        done.headers["location"] == f"/supervision/session-close?county={COUNTY}&year=2026&done=session_close_recorded"
    )
    text = chinese_page(y.page(done.headers["location"]))
    assert "闭会日期已记录，实施方案期限随之更新。" in text
    assert "现记录的闭会日期 2026-01-18 · 实施方案应于 2026-02-17 前报送" in text

    url = f"/supervision/projects/{pid}/session-close"
    assert "现记录的闭会日期 2026-01-18" in chinese_page(y.page(url))
    too_early = y.post(url, {"closed_on": "2024-12-30", "reason": "按批准日期起算"}, 409)
    assert "2026年项目的闭会日期应在2025年或2026年" in chinese_page(too_early.text)
    done = y.post(url, {"closed_on": "2026-01-19", "reason": "按批准日期起算"})
    assert y.call("GET", f"/projects/{pid}")["session_closed_on"] == "2026-01-19"
    text = chinese_page(y.page(done.headers["location"]))  # the project's public page
    assert "闭会日期已记录" in text and "闭会日期 2026-01-19；实施方案应于 2026-02-18 前报送。" in text

    y.client.cookies.set("lang", "en")
    refused = y.post(url, {"closed_on": "2026-01-23", "reason": "again"}, 409)
    assert "the session&#39;s close cannot be in the future" in refused.text and "不能晚于今天" not in refused.text


def test_a_warning_is_resolved_from_the_dashboard_with_a_reason(y: Year) -> None:
    pid = y.adopt()
    y.at("2026-02-25")
    y.call("POST", f"/counties/{COUNTY}/sweep")
    (warning,) = y.call("GET", f"/projects/{pid}")["warnings"]
    assert warning["key"] == "plan_missing"
    y.as_("auditor", "aud-1", "审计员")
    assert "/warnings/plan_missing/resolve" not in y.page(f"/supervision/dashboard?county={COUNTY}")
    staff(y)
    dashboard = y.page(f"/supervision/dashboard?county={COUNTY}")
    assert "解除预警" in chinese_page(dashboard)
    url = f"/supervision/projects/{pid}/warnings/plan_missing/resolve"
    assert f'href="{url}"' in dashboard
    text = chinese_page(y.page(url))
    assert "实施方案逾期未报" in text and "实施方案未报送，应于2026-02-19前报送" in text and "2026-02-25" in text
    short = y.post(url, {"reason": "x"}, 422)
    assert "解除理由至少 2 个字" in chinese_page(short.text)
    assert "没有该预警" in y.page(f"/supervision/projects/{pid}/warnings/nothing/resolve", 404)
    done = y.post(url, {"reason": "已电话督促，单位承诺三日内报送"})
    assert done.headers["location"] == f"/supervision/dashboard?county={COUNTY}&done=warning_resolved"
    text = chinese_page(y.page(done.headers["location"]))
    assert "预警已解除，理由已记录。" in text and "实施方案逾期未报" not in text
    (resolved,) = y.call("GET", f"/projects/{pid}")["warnings"]
    assert (resolved["status"], resolved["resolved_by_name"]) == ("resolved", "人大办小刘")
    text = chinese_page(y.page(url))
    assert "已解除 · 2026-02-25 · 解除人 人大办小刘 · 已电话督促，单位承诺三日内报送" in text
    assert "该预警已解除" in chinese_page(y.post(url, {"reason": "再次解除"}, 409).text)


def test_the_group_roster_is_changed_with_a_reason(y: Year) -> None:
    pid = y.adopt()
    staff(y)
    group = {
        "dep_name_1": "王代表",
        "dep_id_1": "dep-1",
        "dep_name_2": "赵代表",
        "dep_id_2": "dep-2",
        "dep_name_3": "钱代表",
        "dep_id_3": "dep-3",
        "res_name_1": "居民甲",
    }
    y.post(f"/supervision/projects/{pid}/group", group)
    url = f"/supervision/projects/{pid}/group"
    assert f'href="{url}"' in y.page(f"/supervision/staff?county={COUNTY}")
    text = chinese_page(y.page(url))
    assert "调整小组成员" in text and "钱代表 退出（人大代表）" in text and "居民甲 退出（群众监督员）" in text

    roster = f"{url}/roster"
    too_few = y.post(roster, {"leave": "dep-3", "reason": "钱代表工作调动"}, 409)
    assert "监督小组须有 3 至 5 名代表，现为 2 名" in chinese_page(too_few.text)
    assert 'value="dep-3" checked' in too_few.text
    change = {"leave": "dep-3", "join_dep_name_1": "孙代表", "join_dep_id_1": "dep-4"}
    assert "调整理由至少 2 个字" in chinese_page(y.post(roster, change, 422).text)
    no_account = y.post(roster, {**change, "join_dep_id_1": "", "reason": "钱代表工作调动"}, 422)
    assert "请填写代表 1 账号（代表编号）" in chinese_page(no_account.text)
    done = y.post(roster, {**change, "reason": "钱代表工作调动"})
    assert done.headers["location"] == f"{url}?done=roster_changed"
    text = chinese_page(y.page(done.headers["location"]))
    assert "小组成员已调整，理由已记录。" in text and "人大代表: 王代表、赵代表、孙代表" in text
    assert [m["id"] for m in y.call("GET", f"/projects/{pid}")["group"]["deputies"]] == ["dep-1", "dep-2", "dep-4"]

    y.client.cookies.clear()
    text = chinese_page(y.page(f"/supervision/projects/{pid}"))
    assert "成员调整记录" in text and "人大办小刘 · 加入 孙代表 · 退出 钱代表 · 钱代表工作调动" in text


def test_every_new_page_reads_english_with_the_toggle(y: Year) -> None:
    pid = with_plan(y)
    y.as_("gov_unit", "unit-1", "County housing bureau")
    y.client.cookies.set("lang", "en")
    y.post(
        f"/supervision/projects/{pid}/changes", {"kind": "extension", "reason": "Flood", "new_deadline": "2027-03-31"}
    )
    (change,) = y.call("GET", f"/projects/{pid}")["change_requests"]
    y.at("2026-03-15")
    unit_pages = {
        f"/supervision/projects/{pid}/changes": ("Request a change", "Extension: a new deadline", "Revised plan"),
        f"/supervision/projects/{pid}/reports": ("File a report", "Reports due", "2026 Q1"),
    }
    y.call("POST", f"/counties/{COUNTY}/sweep")
    (key, *_) = [w["key"] for w in y.call("GET", f"/projects/{pid}")["warnings"]]
    staff_pages = {
        f"/supervision/projects/{pid}/changes/{change['id']}": ("Decide the change request", "Requested by"),
        f"/supervision/projects/{pid}/inquiries": ("Record a special inquiry", "Answer to question 1"),
        f"/supervision/projects/{pid}/audits": ("Record an audit finding", "Amount questioned (CNY)"),
        f"/supervision/session-close?county={COUNTY}": ("Record the session", "Voted projects of 2026"),
        f"/supervision/projects/{pid}/session-close": ("Correct this project", "Session close on record"),
        f"/supervision/projects/{pid}/warnings/{key}/resolve": ("Resolve the warning", "Reason for resolving"),
        f"/supervision/staff?county={COUNTY}": ("Change requests to decide", "Projects under way", "Reports late"),
    }
    for path, words in unit_pages.items():
        page = y.page(path)
        assert all(w in page for w in words), (path, [w for w in words if w not in page])
    y.as_("congress_staff", "staff-1", "Staff Liu")
    for path, words in staff_pages.items():
        page = y.page(path)
        assert all(w in page for w in words), (path, [w for w in words if w not in page])


def test_other_counties_and_other_roles_are_kept_out_of_the_new_pages(y: Year) -> None:
    pid = with_plan(y)
    staff_paths = [f"/supervision/projects/{pid}/{step}" for step in ("inquiries", "audits", "session-close")]
    staff_paths += [
        f"/supervision/projects/{pid}/warnings/plan_missing/resolve",
        f"/supervision/projects/{pid}/changes/x",
    ]
    unit_paths = [f"/supervision/projects/{pid}/changes", f"/supervision/projects/{pid}/reports"]
    y.as_("congress_staff", "staff-9", "", county="440703")
    for path in staff_paths:
        assert "没有该项目" in y.page(path, 404)
    assert "无权查看该县" in y.page(f"/supervision/session-close?county={COUNTY}", 403)
    y.post(f"/supervision/projects/{pid}/inquiries", {"topic": "x", "q_text_1": "y", "held_on": "2026-01-22"}, 404)
    y.as_("gov_unit", "unit-9", "", county="440703")
    for path in unit_paths:
        assert "没有该项目" in y.page(path, 404)
    y.as_("deputy", "dep-1", "王代表")
    for path in [*staff_paths, *unit_paths, f"/supervision/session-close?county={COUNTY}"]:
        assert y.client.get(path, follow_redirects=False).headers["location"] == "/login", path
    y.as_("auditor", "aud-1", "审计员")
    assert y.client.get(unit_paths[0], follow_redirects=False).headers["location"] == "/login"
    view = y.call("GET", f"/projects/{pid}")
    assert view["inquiries"] == [] and view["change_requests"] == []  # nothing was recorded by any of them
