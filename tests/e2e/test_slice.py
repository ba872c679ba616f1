"""The thin slice through all four services over NATS, as started by `shishi up`:
a resident's demand -> decision's pool -> an approved micro project -> supervision's project
file -> completion and acceptance -> evaluation's rating -> the verdict on the resident's
tracking page (lineage)."""

from __future__ import annotations

import asyncio
import time
import uuid

import httpx
import nats

COUNTY = "440785"  # 恩平市: its own county, so other tests sharing the product do not interfere


def wait_for(predicate, what: str, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_demand_to_verdict_with_lineage(running_product) -> None:
    web = httpx.Client(base_url=running_product.origin, timeout=20)
    auth = {
        role: {"authorization": f"Bearer {running_product.token(role, COUNTY)}"}
        for role in ("congress_staff", "gov_unit", "deputy")
    }
    text = f"良西镇圩镇排水沟堵塞 {uuid.uuid4().hex[:6]}"
    created = web.post(
        "/intake/api/demands",
        json={
            "county": COUNTY,
            "town": "良西镇",
            "category": "water",
            "text": text,
            "name": "陈先生",
            "phone": "13700000000",
        },
    )
    assert created.status_code == 201
    demand_id, code = created.json()["id"], created.json()["tracking_code"]

    pool = wait_for(
        lambda: [
            d
            for d in web.get(f"/decision/api/counties/{COUNTY}/pool", headers=auth["congress_staff"]).json()["items"]
            if d["id"] == demand_id
        ],
        "the demand in decision's pool",
    )
    assert pool[0]["text"] == text and "phone" not in pool[0]  # contact details never leave intake

    micro = web.post(
        f"/decision/api/counties/{COUNTY}/micro-projects",
        headers=auth["deputy"],
        json={
            "year": 2026,
            "town": "良西镇",
            "name": "良西镇圩镇排水改造",
            "content": "清淤并更换排水管",
            "implementing_body": "良西镇人民政府",
            "investment": "85000",
            "deadline": "2026-09-30",
            "demand_ids": [demand_id],
        },
    )
    assert micro.status_code == 201, micro.text
    assert (
        web.post(
            f"/decision/api/micro-projects/{micro.json()['id']}/approve",
            headers=auth["congress_staff"],
            json={"reason": "镇人大主席团审议通过"},
        ).status_code
        == 200
    )
    project_id = micro.json()["project_id"]

    wait_for(
        lambda: web.get(f"/supervision/api/projects/{project_id}", headers=auth["congress_staff"]).status_code == 200,
        "the project file in supervision",
    )
    for path, role, body in [
        ("progress", "gov_unit", {"progress_pct": 60, "spent": "50000", "note": "管道已更换六成"}),
        (
            "completion",
            "gov_unit",
            {"completed_on": "2026-08-31", "spent": "82000", "note": "完工", "reason": "末月进度未填报"},
        ),
        ("acceptance", "congress_staff", {"verdict": "accepted"}),  # no group formed: staff check it
    ]:
        r = web.post(f"/supervision/api/projects/{project_id}/{path}", headers=auth[role], json=body)
        assert r.status_code == 200, r.text

    wait_for(
        lambda: web.get(f"/evaluation/api/projects/{project_id}/rating").status_code == 200, "the rating in evaluation"
    )
    tally = web.post(
        f"/evaluation/api/projects/{project_id}/tally",
        headers=auth["congress_staff"],
        json={"satisfied": 31, "basically_satisfied": 10, "unsatisfied": 4},
    )
    assert tally.json()["verdict"] == "satisfied"  # 31/45 > 2/3

    # Each stage reaches intake on its own stream (decision, supervision, evaluation), so they may land in
    # any order; the page shows them in the order of the loop and the furthest one as the status.
    expected = ["submitted", "candidate", "adopted", "project", "progress", "completed", "verdict"]
    track = wait_for(
        lambda: (
            (t := web.get(f"/intake/api/track/{code}").json())
            and set(expected) <= {e["stage"] for e in t["timeline"]}
            and t
        ),
        "every stage on the resident's tracking page",
    )
    assert track["status"] == "rated"
    stages = [entry["stage"] for entry in track["timeline"] if entry["stage"] in expected]
    assert stages == expected
    assert track["timeline"][-1]["title"] == "满意"
    page = web.get(f"/intake/track/{code}")
    assert page.status_code == 200 and "满意" in page.text and "良西镇圩镇排水改造" in page.text


def test_malformed_hotline_ticket_is_visible_to_staff(running_product) -> None:
    async def publish() -> None:
        nc = await nats.connect(running_product.nats_url)
        await nc.jetstream().publish(f"hotline.{COUNTY}.tickets", b'{"ticket_id": "E2E-BAD", "county": "440785"}')
        await nc.close()

    asyncio.run(publish())
    web = httpx.Client(base_url=running_product.origin, timeout=20)
    staff = {"authorization": f"Bearer {running_product.token('congress_staff', COUNTY)}"}
    letters = wait_for(
        lambda: [
            d
            for d in web.get(f"/intake/api/counties/{COUNTY}/deadletters", headers=staff).json()["items"]
            if '"E2E-BAD"' in str(d["body"])
            or (isinstance(d["body"], dict) and d["body"].get("ticket_id") == "E2E-BAD")
        ],
        "the dead letter",
    )
    assert "malformed hotline ticket" in letters[0]["reason"]
    other = {"authorization": f"Bearer {running_product.token('congress_staff', '440781')}"}
    assert web.get(f"/intake/api/counties/{COUNTY}/deadletters", headers=other).status_code == 403


def test_health_of_every_service(running_product) -> None:
    web = httpx.Client(base_url=running_product.origin, timeout=20)
    health = web.get("/healthz").json()
    assert health["ready"] and set(health["services"]) == {"intake", "decision", "supervision", "evaluation"}
    for service in health["services"]:
        assert web.get(f"/{service}/healthz").status_code == 200


def test_dead_letters_without_a_county_are_visible_to_administrators(running_product) -> None:
    async def publish() -> None:
        nc = await nats.connect(running_product.nats_url)
        await nc.jetstream().publish("hotline.nowhere.tickets", b'{"ticket_id": "NO-COUNTY"}')
        await nc.close()

    asyncio.run(publish())
    web = httpx.Client(base_url=running_product.origin, timeout=20)
    admin = {"authorization": f"Bearer {running_product.token('admin', '*')}"}
    letters = wait_for(
        lambda: [
            d
            for d in web.get("/intake/api/deadletters/without-county", headers=admin).json()["items"]
            if "NO-COUNTY" in str(d["body"])
        ],
        "the county-less dead letter",
    )
    assert "does not match subject county unknown" in letters[0]["reason"] or "malformed" in letters[0]["reason"]
    staff = {"authorization": f"Bearer {running_product.token('congress_staff', COUNTY)}"}
    assert web.get("/intake/api/deadletters/without-county", headers=staff).status_code == 403
