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
    page.wait_for_selector("text=您已签到并领取选票")
    web.post(f"/decision/api/sessions/{session['id']}/votes", headers=staff, json={"seats": 2}).raise_for_status()
    page.goto(ballot_url)
    choices = page.locator("label.choice")
    assert choices.count() == 9
    box = choices.first.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 300  # large touch targets on a 390px phone
    page.click(f"label.choice:has(input[name='m:{ids[0]}'][value=yes])")
    page.click(f"label.choice:has(input[name='m:{ids[1]}'][value=yes])")
    page.click(f"label.choice:has(input[name='m:{ids[2]}'][value=no])")
    page.screenshot(path=tmp_path / "ballot.png", full_page=True)
    page.click("#review")
    page.wait_for_selector("#confirm-form")
    assert page.locator("#confirm-form td strong").all_inner_texts() == ["赞成", "赞成", "反对"]
    page.click("#cast")
    receipt = page.inner_text("#receipt").strip()
    assert re.fullmatch(r"[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}", receipt)
    page.screenshot(path=tmp_path / "receipt.png", full_page=True)

    web.post(f"/decision/api/sessions/{session['id']}/close", headers=staff).raise_for_status()
    published = web.get(f"/decision/api/sessions/{session['id']}/rounds/1/ballots", headers=staff).json()
    assert [b["receipt"] for b in published["ballots"]] == [receipt]
    page.goto(f"{origin}/decision/results?county={COUNTY}")
    result = page.locator(".result", has_text="镇人大会议")
    assert result.count() == 1 and "已决定" in result.inner_text()
    assert "道路项目1" in result.inner_text() and "道路项目2" in result.inner_text()
    assert "道路项目3" not in result.inner_text()
