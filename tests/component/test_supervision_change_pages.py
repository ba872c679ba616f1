"""A change to a filed plan and the cadence reports, through the pages only (form posts, as a browser
sends them): the unit asks for an extension from its worklist, staff see it pending on theirs and
record the committee's decision (refused without a choice or a reason, in Chinese), the approved
version and the decision by name are on the public page; a scope change carries the revised plan
(prefilled from the current one) and is rejected with its reason. The unit's worklist lists the
quarterly, mid-year and year-end reports due; a report is filed from its page, refused in Chinese
(English with the toggle) for a period of the wrong kind or a second time, and is public."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.component.test_supervision_pages import COUNTY, PLAN_FORM, Year, chinese_page


@pytest.fixture
def y(tmp_path: Path) -> Year:
    return Year(tmp_path)


def filed(y: Year) -> str:
    pid = y.adopt()
    y.as_("gov_unit", "unit-1", "县住建局")
    y.post(f"/supervision/projects/{pid}/plan", PLAN_FORM)
    return pid


def test_an_extension_is_requested_and_approved_and_a_scope_change_rejected(y: Year) -> None:
    pid = filed(y)
    board = y.page(f"/supervision/unit?county={COUNTY}")
    assert f'href="/supervision/projects/{pid}/changes"' in board
    assert f'href="/supervision/projects/{pid}/changes"' in y.page(f"/supervision/projects/{pid}")
    page = y.page(f"/supervision/projects/{pid}/changes")
    text = chinese_page(page)
    assert "申请变更" in text and "现完成时限 2026-12-31" in text and "延期：提出新的完成时限" in text
    assert 'value="管网改造"' in page and 'value="800000"' in page  # the revised plan starts from the current one

    short = y.post(f"/supervision/projects/{pid}/changes", {"kind": "extension", "reason": "雨"}, 422)
    assert "变更理由至少 2 个字" in chinese_page(short.text)
    no_date = y.post(f"/supervision/projects/{pid}/changes", {"kind": "extension", "reason": "汛期停工两个月"}, 409)
    assert "延期申请须提出晚于现完成时限的新时限" in chinese_page(no_date.text)
    assert ">汛期停工两个月</textarea>" in no_date.text  # what was typed is kept
    asked = y.post(
        f"/supervision/projects/{pid}/changes",
        {"kind": "extension", "reason": "汛期停工两个月", "new_deadline": "2027-03-31"},
    )
    assert asked.headers["location"] == f"/supervision/unit?county={COUNTY}&done=change_requested"
    text = chinese_page(y.page(asked.headers["location"]))
    assert "变更申请已提交，等待人大常委会审议。" in text
    assert "延期申请 · 2026-01-22 提出 · 待常委会审议 · 汛期停工两个月" in text
    (change,) = y.call("GET", f"/projects/{pid}")["change_requests"]
    assert (change["status"], change["new_deadline"], change["requested_by_name"]) == (
        "pending",
        "2027-03-31",
        "县住建局",
    )

    # staff see it on their worklist and record the standing committee's decision
    y.as_("congress_staff", "staff-1", "人大办小刘")
    text = chinese_page(y.page(f"/supervision/staff?county={COUNTY}"))
    assert "待审议的变更申请 (1)" in text and "县住建局 · 汛期停工两个月" in text
    decide = f"/supervision/projects/{pid}/changes/{change['id']}"
    home = y.call("GET", f"/counties/{COUNTY}/worklist")["roles"]["congress_staff"]  # the gateway's role home
    assert home[0]["kind"] == "changes_to_decide" and home[0]["items"][0]["href"] == decide
    text = chinese_page(y.page(decide))
    assert "审议变更申请" in text and "新的完成时限 2027-03-31" in text and "县住建局" in text
    none = y.post(f"{decide}/decision", {"reason": "同意延期"}, 422)
    assert "请填写审议决定" in chinese_page(none.text)
    no_reason = y.post(f"{decide}/decision", {"approved": "yes"}, 422)
    assert "决定理由至少 2 个字" in chinese_page(no_reason.text)
    done = y.post(f"{decide}/decision", {"approved": "yes", "reason": "汛期影响属实，同意延期"})
    assert done.headers["location"] == f"/supervision/staff?county={COUNTY}&done=change_decided"
    assert "待审议的变更申请 (0)" in chinese_page(y.page(done.headers["location"]))
    again = y.post(f"{decide}/decision", {"approved": "no", "reason": "重复审议"}, 409)
    assert "该变更申请已批准" in chinese_page(again.text)
    view = y.call("GET", f"/projects/{pid}")
    assert view["deadline"] == "2027-03-31" and view["plan"]["version"] == 2
    y.as_("gov_unit", "unit-1", "县住建局")
    text = chinese_page(y.page(f"/supervision/unit?county={COUNTY}"))
    assert "延期申请已批准（2026-01-22） · 汛期影响属实，同意延期" in text and "待常委会审议" not in text

    # the unit asks for a scope change with a revised plan; the committee rejects it
    y.as_("gov_unit", "unit-1", "县住建局")
    empty_plan = {"kind": "scope", "reason": "增加无障碍坡道"}
    assert "请至少填写一项任务" in chinese_page(y.post(f"/supervision/projects/{pid}/changes", empty_plan, 422).text)
    revised = {k: v for k, v in PLAN_FORM.items() if k != "filed_on"} | {
        "task_name_3": "无障碍坡道",
        "task_unit_3": "县住建局",
        "task_person_3": "周工",
        "task_due_3": "2026-11-30",
        "task_line_3": "B1",
        "task_budget_3": "50000",
    }
    y.post(f"/supervision/projects/{pid}/changes", {**empty_plan, **revised})
    scope = next(c for c in y.call("GET", f"/projects/{pid}")["change_requests"] if c["kind"] == "scope")
    assert [t["name"] for t in scope["plan"]["tasks"]] == ["管网改造", "加装电梯", "无障碍坡道"]
    y.as_("congress_staff", "staff-1", "人大办小刘")
    text = chinese_page(y.page(f"/supervision/projects/{pid}/changes/{scope['id']}"))
    assert "申请中的修订方案" in text and "无障碍坡道" in text
    y.post(f"/supervision/projects/{pid}/changes/{scope['id']}/decision", {"approved": "no", "reason": "预算未落实"})

    # the public page shows both requests, their decisions by name, and the plan's versions
    y.client.cookies.clear()
    text = chinese_page(y.page(f"/supervision/projects/{pid}"))
    assert "延期 · 2026-01-22 · 县住建局 · 汛期停工两个月 · 新的完成时限 2027-03-31 · 已批准" in text
    assert "决定人 人大办小刘 · 汛期影响属实，同意延期" in text
    assert "调整内容" in text and "已驳回" in text and "预算未落实" in text
    assert "版本 1 · 2026-01-22 · 原始方案" in text and "original plan" not in text
    assert "版本 2 · 2026-01-22 · 汛期停工两个月 · 完成时限 2027-03-31" in text


def test_reports_due_are_listed_and_filed_from_their_page(y: Year) -> None:
    pid = filed(y)
    y.at("2026-03-15")
    text = chinese_page(y.page(f"/supervision/unit?county={COUNTY}"))
    assert "2026 年第 1 季度 季度汇报应于 2026-04-10 前报送" in text and "年中进度报告" not in text
    page = y.page(f"/supervision/projects/{pid}/reports")
    text = chinese_page(page)
    assert "应报送的汇报" in text and "一季一汇报" in text
    assert 'value="2026Q1" selected' in page  # the report due is picked

    wrong = y.post(
        f"/supervision/projects/{pid}/reports", {"kind": "midyear", "period": "2026Q1", "text": "进展顺利"}, 422
    )
    assert "季度汇报写明季度，年中、年终报告写明年份" in chinese_page(wrong.text)
    blank = y.post(f"/supervision/projects/{pid}/reports", {"kind": "quarterly", "period": "2026Q1", "text": ""}, 422)
    assert "汇报内容至少 1 个字" in chinese_page(blank.text)
    report = {"kind": "quarterly", "period": "2026Q1", "text": "一季度完成管网开挖 30%"}
    done = y.post(f"/supervision/projects/{pid}/reports", report)
    assert done.headers["location"] == f"/supervision/unit?county={COUNTY}&done=report_filed"
    text = chinese_page(y.page(done.headers["location"]))
    assert "汇报已报送，在项目页公开。" in text and "季度汇报应于" not in text
    twice = y.post(f"/supervision/projects/{pid}/reports", report, 409)
    assert "2026Q1的季度汇报已报送" in chinese_page(twice.text)

    # mid-year and year-end come due in their months
    y.at("2026-08-03")
    text = chinese_page(y.page(f"/supervision/unit?county={COUNTY}"))
    assert "2026 年 年中进度报告应于 2026-07-31 前报送 已逾期" in text
    assert "2026 年第 2 季度 季度汇报应于 2026-07-10 前报送 已逾期" in text and "年终结果报告" not in text
    y.as_("congress_staff", "staff-1", "人大办小刘")
    text = chinese_page(y.page(f"/supervision/staff?county={COUNTY}"))
    assert "汇报逾期未报 (1)" in text and "2026 年 年中进度报告应于 2026-07-31 前报送" in text
    y.as_("gov_unit", "unit-1", "县住建局")
    y.post(f"/supervision/projects/{pid}/reports", {"kind": "midyear", "period": "2026", "text": "过半"})

    y.client.cookies.clear()
    text = chinese_page(y.page(f"/supervision/projects/{pid}"))
    assert "季度汇报 · 2026 年第 1 季度 · 2026-03-15 · 县住建局 · 一季度完成管网开挖 30%" in text
    assert "年中进度报告 · 2026 年 · 2026-08-03 · 县住建局 · 过半" in text

    y.as_("gov_unit", "unit-1", "County housing bureau")
    y.client.cookies.set("lang", "en")
    refused = y.post(f"/supervision/projects/{pid}/reports", {**report, "kind": "yearend"}, 422)
    assert "a quarterly report names a quarter; the others a year" in refused.text and "写明季度" not in refused.text
