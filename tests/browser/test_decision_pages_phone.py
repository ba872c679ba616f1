"""The decision steps on a 390 px phone through pages only, no API call: residents' demands reach the pool;
the government drafts candidates by ticking them and screens each; staff take the list through the approval
chain, schedule the session with its roll ticked from intake's deputies registry, check the deputies in,
run a paper vote counted by two tellers; the public results show the two candidates with equal yes-votes
sharing first place (并列). No page is wider than the phone."""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser
COUNTY = "440781"
TOWN = "台城街道"
CRITERIA = ("necessity", "feasibility", "inclusiveness", "regional_balance", "urgency", "benefit", "conditions")


class Phone:
    """The browser page, with a check after every page that nothing is wider than the screen."""

    def __init__(self, page: Any, origin: str, shots: Path) -> None:
        self.page, self.origin, self.shots = page, origin, shots
        self.errors: list[str] = []
        self.api_calls: list[str] = []
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("dialog", lambda dialog: dialog.accept())  # "close the vote?" and the like
        page.on("request", lambda r: self.api_calls.append(r.url) if "/api/" in r.url else None)

    def fits(self, name: str) -> None:
        self.page.wait_for_load_state()
        width = self.page.evaluate("document.documentElement.scrollWidth")
        self.page.screenshot(path=self.shots / f"{name}.png", full_page=True)
        assert width <= 390, f"{name}: {width} px wide at 390 px ({self.page.url})"

    def goto(self, path: str, name: str = "") -> None:
        self.page.goto(f"{self.origin}{path}")
        if name:
            self.fits(name)

    def submit(self, button: str, name: str = "") -> None:
        with self.page.expect_navigation():
            self.page.click(button)
        if name:
            self.fits(name)

    def login(self, role: str, name: str) -> None:
        """The dev login page, as a person signs in (the same name is the same account)."""
        self.goto("/login")
        self.page.select_option("#f-role", role)
        self.page.fill("#f-counties", COUNTY)
        self.page.fill("#f-name", name)
        self.submit("form[action='/login'] button[type=submit]")

    def set(self, selector: str, value: str) -> None:
        """A field, whether a text box or a list to choose from."""
        if self.page.eval_on_selector(selector, "el => el.tagName") == "SELECT":
            self.page.select_option(selector, value)
        else:
            self.page.fill(selector, value)


def test_the_decision_steps_on_a_phone_through_pages_only(running_product, browser_page, tmp_path: Path) -> None:
    tag = uuid.uuid4().hex[:6]
    phone = Phone(browser_page, running_product.origin, tmp_path)
    page = phone.page

    # residents raise three demands on the phone form
    for n in range(3):
        phone.goto(f"/intake/submit?county={COUNTY}")
        phone.set("#town", TOWN)
        phone.set("#category", "roads")
        page.fill("#text", f"路灯不亮，夜里不安全{n} {tag}")
        phone.submit("#demand-form button[type=submit]")
        page.wait_for_url(re.compile(r"/intake/track/"))

    # congress staff register the deputies the roll is picked from
    phone.login("congress_staff", f"王主任{tag}")
    deputies = [(f"dep-{tag}-{n}", f"代表{n}号{tag}") for n in range(3)]
    for deputy_id, name in deputies:
        phone.goto(f"/intake/registry?county={COUNTY}")
        page.fill("#f-deputy_id", deputy_id)
        page.fill("#f-d-name", name)
        phone.set("#f-d-town", TOWN)
        phone.submit("#add-deputy button[type=submit]")

    # the government drafts three candidates, ticking the demands in the pool, and screens each
    phone.login("gov_unit", f"李科长{tag}")
    deadline = time.monotonic() + 45
    while True:  # the demands reach decision over NATS
        phone.goto(f"/decision/candidates/new?county={COUNTY}&q={tag}")
        if page.locator("#pool input[type=checkbox]").count() == 3 or time.monotonic() > deadline:
            break
        time.sleep(1)
    phone.fits("candidate-new")
    names = [f"路灯改造{n}号{tag}" for n in range(3)]
    for n, name in enumerate(names):
        phone.goto(f"/decision/candidates/new?county={COUNTY}&q={tag}")
        page.locator("#pool input[type=checkbox]").first.check()
        page.fill("#f-name", name)
        page.fill("#f-content", "更换路灯，加装照明")
        page.fill("#f-implementing_body", "台山市住房和城乡建设局")
        page.fill("#f-investment", str(800000 + n * 100000))
        page.fill("#f-deadline", "2026-12-31")
        page.locator(f"#coverage label.pick:has-text('{TOWN}') input").check()
        phone.submit("#draft-candidate", f"candidate-{n}")
        assert "待初审" in page.inner_text("#screening")
        for k, criterion in enumerate(CRITERIA):
            page.check(f"input[name='score:{criterion}'][value='{5 - (n + k) % 2}']")
        page.fill("#f-reason-necessity", "群众夜间出行不便")
        phone.submit("#screen-save", f"screened-{n}")
        assert "李科长" in page.inner_text("#screening")

    # ... and the list of the three
    phone.goto(f"/decision/candidates?county={COUNTY}", "candidates")
    for name in names:
        page.locator(f"#draft-list label.pick:has-text('{name}') input").check()
    page.fill("#draft-list #f-title", f"2026年民生实事候选项目{tag}")
    phone.submit("#draft-list-submit", "list")
    list_url = page.url
    assert "主任会议 待审" in page.inner_text("#chain")

    # congress staff take it through the chain and schedule the session from it
    phone.login("congress_staff", f"王主任{tag}")
    page.goto(list_url)
    for step in ("主任会议", "党委审定", "常委会审议通过", "大会主席团"):
        assert f"{step} 待审" in page.inner_text("#chain")
        page.fill("#f-reason", "同意")
        phone.submit("#approve", f"approved-{step}")
    assert "王主任" in page.inner_text("#history") and "已提交大会" in page.inner_text("h1")
    phone.submit("#schedule", "session-new")
    for deputy_id, _ in deputies:
        page.check(f"input[name=deputies][value='{deputy_id}']")
    page.fill("#f-name", f"2026年人民代表大会{tag}")
    phone.submit("#schedule-session", "console")
    console_url = page.url
    for deputy_id, _ in deputies:
        phone.submit(f"li[data-deputy='{deputy_id}'] button")
    assert page.inner_text("#present-count") == "3"
    phone.fits("checked-in")

    # a paper vote for two seats, counted by one teller and confirmed by another
    page.fill("#f-seats", "2")
    page.select_option("#f-kind", "competitive")
    page.select_option("#f-mode", "paper")
    phone.submit("#open-vote", "vote-open")
    page.fill("#f-box_no", "1")
    page.fill("#f-issued", "3")
    page.fill("#f-returned", "3")
    page.fill("#f-invalid", "0")
    for name, (yes, no) in zip(names, [(3, 0), (3, 0), (0, 3)], strict=True):
        counts = page.locator(f"fieldset.counts:has(legend:has-text('{name}'))")
        counts.locator("input[name$=':yes']").fill(str(yes))
        counts.locator("input[name$=':no']").fill(str(no))
    phone.submit("#enter-box", "box-entered")
    phone.login("congress_staff", f"李科员{tag}")
    page.goto(console_url)
    phone.submit("#confirm-1", "box-confirmed")
    tellers = page.inner_text("#vote")
    assert f"王主任{tag}" in tellers and f"李科员{tag}" in tellers
    phone.submit("#close-vote", "closed")
    assert "已决定" in page.inner_text("h1")

    # the round's attendance by name, and the public results with 并列
    session_path = re.sub(r"^https?://[^/]+", "", console_url).rsplit("/console", 1)[0]
    phone.goto(f"{session_path}/rounds/1", "round")
    assert all(name in page.inner_text("#attendance") for _, name in deputies)
    # the other pages of decision, and every service's rules page, fit the phone too
    for path in ("/decision/", "/decision/sessions", "/decision/micro", "/decision/funds", "/decision/micro/new"):
        phone.goto(f"{path}?county={COUNTY}", path.strip("/").replace("/", "-"))
    for service in ("decision", "intake", "supervision", "evaluation"):
        phone.goto(f"/{service}/rules?county={COUNTY}", f"rules-{service}")
        assert page.locator(".card.rule").count() >= 6
    page.context.clear_cookies()
    phone.goto(f"/decision/results?county={COUNTY}", "results")
    result = page.locator(".result", has_text=f"2026年人民代表大会{tag}")
    text = result.inner_text()
    assert text.count("第 1 名（并列）") == 2 and names[0] in text and names[1] in text and names[2] not in text
    assert phone.errors == []
    assert [url for url in phone.api_calls if "/decision/api/" in url and "result-sheet" not in url] == []
