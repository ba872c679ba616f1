"""A project's year in supervision on a 390 px phone, through the pages only, each step by the person
who takes it: the unit files the plan and a monthly entry, staff form the group, a group deputy records
a finding on site, staff assign it, the unit answers, the deputy accepts the answer, the unit reports
completion (refused below 100% without a reason, then given one), the deputy checks acceptance (验收).
No page is wider than the phone. The project itself arrives as decision publishes it (a micro project
proposed and approved through decision's API: its pages are decision's)."""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.auth import COOKIE, issue_token
from shared.config import Settings

pytestmark = pytest.mark.browser
COUNTY = "440781"
BODY = "台城街道办事处"


def wait_for(predicate: Any, what: str, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def adopted_micro_project(web: httpx.Client, auth: dict[str, dict[str, str]], name: str) -> str:
    demand = web.post(
        "/intake/api/demands",
        json={"county": COUNTY, "town": "台城街道", "category": "roads", "text": f"巷道破损 {name}"},
    ).json()["id"]
    pool = f"/decision/api/counties/{COUNTY}/pool"
    wait_for(lambda: any(d["id"] == demand for d in web.get(pool, headers=auth["staff"]).json()["items"]), "the pool")
    year = time.localtime().tm_year
    micro = web.post(
        f"/decision/api/counties/{COUNTY}/micro-projects",
        headers=auth["deputy"],
        json={
            "year": year,
            "town": "台城街道",
            "name": name,
            "content": "修补巷道路面",
            "implementing_body": BODY,
            "investment": "80000",
            "deadline": f"{year}-12-31",
            "demand_ids": [demand],
        },
    )
    assert micro.status_code == 201, micro.text
    approved = web.post(
        f"/decision/api/micro-projects/{micro.json()['id']}/approve", headers=auth["staff"], json={"reason": "通过"}
    )
    assert approved.status_code == 200, approved.text
    return str(micro.json()["project_id"])


def test_a_project_year_on_a_phone_through_the_pages(running_product, browser_page, tmp_path: Path) -> None:
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

    def as_(who: str) -> None:
        page.context.clear_cookies()
        page.context.add_cookies([{"name": COOKIE, "value": tokens[who], "url": origin}])

    def fits(what: str) -> None:
        """No horizontal overflow on the phone, and a picture of the page."""
        width = page.evaluate("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")
        page.screenshot(path=tmp_path / f"{next(shots):02d}-{what}.png", full_page=True)
        assert width <= 390, f"{what}: {width} px wide on a 390 px phone"

    def open_page(path: str, selector: str, what: str) -> None:
        """Go to ``path`` until ``selector`` is there (the read models follow the store by a moment)."""

        def there() -> bool:
            page.goto(f"{origin}{path}")
            return page.locator(selector).count() > 0

        wait_for(there, what, timeout=30)
        fits(what)

    name = f"巷道修缮{marker}"
    with httpx.Client(base_url=origin, timeout=30) as web:
        pid = adopted_micro_project(web, auth, name)
    card = f"section.work[data-project='{pid}']"
    unit_list = f"/supervision/unit?county={COUNTY}"

    # the responsible unit files the implementation plan from its worklist
    as_("unit")
    open_page(unit_list, f"{card} [data-todo=plan]", "unit-worklist")
    page.click(f"{card} a[href$='/plan']")
    page.wait_for_selector("#plan-form")
    fits("plan-form")
    for field, value in {
        "#line_name_1": "工程费",
        "#line_amount_1": "80000",
        "#task_name_1": "路面修补",
        "#task_unit_1": BODY,
        "#task_person_1": "陈主任",
        "#task_budget_1": "80000",
        "#ms_name_1": "完工",
        "#ms_target_1": "100",
    }.items():
        page.fill(field, value)
    year = time.localtime().tm_year
    page.fill("#task_due_1", f"{year}-12-20")
    page.fill("#ms_due_1", f"{year}-12-20")
    assert page.locator("#task_line_1 option[value=B1]").inner_text() == "工程费"  # picked by its name
    page.click("#plan-form button[type=submit]")
    page.wait_for_url(re.compile(r"done=plan_filed"))
    assert "实施方案已报送" in page.inner_text(".flash")
    fits("plan-filed")

    # and this month's entry
    open_page(unit_list, f"{card} a[href$='/progress']", "unit-worklist-2")
    page.click(f"{card} a[href$='/progress']")
    page.wait_for_selector("#progress-form")
    page.fill("#task_pct_t1", "60")
    page.fill("#spent_B1", "40000")
    page.fill("#note", "完成路面铣刨")
    fits("progress-form")
    page.click("#progress-form button[type=submit]")
    page.wait_for_url(re.compile(r"done=progress_reported"))

    # staff form the supervision group
    as_("staff")
    open_page(f"/supervision/staff?county={COUNTY}", f"#groups-missing [data-project='{pid}']", "staff-worklist")
    page.click(f"#groups-missing [data-project='{pid}'] a[href$='/group']")
    page.wait_for_selector("#group-form")
    for n, who in enumerate(("王代表", "赵代表", "钱代表"), start=1):
        page.fill(f"#dep_name_{n}", who)
        page.fill(f"#dep_id_{n}", f"dep-{marker}-{n}")
    page.fill("#res_name_1", "居民陈阿姨")
    fits("group-form")
    page.click("#group-form button[type=submit]")
    page.wait_for_url(re.compile(r"done=group_assigned"))

    # a group deputy records a finding on site
    as_("deputy")
    open_page("/supervision/inspect", f"section[data-project='{pid}'] .finding-form", "inspect")
    section = f"section[data-project='{pid}']"
    page.fill(f"#location-{pid}", "巷口")
    page.fill(f"#text-{pid}", "施工围挡缺失，夜间无警示灯")
    page.select_option(f"#sev-{pid}", "high")
    page.click(f"{section} .finding-form button[type=submit]")
    page.wait_for_url(re.compile(r"done=finding_recorded"))
    fits("finding-recorded")

    # staff assign it to the unit
    as_("staff")
    open_page(f"/supervision/staff?county={COUNTY}", "#to-assign .assign-form", "staff-assign")
    assert "提出人 王代表" in page.inner_text("#to-assign")
    page.click("#to-assign .assign-form button[type=submit]")
    page.wait_for_url(re.compile(r"done=finding_assigned"))

    # the unit answers it
    as_("unit")
    open_page(unit_list, f"{card} .answer-form", "unit-answer")
    page.fill(f"{card} .answer-form textarea", "已补齐围挡并加装警示灯")
    page.click(f"{card} .answer-form button[type=submit]")
    page.wait_for_url(re.compile(r"done=finding_answered"))

    # the deputy accepts the answer: the finding is closed
    as_("deputy")
    open_page("/supervision/inspect", f"{section} .review-form", "inspect-review")
    page.click(f"{section} .review-form button[value=yes]")
    page.wait_for_url(re.compile(r"done=finding_reviewed"))

    # completion: refused below 100% without a reason, in Chinese; then with one
    as_("unit")
    open_page(unit_list, f"{card} a[href$='/completion']", "unit-completion")
    page.click(f"{card} a[href$='/completion']")
    page.wait_for_selector("#completion-form")
    assert "未达 100%" in page.inner_text("#reason-needed")
    page.fill("#spent", "78000")
    page.click("#completion-form button[type=submit]")
    page.wait_for_selector(".problem")
    assert "报告完工须说明理由" in page.inner_text(".problem") and "below" not in page.inner_text(".problem")
    fits("completion-refused")
    page.fill("#reason", "剩余收尾工程已于本月完成，月度进度未及填报")
    page.click("#completion-form button[type=submit]")
    page.wait_for_url(re.compile(r"done=completion_reported"))

    # the group deputy checks acceptance (验收)
    as_("deputy")
    open_page("/supervision/inspect", f"{section} a[href$='/acceptance']", "inspect-acceptance")
    page.click(f"{section} a[href$='/acceptance']")
    page.wait_for_selector("#acceptance-form")
    assert "剩余收尾工程" in page.inner_text("#completion-report")
    fits("acceptance-form")
    page.click("#acceptance-form button[type=submit]")
    page.wait_for_url(re.compile(r"done=acceptance_checked"))

    # everyone sees the outcome on the project's page
    page.context.clear_cookies()
    open_page(f"/supervision/projects/{pid}", "#acceptance", "project-page")
    assert "验收通过 · 王代表" in page.inner_text("#acceptance")
    assert errors == []
