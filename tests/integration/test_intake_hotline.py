"""The 12345 hotline both ways, through the whole intake service on a real nats-server: a ticket
sent three times (or again days later) is one demand; a malformed ticket is a dead letter with
its reason that staff correct and re-submit (→ one demand, shown as resolved by whom); the
hotline hears accepted / status / reply / closure with its ticket id, and never the caller's
contact details."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import nats
import pytest

from shared.auth import issue_token
from shared.contracts import HotlineTicket
from tests.fixtures.service import InProcessService

COUNTY = "440781"
PHONE = "13700001111"


def ticket(ticket_id: str, **overrides: object) -> bytes:
    data = HotlineTicket(
        ticket_id=ticket_id,
        county=COUNTY,
        received_at=datetime(2025, 5, 6, 8, tzinfo=UTC),
        category="roads",
        text="环市路路灯不亮",
        town="台城街道",
        caller_name="李先生",
        caller_phone=PHONE,
        address="环市路12号",
    ).model_dump(mode="json")
    data.update(overrides)
    return json.dumps(data, ensure_ascii=False).encode()


def publish(url: str, *bodies: bytes) -> None:
    async def go() -> None:
        nc = await nats.connect(url)
        js = nc.jetstream()
        for body in bodies:
            await js.publish(f"hotline.{COUNTY}.tickets", body)
        await nc.drain()

    asyncio.run(go())


def intake_messages(url: str) -> list[tuple[str, dict]]:
    async def go() -> list[tuple[str, dict]]:
        nc = await nats.connect(url)
        js = nc.jetstream()
        sub = await js.pull_subscribe(f"shishi.{COUNTY}.intake.>", stream="INTAKE")
        out = []
        try:
            while True:
                msgs = await sub.fetch(100, timeout=1)
                out += [(m.subject, json.loads(m.data)) for m in msgs]
                if msgs[-1].metadata.num_pending == 0:
                    break
        except TimeoutError:
            pass
        await nc.drain()
        return out

    return asyncio.run(go())


def eventually(predicate, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


class Service(InProcessService):
    """Intake with its runtime on a private nats-server: tickets arrive on HOTLINE, contracts leave."""

    def __init__(self, data_dir: Path, nats_url: str) -> None:
        super().__init__("intake", data_dir, nats_url=nats_url)
        self.url = nats_url
        token = issue_token(
            self.settings.resolved_jwt_secret(),
            subject="staff-zhou",
            roles=["congress_staff"],
            counties=[COUNTY],
            name="周敏",
        )
        self.staff = {"authorization": f"Bearer {token}"}

    def demands(self) -> list[dict]:
        return self.client.get(f"/intake/api/counties/{COUNTY}/demands", headers=self.staff).json()["items"]

    def deadletters(self) -> dict:
        return self.client.get(f"/intake/api/counties/{COUNTY}/deadletters", headers=self.staff).json()


@contextmanager
def running(data_dir: Path, nats_url: str) -> Iterator[Service]:
    service = Service(data_dir, nats_url)
    with service.running():
        yield service


@pytest.fixture
def service(tmp_path: Path, fresh_nats) -> Iterator[Service]:
    with running(tmp_path, fresh_nats.url) as started:
        yield started


def test_one_ticket_published_three_times_and_again_later_is_one_demand(service: Service) -> None:
    publish(service.url, ticket("T-100"), ticket("T-100"), ticket("T-100"))
    eventually(lambda: len(service.demands()) == 1)
    publish(service.url, ticket("T-100", received_at="2025-05-09T10:00:00+00:00"))  # re-sent days later
    publish(service.url, ticket("T-101"))
    eventually(lambda: len(service.demands()) == 2)
    ids = sorted(d["hotline_ticket_id"] for d in service.demands())
    assert ids == ["T-100", "T-101"]
    accepted = eventually(
        lambda: len(a := [p for s, p in intake_messages(service.url) if s.endswith("hotline.accepted")]) == 2 and a
    )
    assert sorted(p["payload"]["ticket_id"] for p in accepted) == ["T-100", "T-101"]


def test_malformed_ticket_is_a_dead_letter_then_corrected_and_resubmitted(service: Service) -> None:
    broken = json.loads(ticket("T-200"))
    del broken["received_at"]
    publish(service.url, json.dumps(broken, ensure_ascii=False).encode())
    letters = eventually(lambda: (d := service.deadletters())["total"] == 1 and d)
    letter = letters["items"][0]
    assert "malformed hotline ticket" in letter["reason"] and "received_at" in letter["reason"]
    assert letter["resubmittable"] and not letter["resolved"] and letters["open"] == 1
    seq = letter["sequence"]
    # still wrong: refused with a reason, nothing published
    r = service.client.post(
        f"/intake/api/counties/{COUNTY}/deadletters/{seq}",
        headers=service.staff,
        json={"action": "resubmit", "body": {**broken, "county": "12"}},
    )
    assert r.status_code == 422 and r.json()["reason"] == "still_malformed"
    corrected = {**broken, "received_at": "2025-05-06T08:00:00+00:00"}
    r = service.client.post(
        f"/intake/api/counties/{COUNTY}/deadletters/{seq}",
        headers=service.staff,
        json={"action": "resubmit", "body": corrected, "reason": "补全受理时间"},
    )
    assert r.status_code == 200 and r.json()["resolved_by"] == "staff-zhou"
    eventually(lambda: len(service.demands()) == 1)
    assert service.demands()[0]["hotline_ticket_id"] == "T-200"
    view = eventually(lambda: (d := service.deadletters())["open"] == 0 and d)
    resolution = view["items"][0]["resolution"]
    assert resolution["action"] == "resubmitted" and resolution["resolved_by"] == "staff-zhou"
    r = service.client.post(
        f"/intake/api/counties/{COUNTY}/deadletters/{seq}",
        headers=service.staff,
        json={"action": "resubmit", "body": corrected},
    )
    assert r.status_code == 409 and r.json()["reason"] == "already_resolved"
    # the dead-letter page shows it resolved, with who
    page = service.client.get(
        f"/intake/deadletters?county={COUNTY}", cookies={"shishi_token": service.staff["authorization"][7:]}
    )
    assert page.status_code == 200 and "周敏" in page.text and "staff-zhou" not in page.text  # by name


def test_the_hotline_hears_status_reply_and_closure_with_its_ticket_id(service: Service) -> None:
    publish(service.url, ticket("T-300"))
    demand = eventually(lambda: (d := service.demands()) and d[0])
    base = f"/intake/api/demands/{demand['id']}"
    assert (
        service.client.post(
            f"{base}/triage", headers=service.staff, json={"kind": "individual", "scope": "household"}
        ).status_code
        == 200
    )
    assert (
        service.client.post(f"{base}/reply", headers=service.staff, json={"text": "已安排维修，三日内修复"}).status_code
        == 200
    )
    assert service.client.post(f"{base}/close", headers=service.staff, json={"text": "路灯已修复"}).status_code == 200

    def hotline_events() -> list[tuple[str, dict]]:
        return [(s.rsplit(".", 1)[-1], p["payload"]) for s, p in intake_messages(service.url) if ".hotline." in s]

    events = eventually(lambda: (e := hotline_events()) and any(k == "closed" for k, _ in e) and e)
    kinds = [k for k, _ in events]
    assert kinds[0] == "accepted" and "status-changed" in kinds and "replied" in kinds and kinds[-1] == "closed"
    assert all(p["ticket_id"] == "T-300" and p["demand_id"] == demand["id"] for _, p in events)
    reply = next(p for k, p in events if k == "replied")
    assert reply["text"] == "已安排维修，三日内修复"
    statuses = [p["status"] for k, p in events if k == "status-changed"]
    assert statuses[:2] == ["triaged", "routed"] and "closed" in statuses
    everything = json.dumps(intake_messages(service.url), ensure_ascii=False)
    assert PHONE not in everything and "李先生" not in everything and "环市路12号" not in everything


def test_simulated_hotline_with_duplicates_and_malformed_tickets(service: Service, tmp_path: Path) -> None:
    import subprocess
    import sys

    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "services.tools.cli.main",
            "hotline",
            "simulate",
            "--county",
            COUNTY,
            "--count",
            "40",
            "--rate",
            "0",
            "--duplicates",
            "0.3",
            "--malformed",
            "0.15",
            "--seed",
            "7",
            "--nats-url",
            service.url,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["valid"] + report["malformed"] == 40 and report["duplicate"] > 0 and report["malformed"] > 0
    assert report["published"] == 40 + report["duplicate"]
    eventually(lambda: len(service.demands()) == report["valid"])
    eventually(lambda: service.deadletters()["total"] == report["malformed"])
    assert all(
        "malformed hotline ticket" in x["reason"] or "does not match" in x["reason"]
        for x in service.deadletters()["items"]
    )
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "services.tools.cli.main",
            "hotline",
            "simulate",
            "--county",
            COUNTY,
            "--malformed",
            "2",
            "--nats-url",
            service.url,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode != 0 and "0..1" in bad.stderr
