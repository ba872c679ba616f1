"""Erasing a resident (crypto-shredding) works everywhere: after erasure the resident's name,
phone and exact address cannot be read through the product, and neither they nor the key that
sealed them remain in any store file, NATS stream, read model or export bundle — while the
history of events stays complete and `shishi audit verify` still proves it unaltered."""

from __future__ import annotations

import asyncio
import base64
import importlib
import json
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import nats
from fastapi.testclient import TestClient

from services.tools.cli.main import main
from shared.auth import issue_token
from shared.config import SERVICES, Settings
from tests.integration.settling import quiet, until

NAME, PHONE, ADDRESS = "欧阳淑芬", "13712345678", "台城街道桥湖路88号3栋502房"


def needles(key: bytes) -> dict[str, list[bytes]]:
    def forms(text: str) -> list[bytes]:
        return [text.encode(), json.dumps(text).strip('"').encode()]  # UTF-8 and JSON \\u escapes

    return {
        "name": forms(NAME),
        "phone": forms(PHONE),
        "address": forms(ADDRESS),
        "key": [key, base64.b64encode(key), key.hex().encode()],
    }


def found_in_files(roots: list[Path], wanted: dict[str, list[bytes]]) -> list[str]:
    hits = []
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                hits += [f"{what} in {path}" for what, forms in wanted.items() if any(f in data for f in forms)]
    return hits


async def stream_messages(url: str) -> list[bytes]:
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        found = []
        for name in await js.streams_info():
            info = name
            for seq in range(info.state.first_seq, info.state.last_seq + 1):
                try:
                    msg = await js.get_msg(info.config.name, seq)
                except Exception:  # noqa: BLE001, S112 - a deleted sequence
                    continue
                found.append(msg.data or b"")
        return found
    finally:
        await nc.close()


def test_erased_resident_is_unreadable_everywhere_and_history_still_verifies(tmp_path: Path, fresh_nats) -> None:
    live = tmp_path / "live"
    apis = {
        s: importlib.import_module(f"services.{s}.main").create_app(
            Settings(service=s, data_dir=live, nats_url=fresh_nats.url)
        )
        for s in SERVICES
    }
    clients = {s: TestClient(api) for s, api in apis.items()}
    for client in clients.values():
        client.__enter__()
    try:
        intake = clients["intake"]
        staff = {
            "authorization": "Bearer "
            + issue_token(
                Settings(data_dir=live).resolved_jwt_secret(),
                subject="staff-1",
                roles=["congress_staff"],
                counties=["440781"],
            )
        }
        r = intake.post(
            "/intake/api/demands",
            json={
                "county": "440781",
                "town": "台城街道",
                "category": "housing",
                "text": "楼道漏水多年无人修",
                "name": NAME,
                "phone": PHONE,
                "address": ADDRESS,
            },
        )
        assert r.status_code == 201, r.text
        demand_id = r.json()["id"]
        seen = intake.get(f"/intake/api/demands/{demand_id}", headers=staff).json()["contact"]
        assert (seen["name"], seen["phone"], seen["address"]) == (NAME, PHONE, ADDRESS)
        contact_id = str(apis["intake"].state.application.find(UUID(demand_id)).contact_id)
        keys = sqlite3.connect(live / "intake" / "keys.sqlite")
        (key,) = keys.execute("SELECT key FROM resident_keys WHERE contact_id=?", (contact_id,)).fetchone()
        keys.close()
        key = bytes(key)
        for api in apis.values():
            until(lambda a=api: quiet(a), "services quiet")
        roots = [live, fresh_nats.data_dir]
        before = found_in_files(roots, needles(key))
        assert any(hit.startswith("key in") for hit in before), "the search finds the key while it exists"

        erased = intake.post(
            f"/intake/api/demands/{demand_id}/erase-contact",
            headers=staff,
            json={"reason": "本人依《个人信息保护法》申请删除"},
        )
        assert erased.status_code == 200 and erased.json()["key_destroyed"] is True
        for api in apis.values():
            until(lambda a=api: quiet(a), "services quiet after erasure")

        # The product: the details are gone for everyone, the demand and its history remain.
        after = intake.get(f"/intake/api/demands/{demand_id}", headers=staff).json()
        assert after["contact"]["erased"] is True and NAME not in json.dumps(after, ensure_ascii=False)
        history = intake.get(f"/intake/api/audit/aggregates/{contact_id}/history", headers=staff).json()
        assert [e["event"] for e in history["events"]][-1].endswith("Erased")
        # Read models of every service.
        for service, api in apis.items():
            dump = json.dumps(api.state.runtime.views.dump(), ensure_ascii=False)
            assert not any(v in dump for v in (NAME, PHONE, ADDRESS)), service
    finally:
        for client in reversed(list(clients.values())):
            client.__exit__(None, None, None)

    # Export bundle of the county and year, made after the erasure.
    bundle = tmp_path / "bundle"
    assert (
        main(
            [
                "audit",
                "export",
                "--county",
                "440781",
                "--year",
                str(time.gmtime().tm_year),
                "--data-dir",
                str(live),
                "--out",
                str(bundle),
            ]
        )
        == 0
    )
    # Every file: stores, key store, audit logs, read models, NATS's own files, the bundle.
    assert found_in_files([live, fresh_nats.data_dir, bundle], needles(key)) == []
    # Every message of every NATS stream.
    messages = asyncio.run(stream_messages(fresh_nats.url))
    assert messages and not any(f in m for m in messages for forms in needles(key).values() for f in forms)
    # History intact and still provably unaltered, in the data directory and in the bundle.
    assert main(["audit", "verify", "--data-dir", str(live)]) == 0
    assert main(["audit", "verify", "--bundle", str(bundle)]) == 0


async def publish_ticket(url: str) -> None:
    from shared.contracts import HotlineTicket

    ticket = HotlineTicket(
        ticket_id="T-PIPL-1",
        county="440781",
        received_at=datetime(2026, 3, 1, 9, tzinfo=UTC),
        category="water",
        text="停水三天",
        town="台城街道",
        caller_name=NAME,
        caller_phone=PHONE,
        address=ADDRESS,
    )
    nc = await nats.connect(url)
    try:
        await nc.jetstream().publish(HotlineTicket.subject("440781"), ticket.model_dump_json().encode())
    finally:
        await nc.close()


def test_erased_hotline_caller_is_unreadable_in_the_streams_too(tmp_path: Path, fresh_nats) -> None:
    live = tmp_path / "live"
    api = importlib.import_module("services.intake.main").create_app(
        Settings(service="intake", data_dir=live, nats_url=fresh_nats.url)
    )
    with TestClient(api) as intake:
        asyncio.run(publish_ticket(fresh_nats.url))
        app = api.state.application
        until(
            lambda: any(n.topic.endswith("Demand.Submitted") for n in app.recorder.select_notifications(0, 100)),
            "the ticket became a demand",
        )
        demand_id = next(
            n.originator_id for n in app.recorder.select_notifications(0, 100) if n.topic.endswith("Demand.Submitted")
        )
        staff = {
            "authorization": "Bearer "
            + issue_token(
                Settings(data_dir=live).resolved_jwt_secret(),
                subject="staff-1",
                roles=["congress_staff"],
                counties=["440781"],
            )
        }
        r = intake.post(
            f"/intake/api/demands/{demand_id}/erase-contact", headers=staff, json={"reason": "来电人申请删除个人信息"}
        )
        assert r.status_code == 200 and r.json()["key_destroyed"] is True
    messages = asyncio.run(stream_messages(fresh_nats.url))
    assert not any(v.encode() in m for m in messages for v in (NAME, PHONE, ADDRESS))
