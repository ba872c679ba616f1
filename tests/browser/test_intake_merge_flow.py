"""Submit → triage → merge → the resident sees the merge on the tracking page, in Chromium."""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.browser


def test_submit_triage_merge_and_the_resident_sees_it(running_product, browser_page, tmp_path: Path) -> None:
    page, origin = browser_page, running_product.origin
    tag = uuid.uuid4().hex[:6]
    town = f"测试街道{tag}"
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    # a resident submits on the phone form
    page.goto(f"{origin}/intake/submit?county=440781&town={town}")  # a link naming the town preselects it
    assert page.input_value("#town") == town
    page.select_option("#category", "housing")
    page.fill("#text", f"3栋屋顶漏水，墙面发霉 {tag}")
    page.click("#demand-form button[type=submit]")
    page.wait_for_url(re.compile(r"/intake/track/[A-Z0-9]+\?new=1$"))
    code = page.inner_text("#tracking-code").strip()
    # a neighbour's demand arrives by API
    other = httpx.post(
        f"{origin}/intake/api/demands",
        timeout=10,
        json={"county": "440781", "town": town, "category": "housing", "text": f"小区下水道经常堵 {tag}"},
    ).json()

    # staff triage it from the queue
    page.context.add_cookies(
        [{"name": "shishi_token", "value": running_product.token("congress_staff"), "url": origin}]
    )
    deadline = time.monotonic() + 30
    while True:  # the queue is read from the read models: the neighbour's demand shows once folded
        page.goto(f"{origin}/intake/queue?county=440781&town={town}")
        rows = page.locator("#queue tbody tr[data-id]").count()
        if rows == 2 or time.monotonic() > deadline:
            break
        page.wait_for_timeout(500)
    assert rows == 2, page.inner_text("main")[:1000]
    page.screenshot(path=tmp_path / "queue.png", full_page=True)
    page.click(f"#queue a:has-text('{tag}') >> nth=0")
    page.wait_for_url(re.compile(r"/intake/demands/"))
    page.select_option("#triage-form select[name=kind]", "common")
    page.select_option("#triage-form select[name=scope]", "community")
    page.fill("#triage-form input[name=estimate]", "60000")
    page.click("#triage-form button[type=submit]")
    page.wait_for_function("document.querySelector('#tier').innerText.includes('民生微实事')")
    page.screenshot(path=tmp_path / "triaged.png", full_page=True)

    # and merge both into one project suggestion in the merge workspace
    title = f"{town}老旧小区改造"
    page.goto(f"{origin}/intake/merge?county=440781&town={town}")
    page.check(f"input[data-code='{code}']")
    page.check(f"input[data-code='{other['tracking_code']}']")
    page.fill("#merge-title", title)
    page.click("#merge-form button[type=submit]")
    page.wait_for_selector(f".suggestion h3:has-text('{title}')")
    page.screenshot(path=tmp_path / "merged.png", full_page=True)

    # the resident, without an account, sees what became of the demand
    page.context.clear_cookies()
    page.goto(f"{origin}/intake/track/{code}")
    merged = page.locator("#timeline li[data-stage=merged]")
    merged.wait_for()
    assert title in merged.inner_text() and "已并入建议" in merged.inner_text()
    page.screenshot(path=tmp_path / "track-merged.png", full_page=True)
    assert errors == []
