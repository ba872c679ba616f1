"""On a 390 px phone, through pages only: a resident picks the county and the town, submits a demand,
follows it, sees it merged into a project suggestion, sees the project it became and, once the project
is accepted, rates it from the tracking page, once; the second time they are answered kindly. Then staff
correct a dead-lettered 12345 ticket through its form. No page is wider than the phone."""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import nats
import pytest

from shared.auth import COOKIE, issue_token
from shared.config import Settings

pytestmark = pytest.mark.browser
COUNTY = "440781"
PHONE_WIDTH = 390


def wait_for(predicate, what: str, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def fits(page) -> None:
    """The page is no wider than the phone: tables are cards or scroll in their own box."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{page.url} is {width} px wide on a {PHONE_WIDTH} px phone"


def publish_ticket(nats_url: str, body: dict) -> None:
    async def go() -> None:
        nc = await nats.connect(nats_url)
        await nc.jetstream().publish(f"hotline.{COUNTY}.tickets", json.dumps(body, ensure_ascii=False).encode())
        await nc.drain()

    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API holds this thread's event loop
        pool.submit(asyncio.run, go()).result()


def test_a_resident_follows_a_demand_to_its_rating_and_staff_correct_a_dead_letter(
    running_product, browser_page, tmp_path: Path
) -> None:
    page, origin = browser_page, running_product.origin
    web = httpx.Client(base_url=origin, timeout=30)
    auth = {
        r: {"authorization": f"Bearer {running_product.token(r)}"} for r in ("congress_staff", "gov_unit", "deputy")
    }
    tag = uuid.uuid4().hex[:6]
    text = f"台城环市路路灯坏了好几盏，晚上很黑 {tag}"
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    # the resident: the home page, the county by province, the town from the list
    page.goto(f"{origin}/")
    page.get_by_role("link", name="提交诉求").click()
    page.wait_for_selector("#county-form")
    fits(page)
    page.click("#other-county summary")
    page.select_option("#province", "44")
    page.click("#province-form button[type=submit]")
    page.select_option("#county", COUNTY)
    page.click("#county-form button[type=submit]")
    page.wait_for_selector("#demand-form")
    assert "广东省江门市台山市" in page.inner_text("#county-chosen")
    page.select_option("#town", "台城街道")
    page.select_option("#category", "roads")
    page.fill("#text", text)
    fits(page)
    page.click("#demand-form button[type=submit]")
    page.wait_for_url(re.compile(r"/intake/track/[A-Z0-9]+\?new=1$"))
    code = page.inner_text("#tracking-code").strip()
    fits(page)
    page.screenshot(path=tmp_path / "tracked.png", full_page=True)
    mine = next(
        d["id"]
        for d in web.get(f"/intake/api/counties/{COUNTY}/demands?q={tag}", headers=auth["congress_staff"]).json()[
            "items"
        ]
    )

    # staff merge it with a neighbour's demand (their own pages are tested elsewhere)
    other = web.post(
        "/intake/api/demands",
        json={"county": COUNTY, "town": "台城街道", "category": "roads", "text": f"环市路路灯不亮 {tag}"},
    ).json()
    title = f"环市路路灯改造 {tag}"
    web.post(
        f"/intake/api/counties/{COUNTY}/suggestions",
        headers=auth["congress_staff"],
        json={"title": title, "demand_ids": [mine, other["id"]]},
    ).raise_for_status()
    page.goto(f"{origin}/intake/track/{code}")
    assert f"已与同类诉求一起并入项目建议「{title}」" in page.inner_text("#fate")
    fits(page)

    # it becomes a micro project, which is completed and accepted
    wait_for(
        lambda: any(
            d["id"] == mine
            for d in web.get(f"/decision/api/counties/{COUNTY}/pool", headers=auth["congress_staff"]).json()["items"]
        ),
        "the pool",
    )
    micro = web.post(
        f"/decision/api/counties/{COUNTY}/micro-projects",
        headers=auth["deputy"],
        json={
            "year": 2025,
            "town": "台城街道",
            "name": title,
            "content": "更换路灯",
            "implementing_body": "台城街道办事处",
            "investment": "60000",
            "deadline": "2025-09-30",
            "demand_ids": [mine],
        },
    )
    assert micro.status_code == 201, micro.text
    web.post(
        f"/decision/api/micro-projects/{micro.json()['id']}/approve",
        headers=auth["congress_staff"],
        json={"reason": "通过"},
    ).raise_for_status()
    project = micro.json()["project_id"]
    wait_for(
        lambda: web.get(f"/supervision/api/projects/{project}", headers=auth["congress_staff"]).status_code == 200,
        "file",
    )
    for path, role, body in [
        # no monthly entry was made, so completing it needs the recorded reason (below 100%)
        (
            "completion",
            "gov_unit",
            {"completed_on": "2025-08-31", "spent": "58000", "note": "完工", "reason": "一次完工"},
        ),
        ("acceptance", "congress_staff", {"verdict": "accepted"}),  # no group was formed: staff check it
    ]:
        web.post(f"/supervision/api/projects/{project}/{path}", headers=auth[role], json=body).raise_for_status()
    wait_for(lambda: web.get(f"/evaluation/api/projects/{project}/rating").status_code == 200, "the rating")

    # the resident sees the project and rates it from the tracking page, once
    def rate_link_shown() -> bool:
        page.goto(f"{origin}/intake/track/{code}")
        return page.locator("#rate-link").count() == 1

    wait_for(rate_link_shown, "the rating link on the tracking page")
    assert title in page.inner_text("#fate")
    fits(page)
    page.click("#rate-link")
    page.wait_for_url(re.compile(rf"/evaluation/projects/{project}/rate\?code={code}$"))
    assert page.input_value("#f-code") == code
    fits(page)
    page.check("input[name=level][value=satisfied]")
    page.click("#resident-rate button[type=submit]")
    assert "感谢您的评价" in page.inner_text("#rated")
    page.goto(f"{origin}/intake/track/{code}")
    page.click("#rate-link")
    page.check("input[name=level][value=unsatisfied]")
    page.click("#resident-rate button[type=submit]")
    kind = page.inner_text("#already-rated")
    assert "您已经用这个跟踪码评价过这个项目了" in kind and "{" not in page.inner_text("main")
    fits(page)
    page.screenshot(path=tmp_path / "rated-twice.png", full_page=True)
    page.goto(f"{origin}/evaluation/?county={COUNTY}")
    fits(page)

    # staff correct a dead-lettered ticket by its form
    ticket_id = f"T-{tag}"
    publish_ticket(
        running_product.nats_url,
        {
            "ticket_id": ticket_id,
            "county": COUNTY,
            "category": "roads",
            "text": f"环市路井盖缺失 {tag}",
            "town": "台城街道",
            "caller_name": "陈先生",
        },
    )
    secret = Settings(data_dir=running_product.data_dir).resolved_jwt_secret()
    staff = issue_token(secret, subject=f"staff-{tag}", roles=["congress_staff"], counties=[COUNTY], name="赵敏")
    page.context.add_cookies([{"name": COOKIE, "url": origin, "value": staff}])

    def letter_form():
        page.goto(f"{origin}/intake/deadletters?county={COUNTY}")
        found = page.locator(f"section.deadletter:has(input[name=ticket_id][value='{ticket_id}'])")
        return found if found.count() == 1 else None

    letter = wait_for(letter_form, "the dead letter")
    assert "请填写来电时间" in letter.inner_text()
    fits(page)
    received = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%dT%H:%M")  # the form is China time
    letter.locator("input[name=received_at]").fill(received)
    sequence = letter.get_attribute("data-sequence")
    letter.locator("button[value=resubmit]").click()
    page.wait_for_selector("#done")

    def resolved():
        page.goto(f"{origin}/intake/deadletters?county={COUNTY}")
        shown = page.locator(f"section.deadletter[data-sequence='{sequence}'] .resolution")
        return shown.count() == 1 and shown.inner_text()

    assert "已更正并重新提交 · 处理人 赵敏" in wait_for(resolved, "the resolution, by name")
    fits(page)
    page.screenshot(path=tmp_path / "deadletter.png", full_page=True)
    wait_for(
        lambda: any(
            d["hotline_ticket_id"] == ticket_id
            for d in web.get(f"/intake/api/counties/{COUNTY}/demands?q={tag}", headers=auth["congress_staff"]).json()[
                "items"
            ]
        ),
        "the corrected ticket's demand",
    )
    # staff's pages of intake and evaluation fit the phone too
    for path in (
        f"/intake/queue?county={COUNTY}",
        f"/intake/merge?county={COUNTY}",
        f"/intake/entry?county={COUNTY}",
        f"/intake/stranded?county={COUNTY}",
        f"/intake/demands/{mine}",
        f"/evaluation/board?county={COUNTY}",
        f"/evaluation/followup?county={COUNTY}",
        f"/evaluation/metrics?county={COUNTY}&year=2025",
        f"/evaluation/projects/{project}",
    ):
        page.goto(f"{origin}{path}")
        fits(page)
    assert errors == []
