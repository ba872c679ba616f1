"""Micro projects and their funds through pages: a deputy proposes from the pool (ticked, not typed), the
government accepts within N days (an overdue one is marked), staff approve and the town's yearly fund is
charged, its ledger shows who by name; overspending and over-cap escalation are said in Chinese."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.component.decision_flow import COUNTY, Flow
from tests.fixtures.pages import unlabelled_fields, visible_text


def chinese(html: str) -> str:
    text = visible_text(html)
    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}", text), "an id on the page"
    for raw in ("proposed", "accepted", "escalated", "committed", "allocated", "deputy", "gov_unit", "roads"):
        assert raw not in text, raw
    return text


def micro_form(demands: list[str], investment: str, name: str = "巷道修缮") -> dict:
    return {
        "county": COUNTY,
        "year": "2026",
        "town": "台城街道",
        "name": name,
        "content": "修补巷道路面",
        "implementing_body": "台城街道办事处",
        "investment": investment,
        "deadline": "2026-10-31",
        "demand_ids": demands,
    }


def test_propose_accept_fund_and_approve_through_pages(tmp_path: Path) -> None:
    flow = Flow(tmp_path)
    now = datetime(2026, 3, 1, 9, tzinfo=UTC)
    flow.api.state.clock.set(lambda: now)
    demands = flow.pooled_demands(3, text="巷道路面坑洼")
    flow.sync()

    flow.login("deputy", subject="dep-chen", name="陈代表")
    page = flow.client.get(f"/decision/micro/new?county={COUNTY}&town=台城街道")
    text = chinese(page.text)
    assert "巷道路面坑洼0" in text and "本县微实事单项上限 ¥100,000 元" in text and not unlabelled_fields(page.text)
    invalid = flow.client.post("/decision/micro", data=micro_form([], "abc"))
    assert invalid.status_code == 422
    text = chinese(invalid.text)
    assert "投资额度（元）须为数字" in text and "吸纳的群众诉求至少选 1 项" in text
    done = flow.client.post("/decision/micro", data=micro_form(demands[:1], "60000"), follow_redirects=False)
    assert done.status_code == 303, done.text
    micro_url = done.headers["location"]
    text = chinese(flow.client.get(micro_url).text)
    assert "待承办" in text and "陈代表" in text and "答复期限 2026-03-08" in text and "巷道路面坑洼0" in text
    assert "micro-actions" not in flow.client.get(micro_url).text  # the deputy only proposes

    # over the cap: escalated, said in Chinese, the demand back in the pool for a major candidate
    over = flow.client.post("/decision/micro", data=micro_form(demands[1:2], "350000", "加装电梯"))
    text = chinese(over.text)
    assert (
        "已升级为票决项目" in text
        and "投资额 350000 元超过微实事单项上限 100000 元（规则第 1 版），已转为项目建议" in text
    )
    assert "exceeds" not in text

    # a week later, not yet answered: overdue
    flow.api.state.clock.set(lambda: now + timedelta(days=8))
    listing = chinese(flow.client.get(f"/decision/micro?county={COUNTY}").text)
    assert "巷道修缮 待承办 已超期" in listing and "加装电梯 已升级为票决项目" in listing

    flow.login("gov_unit", subject="gov-li", name="李科长")
    page = flow.client.get(micro_url)
    assert 'value="accept"' in page.text and 'value="approve"' not in page.text and not unlabelled_fields(page.text)
    no_reason = flow.client.post(micro_url, data={"step": "decline", "reason": ""})
    assert no_reason.status_code == 409 and "不予实施须说明理由" in chinese(no_reason.text)
    accepted = chinese(flow.client.post(micro_url, data={"step": "accept", "reason": "街道承办"}).text)
    assert "已承办" in accepted and "李科长" in accepted and "已超期" not in accepted

    # the town's yearly fund: allocate, then approving charges it; overspending is refused in Chinese
    funds = flow.client.get(f"/decision/funds?county={COUNTY}")
    assert "尚未安排专项资金" in chinese(funds.text) and not unlabelled_fields(funds.text)
    bad = flow.client.post("/decision/funds", data={"county": COUNTY, "town": "台城街道", "year": "2026", "amount": ""})
    assert bad.status_code == 422 and "请填写安排金额（元）" in chinese(bad.text)
    allocated = flow.client.post(
        "/decision/funds",
        data={"county": COUNTY, "town": "台城街道", "year": "2026", "amount": "50000", "reason": "2026年预算"},
    )
    text = chinese(allocated.text)
    assert "台城街道 2026 年" in text and "已安排 ¥50,000" in text and "李科长" in text and "2026年预算" in text

    flow.login("congress_staff", subject="staff-wang", name="王主任")
    over_fund = flow.client.post(micro_url, data={"step": "approve", "reason": "街道议事会通过"})
    assert over_fund.status_code == 409
    assert "台城街道 2026 年微实事专项资金余额 50000 元，列支 60000 元将超支" in chinese(over_fund.text)
    flow.login("gov_unit", subject="gov-li", name="李科长")
    flow.client.post(
        "/decision/funds",
        data={"county": COUNTY, "town": "台城街道", "year": "2026", "amount": "20000", "reason": "追加"},
    )
    flow.login("congress_staff", subject="staff-wang", name="王主任")
    approved = chinese(flow.client.post(micro_url, data={"step": "approve", "reason": "街道议事会通过"}).text)
    assert "已批准" in approved and "王主任" in approved and "街道议事会通过" in approved
    ledger = chinese(flow.client.get(f"/decision/funds?county={COUNTY}").text)
    assert "已列支 ¥60,000" in ledger and "余额 ¥10,000" in ledger
    assert "列支¥60,000·项目：巷道修缮经办人：王主任" in ledger.replace(" ", "")
    assert "王主任" in ledger


def test_who_sees_and_does_what_on_the_micro_pages(tmp_path: Path) -> None:
    flow = Flow(tmp_path)
    flow.login("auditor", name="审计员")
    assert flow.client.get(f"/decision/micro?county={COUNTY}").status_code == 200
    assert "new-micro" not in flow.client.get(f"/decision/micro?county={COUNTY}").text
    assert "allocate" not in flow.client.get(f"/decision/funds?county={COUNTY}").text
    assert flow.client.get(f"/decision/micro/new?county={COUNTY}").status_code == 403
    flow.login("gov_unit", name="李科长")
    assert flow.client.get(f"/decision/micro/new?county={COUNTY}").status_code == 403
    flow.client.cookies.clear()
    assert flow.client.get(f"/decision/funds?county={COUNTY}", follow_redirects=False).status_code == 303
