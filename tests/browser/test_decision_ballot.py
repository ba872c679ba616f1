"""A deputy, on a phone, checks in, fills the ballot with large touch targets, reviews it, confirms,
and later finds the receipt on the published list; the public results page shows the outcome."""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path

import httpx
import pytest

from shared.auth import COOKIE, issue_token
from shared.config import Settings

pytestmark = pytest.mark.browser
COUNTY = "440781"
SCORES = {
    c: 4 for c in ("necessity", "feasibility", "inclusiveness", "regional_balance", "urgency", "benefit", "conditions")
}


def test_deputy_casts_a_secret_ballot_on_a_phone(running_product, browser_page, tmp_path: Path) -> None:
    origin, page = running_product.origin, browser_page
    web = httpx.Client(base_url=origin, timeout=30)
    staff = {"authorization": f"Bearer {running_product.token('congress_staff')}"}
    gov = {"authorization": f"Bearer {running_product.token('gov_unit')}"}
    marker = uuid.uuid4().hex[:8]
    for n in range(3):
        assert (
            web.post(
                "/intake/api/demands",
                json={"county": COUNTY, "town": "台城街道", "category": "roads", "text": f"路面破损{n} {marker}"},
            ).status_code
            == 201
        )
    deadline = time.monotonic() + 30
    while True:
        pool = [
            d["id"]
            for d in web.get(f"/decision/api/counties/{COUNTY}/pool", headers=staff).json()["items"]
            if marker in d["text"]
        ]
        if len(pool) == 3 or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert len(pool) == 3
    ids = []
    for n, demand in enumerate(pool):
        c = web.post(
            f"/decision/api/counties/{COUNTY}/candidates",
            headers=gov,
            json={
                "year": 2026,
                "name": f"道路项目{n + 1}",
                "content": "修路",
                "implementing_body": "县交通运输局",
                "investment": "900000",
                "deadline": "2026-12-31",
                "demand_ids": [demand],
            },
        ).json()
        web.post(f"/decision/api/candidates/{c['id']}/screening", headers=gov, json={"scores": SCORES})
        ids.append(c["id"])
    lst = web.post(
        f"/decision/api/counties/{COUNTY}/candidate-lists",
        headers=gov,
        json={"year": 2026, "title": "候选项目", "candidate_ids": ids},
    ).json()
    for step in ("chairpersons", "party_committee", "standing_committee", "presidium"):
        web.post(
            f"/decision/api/candidate-lists/{lst['id']}/decisions",
            headers=staff,
            json={"step": step, "decision": "approve", "reason": "通过"},
        ).raise_for_status()
    deputy = f"dep-{marker}"
    session = web.post(
        f"/decision/api/counties/{COUNTY}/sessions",
        headers=staff,
        json={
            "year": 2026,
            "name": "镇人大会议",
            "level": "town",
            "town": "台城街道",
            "list_id": lst["id"],
            "roll": [{"id": deputy, "name": "王代表"}],
        },
    ).json()

    secret = Settings(data_dir=running_product.data_dir).resolved_jwt_secret()
    page.context.add_cookies(
        [
            {
                "name": COOKIE,
                "url": origin,
                "value": issue_token(secret, subject=deputy, roles=["deputy"], counties=[COUNTY], name="王代表"),
            }
        ]
    )
    ballot_url = f"{origin}/decision/sessions/{session['id']}/ballot"
    page.goto(ballot_url)
    page.click("#self-check-in")
    page.wait_for_selector("text=本设备已领取电子选票")  # the device took its credential by itself
    kid = web.get(f"/decision/api/sessions/{session['id']}/ballot-key").json()["kid"]
    shown = "-".join(kid[i : i + 4] for i in range(0, 16, 4)).upper()
    assert page.inner_text("#fingerprint") == shown  # the key the phone uses, as the hall shows it

    # the same deputy on a second phone: refused until they take it again here, which voids the first
    other = page.context.browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    other.add_cookies(page.context.cookies())
    phone = other.new_page()
    phone.on("dialog", lambda dialog: dialog.accept())
    phone.goto(ballot_url)
    phone.wait_for_selector("#reissue:not([hidden])")
    assert "已在其他设备领取选票" in phone.inner_text("[data-role=problem]")
    phone.click("#reissue")
    phone.wait_for_selector("text=本设备已领取电子选票")
    page.reload()  # the first phone's credential is void now: it is offered to take it again, not to vote twice
    page.wait_for_selector("#reissue:not([hidden])")

    web.post(f"/decision/api/sessions/{session['id']}/votes", headers=staff, json={"seats": 2}).raise_for_status()
    page = phone
    page.goto(ballot_url)
    choices = page.locator("label.choice")
    assert choices.count() == 9
    box = choices.first.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 300  # large touch targets on a 390px phone
    casts: list[dict] = []
    page.on("request", lambda r: casts.append(r.headers) if r.url.endswith("/ballots") else None)
    page.click(f"label.choice:has(input[name='m:{ids[0]}'][value=yes])")
    page.click(f"label.choice:has(input[name='m:{ids[1]}'][value=yes])")
    page.click(f"label.choice:has(input[name='m:{ids[2]}'][value=no])")
    page.screenshot(path=tmp_path / "ballot.png", full_page=True)
    page.click("#review")
    page.wait_for_selector("#confirm:not([hidden])")
    assert page.locator("#confirm li").all_inner_texts() == ["道路项目1：赞成", "道路项目2：赞成", "道路项目3：反对"]
    page.click("#cast")
    page.wait_for_selector("#done:not([hidden])")
    receipt = page.inner_text("#receipt").strip()
    assert re.fullmatch(r"[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}", receipt)
    assert len(casts) == 1 and "cookie" not in {k.lower() for k in casts[0]}  # no login goes with the ballot
    page.screenshot(path=tmp_path / "receipt.png", full_page=True)

    web.post(f"/decision/api/sessions/{session['id']}/close", headers=staff).raise_for_status()
    published = web.get(f"/decision/api/sessions/{session['id']}/rounds/1/ballots", headers=staff).json()
    assert [b["receipt"] for b in published["ballots"]] == [receipt]
    page.goto(ballot_url)  # the phone finds its own ballot on the published list
    page.wait_for_selector("text=已在公开的选票中找到，内容一致")
    page.goto(f"{origin}/decision/results?county={COUNTY}")
    result = page.locator(".result", has_text="镇人大会议")
    assert result.count() == 1 and "已决定" in result.inner_text()
    assert "道路项目1" in result.inner_text() and "道路项目2" in result.inner_text()
    assert "道路项目3" not in result.inner_text()
    other.close()
