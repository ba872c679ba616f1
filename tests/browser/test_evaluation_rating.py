"""A deputy, on a phone, checks in for the session's satisfaction rating, rates each project
secretly (the cast carries no cookie), gets a receipt and finds it on the published ballot list."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import httpx
import pytest

from shared.auth import COOKIE, issue_token
from shared.config import Settings

pytestmark = pytest.mark.browser
COUNTY = "440781"


def wait_for(predicate, what: str, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def completed_micro_project(web: httpx.Client, auth: dict, year: int, name: str) -> str:
    created = web.post(
        "/intake/api/demands",
        json={"county": COUNTY, "town": "台城街道", "category": "roads", "text": f"路面破损 {name}"},
    )
    demand_id = created.json()["id"]
    wait_for(
        lambda: any(
            d["id"] == demand_id
            for d in web.get(f"/decision/api/counties/{COUNTY}/pool", headers=auth["congress_staff"]).json()["items"]
        ),
        "the pool",
    )
    micro = web.post(
        f"/decision/api/counties/{COUNTY}/micro-projects",
        headers=auth["deputy"],
        json={
            "year": year,
            "town": "台城街道",
            "name": name,
            "content": "修缮",
            "implementing_body": "台城街道办事处",
            "investment": "80000",
            "deadline": f"{year}-09-30",
            "demand_ids": [demand_id],
        },
    )
    assert micro.status_code == 201, micro.text
    web.post(
        f"/decision/api/micro-projects/{micro.json()['id']}/approve",
        headers=auth["congress_staff"],
        json={"reason": "通过"},
    ).raise_for_status()
    project_id = micro.json()["project_id"]
    wait_for(
        lambda: web.get(f"/supervision/api/projects/{project_id}", headers=auth["congress_staff"]).status_code == 200,
        "the project file",
    )
    for path, role, body in [
        ("progress", "gov_unit", {"progress_pct": 60, "spent": "50000", "note": "过半"}),
        (
            "completion",
            "gov_unit",
            {"completed_on": f"{year}-08-31", "spent": "78000", "note": "完工", "reason": "末月进度未填报"},
        ),
        ("acceptance", "congress_staff", {"verdict": "accepted"}),  # no group formed: staff check it
    ]:
        web.post(f"/supervision/api/projects/{project_id}/{path}", headers=auth[role], json=body).raise_for_status()
    wait_for(lambda: web.get(f"/evaluation/api/projects/{project_id}/rating").status_code == 200, "the rating")
    return project_id


def test_deputy_rates_projects_secretly_on_a_phone(running_product, browser_page, tmp_path: Path) -> None:
    origin, page = running_product.origin, browser_page
    web = httpx.Client(base_url=origin, timeout=30)
    auth = {
        r: {"authorization": f"Bearer {running_product.token(r)}"} for r in ("congress_staff", "gov_unit", "deputy")
    }
    marker = uuid.uuid4().hex[:6]
    ids = [completed_micro_project(web, auth, 2023, f"微实事{n} {marker}") for n in range(2)]
    web.put(
        f"/evaluation/api/counties/{COUNTY}/rules",
        headers=auth["congress_staff"],
        json={"changes": {"rate_micro_projects": True}, "reason": "微实事纳入测评"},
    ).raise_for_status()
    rnd = web.post(
        f"/evaluation/api/counties/{COUNTY}/rounds",
        headers=auth["congress_staff"],
        json={"session_year": 2024, "rated_year": 2023, "session_closes_on": "2024-01-20"},
    )
    assert rnd.status_code == 201, rnd.text
    round_id = rnd.json()["id"]

    deputy = f"dep-{marker}"
    secret = Settings(data_dir=running_product.data_dir).resolved_jwt_secret()
    page.context.add_cookies(
        [
            {
                "name": COOKIE,
                "url": origin,
                "value": issue_token(secret, subject=deputy, roles=["deputy"], counties=[COUNTY], name="李代表"),
            }
        ]
    )
    casts: list[dict] = []
    page.on("request", lambda r: casts.append(r.headers) if r.url.endswith("/ballots") else None)
    page.goto(f"{origin}/evaluation/rate?county={COUNTY}")
    page.click("#check-in")
    page.wait_for_selector("text=本设备已领取电子选票")
    web.post(f"/evaluation/api/rounds/{round_id}/start", headers=auth["congress_staff"]).raise_for_status()
    wait_for(lambda: web.get(f"/evaluation/api/rounds/{round_id}").json()["status"] == "rating", "rating")
    page.reload()
    page.check(f"input[name='m:{ids[0]}'][value='unsatisfied']")
    page.check(f"input[name='m:{ids[1]}'][value='satisfied']")
    page.screenshot(path=tmp_path / "ballot.png", full_page=True)
    page.click("#cast-form button[type=submit]")
    page.click("#cast")  # after reviewing the summary
    page.wait_for_selector("#receipt:not([hidden])")
    receipt = page.text_content("#receipt code")
    assert receipt and len(casts) == 1 and "cookie" not in {k.lower() for k in casts[0]}

    closed = web.post(f"/evaluation/api/rounds/{round_id}/close", headers=auth["congress_staff"]).json()
    assert closed["results"][ids[0]]["verdict"] == "unsatisfied" and closed["results"][ids[1]]["verdict"] == "satisfied"
    wait_for(lambda: web.get(f"/evaluation/api/rounds/{round_id}").json()["published"], "the published list")
    page.goto(f"{origin}/evaluation/rounds/{round_id}")
    assert receipt in page.text_content("#published")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the round's page is {width} px wide on a 390 px phone"  # the list scrolls in its box
    page.wait_for_selector("text=已在公开的选票中找到，内容一致")  # the device checked it by itself
    assert "李代表" in page.text_content("#attendance") and deputy not in page.text_content("#attendance")
