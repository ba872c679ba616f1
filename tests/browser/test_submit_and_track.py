"""A resident, on a phone, submits a demand through the home page and follows it by its tracking code."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.browser

TOWN = "台城街道"
CATEGORY = "roads"
NAME = "李四"
PHONE = "13800138000"


def test_resident_submits_a_demand_and_tracks_it(running_product, browser_page, tmp_path: Path) -> None:
    page, origin = browser_page, running_product.origin
    text = f"希望修好村口的路，雨天积水严重。({uuid.uuid4().hex[:8]})"
    broken: list[str] = []

    def note_broken_static(response) -> None:
        if response.status >= 400 and "/static/" in response.url:
            broken.append(f"{response.status} {response.url}")

    page.on("pageerror", lambda error: broken.append(f"script error: {error}"))
    page.on("response", note_broken_static)

    page.goto(f"{origin}/")
    page.screenshot(path=tmp_path / "home.png", full_page=True)
    assert page.get_attribute("html", "lang") == "zh-CN"
    assert "实事" in page.title()
    page.click(".lang-toggle")
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert "Shishi" in page.title()
    page.click(".lang-toggle")
    page.wait_for_function("document.documentElement.lang === 'zh-CN'")

    page.get_by_role("link", name="提交诉求").click()
    page.wait_for_url(f"{origin}/intake/submit*")
    page.click("#other-county summary")  # the county by province: 广东省, then 台山市
    page.select_option("#province", "44")
    page.click("#province-form button[type=submit]")
    page.select_option("#county", "440781")
    page.click("#county-form button[type=submit]")
    page.wait_for_selector("#demand-form")
    labels = page.locator("#demand-form label").all_inner_texts()
    assert labels and all(re.search(r"[\u4e00-\u9fff]", label) for label in labels), labels  # no raw keys
    page.select_option("#town", TOWN)
    page.select_option("#category", CATEGORY)
    page.fill("#text", text)
    page.fill("#name", NAME)
    page.fill("#phone", PHONE)
    page.screenshot(path=tmp_path / "submit.png", full_page=True)
    page.click("#demand-form button[type=submit]")

    page.wait_for_url(re.compile(r"/intake/track/[A-Z0-9]+\?new=1$"))
    code = page.inner_text("#tracking-code").strip()
    assert re.fullmatch(r"[A-Z0-9]{10}", code)
    assert page.inner_text("#code").strip() == code
    page.screenshot(path=tmp_path / "tracking-new.png", full_page=True)

    page.goto(f"{origin}/")
    page.fill("#track-code", f" {code.lower()} ")  # as read aloud and typed on a phone
    page.click(".track-form button[type=submit]")
    page.wait_for_url(f"{origin}/intake/track/{code}")
    assert page.inner_text("#code").strip() == code
    assert page.locator("#timeline li").first.get_attribute("data-stage") == "submitted"
    assert page.locator("#timeline li[data-stage=submitted]").is_visible()
    page_text = page.inner_text("main")
    assert text in page_text
    assert NAME not in page_text and PHONE not in page_text  # contact details are never public
    page.screenshot(path=tmp_path / "tracking.png", full_page=True)

    tracked = httpx.get(f"{origin}/intake/api/track/{code}", timeout=10)
    assert tracked.status_code == 200
    demand = tracked.json()
    assert (demand["tracking_code"], demand["text"], demand["town"]) == (code, text, TOWN)
    assert NAME not in tracked.text and PHONE not in tracked.text

    wrong = page.goto(f"{origin}/intake/track/ZZZZZZZZZZ")
    assert wrong is not None and wrong.status == 404
    assert "没有找到这个跟踪码" in page.inner_text("main")
    page.screenshot(path=tmp_path / "not-found.png", full_page=True)
    assert httpx.get(f"{origin}/intake/api/track/ZZZZZZZZZZ", timeout=10).status_code == 404

    assert broken == []
