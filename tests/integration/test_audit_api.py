"""Through a service's own HTTP API an auditor gets inclusion and consistency proofs that the
verifier accepts, any object as of any past moment with its history (who, when, why), the
county's read models as of a moment; the auditor changes nothing, and each of their reads is
itself recorded as an event. Checkpoints are published on NATS, signed."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from pathlib import Path

import nats
import pytest
from fastapi.testclient import TestClient

from services.supervision.main import create_app
from shared.audit.follower import AUDIT_STREAM, ensure_audit_stream
from shared.audit.leaf import StoredRecord
from shared.audit.merkle import leaf_hash, verify_consistency, verify_inclusion
from shared.audit.reads import AuditorRead
from shared.audit.signing import Checkpoint, public_key_from_text, verify_signature
from shared.auth import issue_token
from shared.config import Settings
from shared.kernel.rulebook import rulebook_id
from shared.runtime.jobs import Clock

SERVICE = "supervision"
COUNTY, OTHER = "440781", "440703"


@pytest.fixture
def service(tmp_path: Path):
    settings = Settings(service=SERVICE, data_dir=tmp_path)
    clock = Clock(lambda: datetime(2025, 3, 1, 9, tzinfo=UTC))
    api = create_app(settings, clock=clock, start_runtime=False)
    secret = settings.resolved_jwt_secret()

    def headers(role: str, county: str = COUNTY, subject: str = "") -> dict:
        token = issue_token(secret, subject=subject or f"{role}-1", roles=[role], counties=[county])
        return {"authorization": f"Bearer {token}"}

    with TestClient(api) as client:
        client.headers_for = headers
        staff = headers("congress_staff")
        for when, days, reason in [
            (datetime(2025, 3, 1, tzinfo=UTC), 20, "常委会决定缩短"),
            (datetime(2025, 7, 1, tzinfo=UTC), 25, "年中调整"),
        ]:
            clock.set(when)
            r = client.put(
                f"/{SERVICE}/api/counties/{COUNTY}/rules",
                headers=staff,
                json={"changes": {"plan_due_days": days}, "reason": reason},
            )
            assert r.status_code == 200, r.text
        clock.set(datetime(2025, 9, 1, tzinfo=UTC))
        yield client, api


def test_object_as_of_a_past_moment_with_its_history(service) -> None:
    client, _ = service
    auditor = client.headers_for("auditor")
    book = rulebook_id(SERVICE, COUNTY)
    june = client.get(f"/{SERVICE}/api/audit/aggregates/{book}", params={"as_of": "2025-06-30"}, headers=auditor).json()
    assert june["state"]["values"]["plan_due_days"] == 20 and june["version"] == 2
    now = client.get(f"/{SERVICE}/api/audit/aggregates/{book}", headers=auditor).json()
    assert now["state"]["values"]["plan_due_days"] == 25
    before = client.get(f"/{SERVICE}/api/audit/aggregates/{book}", params={"as_of": "2025-01-01"}, headers=auditor)
    assert before.status_code == 404 and before.json()["reason"] == "not_yet_existing"
    bad = client.get(f"/{SERVICE}/api/audit/aggregates/{book}", params={"as_of": "June"}, headers=auditor)
    assert bad.status_code == 422 and bad.json()["reason"] == "invalid_as_of"
    history = client.get(f"/{SERVICE}/api/audit/aggregates/{book}/history", headers=auditor).json()["events"]
    revised = [e for e in history if e["event"] == "RuleBook.Revised"]
    assert [(e["actor_role"], e["actor_id"], e["reason"], e["occurred_at"][:10]) for e in revised] == [
        ("congress_staff", "congress_staff-1", "常委会决定缩短", "2025-03-01"),
        ("congress_staff", "congress_staff-1", "年中调整", "2025-07-01"),
    ]
    assert all(e["leaf_index"] is not None for e in history)
    page = client.get(f"/{SERVICE}/audit/aggregates/{book}", params={"as_of": "2025-06-30"}, headers=auditor)
    assert page.status_code == 200 and "常委会决定缩短" in page.text and "年中调整" in page.text


def test_other_counties_objects_are_absent(service) -> None:
    client, _ = service
    book = rulebook_id(SERVICE, COUNTY)
    outsider = client.headers_for("auditor", OTHER)
    for path in (f"/{SERVICE}/api/audit/aggregates/{book}", f"/{SERVICE}/api/audit/aggregates/{book}/history"):
        assert client.get(path, headers=outsider).status_code == 404
    r = client.get(
        f"/{SERVICE}/api/audit/proofs/inclusion", params={"aggregate_id": str(book), "version": 1}, headers=outsider
    )
    assert r.status_code == 404
    assert client.get(f"/{SERVICE}/api/audit/counties/{COUNTY}/views", headers=outsider).status_code == 403
    assert (
        client.get(f"/{SERVICE}/api/audit/aggregates/{book}", headers=client.headers_for("deputy")).status_code == 403
    )


def test_inclusion_and_consistency_proofs_verify(service) -> None:
    client, api = service
    auditor = client.headers_for("auditor")
    key = public_key_from_text(client.get(f"/{SERVICE}/api/audit/public-key").json()["public_key"])
    book = rulebook_id(SERVICE, COUNTY)
    first = client.get(
        f"/{SERVICE}/api/audit/proofs/inclusion", params={"aggregate_id": str(book), "version": 2}, headers=auditor
    ).json()
    cp1 = Checkpoint.from_dict(first["checkpoint"])
    assert verify_signature(cp1, key)
    data = base64.b64decode(first["leaf_data"])
    assert leaf_hash(data).hex() == first["leaf_hash"]
    assert verify_inclusion(
        first["leaf_index"],
        cp1.size,
        leaf_hash(data),
        [bytes.fromhex(p) for p in first["proof"]],
        bytes.fromhex(cp1.root),
    )
    assert first["event"]["reason"] == "常委会决定缩短"
    # More events, a later checkpoint, and the proof that it extends the first.
    client.put(
        f"/{SERVICE}/api/counties/{COUNTY}/rules",
        headers=client.headers_for("congress_staff"),
        json={"changes": {"plan_due_days": 28}, "reason": "再调整"},
    )
    third = client.get(
        f"/{SERVICE}/api/audit/proofs/inclusion", params={"aggregate_id": str(book), "version": 4}, headers=auditor
    ).json()
    cp2 = Checkpoint.from_dict(third["checkpoint"])
    assert cp2.size > cp1.size and verify_signature(cp2, key)
    link = client.get(
        f"/{SERVICE}/api/audit/proofs/consistency", params={"from": cp1.size, "to": cp2.size}, headers=auditor
    ).json()
    assert verify_consistency(
        cp1.size, cp2.size, bytes.fromhex(cp1.root), bytes.fromhex(cp2.root), [bytes.fromhex(p) for p in link["proof"]]
    )
    listed = client.get(f"/{SERVICE}/api/audit/checkpoints", headers=auditor).json()["checkpoints"]
    assert [c["size"] for c in listed] == [cp1.size, cp2.size]
    missing = client.get(
        f"/{SERVICE}/api/audit/proofs/consistency", params={"from": 1, "to": cp2.size}, headers=auditor
    )
    assert missing.status_code == 404 and missing.json()["reason"] == "no_such_checkpoint"
    # The record behind the leaf is the stored event itself.
    stored = next(iter(api.state.application.recorder.select_events(book, gt=1, lte=2)))
    assert StoredRecord(first["notification_id"], book, 2, stored.topic, stored.state).encode() == data


def test_county_views_as_of_a_moment(service) -> None:
    client, _ = service
    auditor = client.headers_for("auditor")
    r = client.get(f"/{SERVICE}/api/audit/counties/{COUNTY}/views", params={"as_of": "2025-06-30"}, headers=auditor)
    assert r.status_code == 200 and r.json()["county"] == COUNTY
    page = client.get(f"/{SERVICE}/audit/counties/{COUNTY}", headers=auditor)
    assert page.status_code == 200


def test_auditor_reads_are_recorded_and_writes_refused(service) -> None:
    client, api = service
    app = api.state.application
    auditor = client.headers_for("auditor", subject="auditor-7")

    def reads() -> list:
        return [
            app.mapper.to_domain_event(n)
            for n in app.recorder.select_notifications(0, 10_000)
            if n.topic.endswith("AuditorRead.Recorded")
        ]

    assert reads() == []
    assert client.get(f"/{SERVICE}/api/counties/{COUNTY}/rules", headers=auditor).status_code == 200
    r = client.put(
        f"/{SERVICE}/api/counties/{COUNTY}/rules",
        headers=auditor,
        json={"changes": {"plan_due_days": 1}, "reason": "审计想改"},
    )
    assert r.status_code == 403
    client.get(f"/{SERVICE}/api/audit/aggregates/{rulebook_id(SERVICE, COUNTY)}", headers=auditor)
    recorded = reads()
    assert [(e.path, e.meta.county, e.meta.actor_id) for e in recorded] == [
        (f"/{SERVICE}/api/counties/{COUNTY}/rules", COUNTY, "auditor-7"),
        # an object read by id is filed under the object's county (its scope check names it)
        (f"/{SERVICE}/api/audit/aggregates/{rulebook_id(SERVICE, COUNTY)}", COUNTY, "auditor-7"),
    ]
    assert all(isinstance(app.repository.get(e.originator_id), AuditorRead) for e in recorded)
    # Staff reads are not auditor reads; staff see the auditors' reads of their county.
    api.state.runtime.updater.catch_up()
    listed = client.get(f"/{SERVICE}/api/audit/counties/{COUNTY}/reads", headers=client.headers_for("congress_staff"))
    assert sorted((i["auditor"], i["path"]) for i in listed.json()["items"]) == [
        ("auditor-7", f"/{SERVICE}/api/audit/aggregates/{rulebook_id(SERVICE, COUNTY)}"),
        ("auditor-7", f"/{SERVICE}/api/counties/{COUNTY}/rules"),
    ]
    assert len(reads()) == 2


async def test_checkpoints_are_published_on_nats_signed(tmp_path: Path, fresh_nats) -> None:
    settings = Settings(service=SERVICE, data_dir=tmp_path, audit_checkpoint_events=1)
    api = create_app(settings, start_runtime=False)
    ctx = api.state.audit
    api.state.application.revise_rules(
        SERVICE,
        __import__("shared.kernel.meta", fromlist=["Meta"]).Meta(
            COUNTY, "congress_staff", "s", datetime(2025, 3, 1, tzinfo=UTC), reason="x"
        ),
        {"plan_due_days": 9},
        {"plan_due_days": 30},
    )
    made = ctx.follower.step()
    assert made is not None and made.size == 2
    nc = await nats.connect(fresh_nats.url)
    try:
        js = nc.jetstream()
        await ensure_audit_stream(js)
        assert await ctx.follower.publish(js) == 1
        assert await ctx.follower.publish(js) == 0  # kept as published
        msg = await js.get_last_msg(AUDIT_STREAM, f"audit.{SERVICE}.checkpoints")
        body = json.loads(msg.data)
        assert verify_signature(Checkpoint.from_dict(body), public_key_from_text(body["public_key"]))
        assert body["size"] == 2 and body["root"] == made.root
    finally:
        await nc.close()
