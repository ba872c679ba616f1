"""The audit tools keep ballots secret (无记名) in decision and evaluation alike: what an auditor
can obtain — an export bundle, the history and as-of replays of every ballot box, inclusion
proofs, the Merkle log itself, and the record of their own reads — never pairs a deputy with
a choice, and a box's history has no row per ballot."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient

from shared.audit.bundle import export_bundle
from shared.audit.log import sidecar_path
from shared.auth import issue_token
from shared.ballots import blind
from tests.component.decision_flow import COUNTY, Flow, ballots_for
from tests.component.test_evaluation_flow import World, world  # noqa: F401 - the evaluation fixture
from tests.fixtures.ballots import cast, credential


def holds_ballot(text: str, receipts: list[str]) -> bool:
    return '"marks"' in text or any(r in text for r in receipts)


def audit_views(
    client: TestClient,
    service: str,
    secret: str,
    data_dir: Path,
    receipts: list[str],
    deputies: list[str],
    tokens: list[str],
    app: object,
) -> Iterator[str]:
    """Everything an auditor can see about the ballot boxes of this service, as text."""
    auditor = {
        "authorization": "Bearer " + issue_token(secret, subject="auditor-9", roles=["auditor"], counties=[COUNTY])
    }
    notifications = app.recorder.select_notifications(0, 100_000)
    boxes = {n.originator_id for n in notifications if n.topic.endswith("BallotBox.Opened")}
    assert boxes, "the vote had a box"
    for box in boxes:
        history = client.get(f"/{service}/api/audit/aggregates/{box}/history", headers=auditor).json()["events"]
        assert [e["event"].rsplit(".", 1)[-1] for e in history] == ["Opened", "Closed"]  # no row per ballot
        yield from (json.dumps(e, ensure_ascii=False) for e in history)
        for entry in history:  # the box as of every moment of its history
            state = client.get(
                f"/{service}/api/audit/aggregates/{box}",
                headers=auditor,
                params={"as_of": entry["recorded_at"], "basis": "recorded"},
            )
            assert state.status_code == 200
            yield state.text
            proof = client.get(
                f"/{service}/api/audit/proofs/inclusion",
                headers=auditor,
                params={"aggregate_id": str(box), "version": entry["version"]},
            )
            assert proof.status_code == 200
            yield json.dumps(proof.json()["event"], ensure_ascii=False)
    for year in (2024, 2025, 2026, 2027):
        bundle = data_dir / f"bundle-{year}"
        export_bundle(data_dir, COUNTY, year, bundle)
        for path in bundle.rglob("*.jsonl"):
            yield from path.read_text(encoding="utf-8").splitlines()
    log = sidecar_path(data_dir / service).read_bytes()
    assert not any(d.encode() in log for d in deputies) and not any(t.encode() in log for t in tokens)
    reads = [
        n.state.decode()
        for n in app.recorder.select_notifications(0, 100_000)
        if n.topic.endswith("AuditorRead.Recorded")
    ]
    assert reads  # the auditor's own reads were recorded, and they name no voter either
    yield from reads


def assert_secret(lines: list[str], deputies: list[str], receipts: list[str], tokens: list[str]) -> None:
    assert lines
    paired = [ln for ln in lines if any(d in ln for d in deputies) and holds_ballot(ln, receipts)]
    assert paired == []
    assert not any(t in ln for ln in lines for t in tokens)


def test_decision_votes_stay_secret_through_the_audit_tools(tmp_path: Path) -> None:
    flow = Flow(tmp_path)
    with flow.client:
        list_id, candidates = flow.adopted_list(4)
        session_id, deputies = flow.session(list_id, roll=7)
        held = [flow.check_in(session_id, d) for d in deputies[:6]]
        tokens = [blind.b64url_encode(h.msg) for h in held]
        flow.call("POST", f"/sessions/{session_id}/votes", expect=201, json={"seats": 3})
        receipts = [
            flow.cast(session_id, h, m)["kept"]
            for h, m in zip(held, ballots_for(candidates, [6, 5, 4, 1], 6, seats=3), strict=True)
        ]
        flow.call("POST", f"/sessions/{session_id}/close")
        lines = list(
            audit_views(
                flow.client,
                "decision",
                flow.settings.resolved_jwt_secret(),
                tmp_path,
                receipts,
                deputies,
                tokens,
                flow.app,
            )
        )
    assert_secret(lines, deputies, receipts, tokens)


def test_evaluation_ratings_stay_secret_through_the_audit_tools(world: World, tmp_path: Path) -> None:  # noqa: F811
    c, staff = world.client, world.bearer("congress_staff")
    with c:
        world.at(date(2026, 1, 10))
        opened = c.post(
            f"/evaluation/api/counties/{COUNTY}/rounds",
            headers=staff,
            json={"session_year": 2026, "rated_year": 2025, "session_closes_on": "2026-01-15"},
        ).json()
        round_id, projects = opened["id"], [p["project_id"] for p in opened["projects"]]
        deputies = [f"deputy-eval-{n:02d}" for n in range(4)]
        vote = f"/evaluation/api/rounds/{round_id}"
        held = []
        for d in deputies:
            c.post(f"{vote}/check-in", headers=world.bearer("deputy", d))
            held.append(credential(c, vote, world.bearer("deputy", d)))
        tokens = [blind.b64url_encode(h.msg) for h in held]
        assert c.post(f"{vote}/start", headers=staff).status_code == 200
        levels = ["satisfied", "unsatisfied", "basically_satisfied", "satisfied"]
        receipts = [cast(c, vote, h, {p: level for p in projects})[1] for h, level in zip(held, levels, strict=True)]
        assert c.post(f"/evaluation/api/rounds/{round_id}/close", headers=staff).status_code == 200
        world.catch_up()
        lines = list(
            audit_views(
                c,
                "evaluation",
                world.settings.resolved_jwt_secret(),
                world.settings.data_dir,
                receipts,
                deputies,
                tokens,
                world.app,
            )
        )
    assert_secret(lines, deputies, receipts, tokens)
