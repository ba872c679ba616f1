"""Supervision's remaining steps on a 390 px phone, through their pages, each by the person who takes it:
staff correct a project's session close (so its plan is overdue) and, once the sweep has warned of it,
resolve the warning from the dashboard; the unit asks for an extension and staff approve it; the unit
files the report due; staff record a special inquiry and an audit finding and change the group's
roster. No page is wider than the phone, and the public page shows what was done. The project arrives
as decision publishes it (a micro project approved through decision's API: its pages are decision's);
its plan and group are set through the API, their pages being walked in test_supervision_year.py."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.auth import COOKIE, issue_token
from shared.config import Settings
from shared.kernel.china_time import china_date
from tests.browser.test_supervision_year import BODY, COUNTY, adopted_micro_project, wait_for

pytestmark = pytest.mark.browser
AXE = """async () => (await axe.run()).violations
  .filter(v => v.impact === "serious" || v.impact === "critical")
  .map(v => v.id + ": " + v.nodes.map(n => n.target.join(" ")).join(", "))"""


def test_supervision_steps_on_a_phone(running_product: Any, browser_page: Any, tmp_path: Path) -> None:
    origin, page = running_product.origin, browser_page
    secret = Settings(data_dir=running_product.data_dir).resolved_jwt_secret()
    marker = uuid.uuid4().hex[:6]
    people = {
        "unit": ("gov_unit", f"unit-{marker}", BODY),
        "staff": ("congress_staff", f"staff-{marker}", "人大办小刘"),
        "deputy": ("deputy", f"dep-{marker}-1", "王代表"),
    }
    tokens = {
        who: issue_token(secret, subject=subject, roles=[role], counties=[COUNTY], name=name)
        for who, (role, subject, name) in people.items()
    }
    auth = {who: {"authorization": f"Bearer {token}"} for who, token in tokens.items()}
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    shots = iter(range(100))
    today = china_date(datetime.now(UTC))

    def as_(who: str) -> None:
        page.context.clear_cookies()
        page.context.add_cookies([{"name": COOKIE, "value": tokens[who], "url": origin}])

    def fits(what: str) -> None:
        """No horizontal overflow on the phone, no serious or critical axe-core violation, and a picture."""
        width = page.evaluate("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")
        page.screenshot(path=tmp_path / f"{next(shots):02d}-{what}.png", full_page=True)
        assert width <= 390, f"{what}: {width} px wide on a 390 px phone"
        page.add_script_tag(url=f"{origin}/supervision/static/vendor/axe.min.js")
        violations = page.evaluate(AXE)
        assert violations == [], f"{what}: {violations}"

    def open_page(path: str, selector: str, what: str) -> None:
        def there() -> bool:
            page.goto(f"{origin}{path}")
            return page.locator(selector).count() > 0

        wait_for(there, what, timeout=30)
        fits(what)

    def submit(form: str, done: str, what: str) -> None:
        fits(what)
        page.click(f"{form} button[type=submit]")
        page.wait_for_url(re.compile(rf"done={done}"))
        fits(f"{what}-done")

    name = f"巷道照明{marker}"
    web = httpx.Client(base_url=origin, timeout=30)
    pid = adopted_micro_project(web, auth, name)
    api = f"/supervision/api/projects/{pid}"
    wait_for(lambda: web.get(api, headers=auth["staff"]).status_code == 200, "the project in supervision")

    # staff correct the project's session close: the plan is now overdue, and the sweep warns of it
    as_("staff")
    open_page(f"/supervision/session-close?county={COUNTY}", "#session-close-form", "session-close")
    open_page(f"/supervision/projects/{pid}/session-close", "#session-close-form", "session-close-project")
    page.fill("#closed_on", (today - timedelta(days=40)).isoformat())
    page.fill("#reason", "按微实事批准文件日期起算")
    submit("#session-close-form", "session_close_recorded", "session-close-project")
    assert web.post(f"/supervision/api/counties/{COUNTY}/sweep", headers=auth["staff"]).status_code == 200
    resolve = f"a[href^='/supervision/projects/{pid}/warnings/plan_missing']"
    open_page(f"/supervision/dashboard?county={COUNTY}", resolve, "dashboard")
    page.click(resolve)
    page.wait_for_selector("#resolve-form")
    assert "实施方案逾期未报" in page.inner_text("#warning")
    page.fill("#resolve-reason", "已督促，责任单位当日报送")
    submit("#resolve-form", "warning_resolved", "resolve-warning")

    # the plan and the group, through the API
    year = today.year
    plan = {
        "budget_lines": [{"code": "B1", "name": "工程费", "amount": "80000"}],
        "tasks": [
            {
                "id": "t1",
                "name": "安装路灯",
                "unit": BODY,
                "person": "陈主任",
                "due": f"{year}-12-20",
                "budget_line": "B1",
                "budget": "80000",
            }
        ],
        "milestones": [{"id": "m1", "name": "完工", "due": f"{year}-12-20", "target_pct": 100}],
    }
    assert web.post(f"{api}/plan", headers=auth["unit"], json=plan).status_code == 201
    deputies = [{"id": f"dep-{marker}-{n}", "name": who} for n, who in enumerate(("王代表", "赵代表", "钱代表"), 1)]
    group = {"deputies": deputies, "residents": [{"id": f"res-{marker}", "name": "居民陈阿姨"}]}
    assert web.post(f"{api}/group", headers=auth["staff"], json=group).status_code == 200

    # the unit asks for an extension from its worklist; staff approve it from theirs
    as_("unit")
    card = f"section.work[data-project='{pid}']"
    open_page(f"/supervision/unit?county={COUNTY}", f"{card} a[href$='/changes']", "unit-worklist")
    page.click(f"{card} a[href$='/changes']")
    page.wait_for_selector("#change-form")
    page.check("#kind-extension")
    page.fill("#new_deadline", f"{year + 1}-03-31")
    page.fill("#reason", "冬季低温无法施工")
    submit("#change-form", "change_requested", "change-form")
    as_("staff")
    pending = f"#changes-pending a[href*='/projects/{pid}/changes/']"
    open_page(f"/supervision/staff?county={COUNTY}", pending, "staff-worklist")
    page.click(pending)
    page.wait_for_selector("#decision-form")
    assert "冬季低温无法施工" in page.inner_text("#change-reason")
    page.check("#approved-yes")
    page.fill("#decision-reason", "情况属实，同意延期")
    submit("#decision-form", "change_decided", "decision-form")

    # the unit files a report
    as_("unit")
    open_page(f"/supervision/unit?county={COUNTY}", f"{card} a[href$='/reports']", "unit-worklist-2")
    page.click(f"{card} a[href$='/reports']")
    page.wait_for_selector("#report-form")
    page.fill("#text", "路灯基础已浇筑")
    submit("#report-form", "report_filed", "report-form")

    # staff record a special inquiry and an audit finding, and change the roster
    as_("staff")
    open_page(f"/supervision/projects/{pid}/inquiries", "#inquiry-form", "inquiry-form")
    page.fill("#topic", "照明工程进度")
    page.fill("#q_text_1", "何时亮灯？")
    page.fill("#q_answer_1", "年底前")
    page.fill("#follow_1", "一月初复查")
    submit("#inquiry-form", "inquiry_recorded", "inquiry-form")
    open_page(f"/supervision/projects/{pid}/audits", "#audit-form", "audit-form")
    page.fill("#audit-text", "材料价格高于市场价")
    page.fill("#amount_questioned", "3000")
    page.select_option("#budget_line", "B1")
    submit("#audit-form", "audit_recorded", "audit-form")
    open_page(f"/supervision/projects/{pid}/group", "#roster-form", "roster-form")
    page.check("#leave-3")
    page.fill("#join_dep_name_1", "孙代表")
    page.fill("#join_dep_id_1", f"dep-{marker}-4")
    page.fill("#roster-reason", "钱代表工作调动")
    submit("#roster-form", "roster_changed", "roster-form")

    # everyone sees it on the project's page
    page.context.clear_cookies()
    open_page(f"/supervision/projects/{pid}", "#inquiries", "project-page")
    text = page.inner_text("main") if page.locator("main").count() else page.inner_text("body")
    for seen in (
        "冬季低温无法施工",
        "情况属实，同意延期",
        "路灯基础已浇筑",
        "何时亮灯？",
        "材料价格高于市场价",
        "钱代表工作调动",
    ):
        assert seen in text, seen
    web.close()
    assert errors == []
