"""Attacks on the secret ballot, in decision's vote and evaluation's rating alike. On 77affb7 staff linked
3 of 3 deputies to their choices: the check-in answer handed staff the ballot token, the receipt was a
hash of token and box that anyone holding the token could compute, the box's audit history listed each
cast in order, and one deputy cast three ballots with other deputies' tokens. Each test here is one of
those attacks (they all succeed on that commit) plus the record scan: no stored event, read model, urn
row, NATS contract or log line names a deputy together with ballot data."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import structlog
from structlog.testing import capture_logs

from services.decision.outbound.contracts import to_contracts as decision_contracts
from services.evaluation.outbound.contracts import to_contracts as evaluation_contracts
from shared.ballots import blind
from shared.ballots.credentials import receipt as device_receipt
from shared.ballots.device import Credential
from tests.component.decision_flow import COUNTY, Flow
from tests.component.test_evaluation_flow import World, world  # noqa: F401 - the evaluation fixture
from tests.fixtures.ballots import cast, credential
from tests.fixtures.secrecy import collect, links


class Spy:
    """Every answer to a check-in or a credential request, as text (what staff at the console, or a server
    logging its responses, would hold)."""

    def __init__(self, flow: Flow) -> None:
        self.seen: list[str] = []
        self.flow = flow
        self._call = flow.call
        flow.call = self  # type: ignore[method-assign]

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        answer = self._call(*args, **kwargs)
        if args[1].endswith(("/check-in", "/credential")):
            self.seen.append(json.dumps(answer, ensure_ascii=False) if isinstance(answer, dict) else answer.text)
        return answer


def values(text: str) -> list[str]:
    """Every string in a JSON answer."""

    def walk(node: Any) -> list[str]:
        if isinstance(node, dict):
            return [s for v in node.values() for s in walk(v)]
        if isinstance(node, list):
            return [s for v in node for s in walk(v)]
        return [node] if isinstance(node, str) else []

    try:
        return walk(json.loads(text))
    except ValueError:
        return []


def old_receipt(token: str, box: str) -> str:
    """The receipt of 77affb7: a plain hash of box and token."""
    digest = hashlib.sha256(f"receipt:{box}:{token.strip()}".encode()).hexdigest()[:12].upper()
    return f"{digest[:4]}-{digest[4:8]}-{digest[8:]}"


def decision_vote(tmp_path: Path, deputies_voting: int = 8) -> dict[str, Any]:
    """A whole electronic vote: staff check every deputy in (the console's path), each deputy's device
    takes a credential, the vote opens, each casts, the vote closes."""
    flow = Flow(tmp_path)
    list_id, candidates = flow.adopted_list(4)
    session_id, deputies = flow.session(list_id, roll=deputies_voting + 1)
    spy = Spy(flow)
    with capture_logs() as logs:
        structlog.get_logger("test").info("marker")
        held: dict[str, Credential] = {}
        for d in deputies[:deputies_voting]:
            flow.call("POST", f"/sessions/{session_id}/check-in", json={"deputy_id": d})
            held[d] = flow.take_credential(session_id, d)
        flow.call("POST", f"/sessions/{session_id}/votes", expect=201, json={"seats": 2})
        box = flow.call("GET", f"/sessions/{session_id}/ballot-key", None)["box_id"]
        marks = [
            {c: "yes" if n in (k % 4, (k + 1) % 4) else "no" for n, c in enumerate(candidates)}
            for k in range(deputies_voting)
        ]
        kept = [flow.cast(session_id, held[d], m)["kept"] for d, m in zip(deputies, marks, strict=False)]
        during = flow.call("GET", f"/audit/aggregates/{box}/history", "auditor")
        flow.call("POST", f"/sessions/{session_id}/close")
    published = flow.call("GET", f"/sessions/{session_id}/rounds/1/ballots")["ballots"]
    return {
        "flow": flow,
        "session_id": session_id,
        "deputies": deputies,
        "held": held,
        "box": box,
        "kept": kept,
        "marks": marks,
        "published": published,
        "seen": spy.seen,
        "logs": logs,
        "during": during,
    }


# -- attack 1: link a deputy from what check-in (or taking a credential) answers -----------------------
def test_nothing_staff_or_the_server_are_answered_at_check_in_finds_a_ballot(tmp_path: Path) -> None:
    vote = decision_vote(tmp_path)
    published = {b["receipt"] for b in vote["published"]}
    assert published == set(vote["kept"])
    answered = [v for text in vote["seen"] for v in values(text) if len(v) >= 8]
    assert answered
    for value in answered:
        assert value not in published
        assert old_receipt(value, vote["box"]) not in published  # the attack that worked on 77affb7
        assert device_receipt(vote["box"], value.encode(), b"") not in published
    # the blind signature the issuer answered is not the signature a ballot shows
    shown = {blind.b64url_encode(c.sig) for c in vote["held"].values()} | {
        blind.b64url_encode(c.msg) for c in vote["held"].values()
    }
    assert not shown & set(answered)


def test_evaluation_check_in_and_credential_answers_name_no_ballot(world: World) -> None:  # noqa: F811
    c, staff = world.client, world.bearer("congress_staff")
    opened = c.post(
        f"/evaluation/api/counties/{COUNTY}/rounds",
        headers=staff,
        json={"session_year": 2026, "rated_year": 2025, "session_closes_on": "2026-01-15"},
    ).json()
    vote, projects = f"/evaluation/api/rounds/{opened['id']}", [p["project_id"] for p in opened["projects"]]
    answers, held = [], []
    for n in range(4):
        answers.append(c.post(f"{vote}/check-in", headers=world.bearer("deputy", f"d{n}")).text)
        held.append(credential(c, vote, world.bearer("deputy", f"d{n}")))
    c.post(f"{vote}/start", headers=staff)
    box = c.get(f"{vote}/ballot-key").json()["box_id"]
    for n, mine in enumerate(held):
        cast(c, vote, mine, {p: ["satisfied", "unsatisfied"][n % 2] for p in projects})
    c.post(f"{vote}/close", headers=staff)
    world.catch_up()
    published = {b["receipt"] for b in c.get(vote).json()["published"]}
    assert len(published) == 4
    for value in (v for text in answers for v in values(text)):
        assert value not in published and old_receipt(value, box) not in published
    assert all(set(json.loads(a)) == {"round_id", "deputy", "checked_in"} for a in answers)


# -- attack 2: recompute a receipt from what the server holds --------------------------------------------
def test_the_server_cannot_compute_a_receipt_from_anything_it_sees(tmp_path: Path) -> None:
    vote = decision_vote(tmp_path, deputies_voting=4)
    box, published = vote["box"], {b["receipt"] for b in vote["published"]}
    for c in vote["held"].values():
        # at the cast the server sees the token (msg), its signature, the box, the marks: none is the secret
        for secret in (b"", c.msg, c.sig, box.encode(), bytes(32)):
            assert device_receipt(box, c.msg, secret) not in published
        assert old_receipt(blind.b64url_encode(c.msg), box) not in published
    # the same credential in two boxes (a runoff) gives unrelated receipts: one per device secret
    assert len(set(vote["kept"])) == len(vote["kept"])


# -- attack 3: read the order of casting from the audit history ------------------------------------------
def test_the_audit_history_of_an_open_box_shows_a_count_not_the_casts(tmp_path: Path) -> None:
    vote = decision_vote(tmp_path, deputies_voting=10)
    during = vote["during"]
    assert [e["event"].rsplit(".", 1)[-1] for e in during["events"]] == ["Opened"]
    assert during["live"] == {"ballots_in_box": 10}
    flow: Flow = vote["flow"]
    after = flow.call("GET", f"/audit/aggregates/{vote['box']}/history", "auditor")
    assert [e["event"].rsplit(".", 1)[-1] for e in after["events"]] == ["Opened", "Closed"]
    assert after["live"] is None
    # the one order there is, the published list, is shuffled (10 ballots: 1 in 3.6 million to keep it)
    assert [b["receipt"] for b in vote["published"]] != vote["kept"]
    # the audit page says the same in Chinese
    page = flow.client.get(f"/decision/audit/aggregates/{vote['box']}", headers=flow.auth("auditor"))
    assert page.status_code == 200 and "票箱中已有选票" not in page.text  # closed: no live count


# -- attack 4: cast for another deputy ------------------------------------------------------------------
def test_no_deputy_can_cast_for_another_and_the_box_shows_issued_at_least_cast(tmp_path: Path) -> None:
    flow = Flow(tmp_path)
    list_id, candidates = flow.adopted_list(2)
    session_id, deputies = flow.session(list_id, roll=4)
    a, b = deputies[0], deputies[1]
    vote = f"/decision/api/sessions/{session_id}"
    # a deputy checks in only themselves; staff and deputies alike take no credential for anybody else
    flow.call("POST", f"/sessions/{session_id}/check-in", "deputy", subject=a, expect=403, json={"deputy_id": b})
    held_a = flow.check_in(session_id, a)
    flow.call("POST", f"/sessions/{session_id}/check-in", json={"deputy_id": b})  # staff: attendance only
    kid = flow.call("GET", f"/sessions/{session_id}/ballot-key", None)["kid"]
    blinded = {"blinded": "A" * 342, "kid": kid}
    flow.call("POST", f"/sessions/{session_id}/credential", expect=403, json=blinded)  # staff
    second = flow.call("POST", f"/sessions/{session_id}/credential", "deputy", subject=a, expect=409, json=blinded)
    assert second["reason"] == "already_issued"
    # taking it again on another device voids the first: still one ballot for a
    replaced = flow.take_credential(session_id, a, reissue=True)
    held_b = flow.take_credential(session_id, b)  # b's device takes one under the new key
    flow.call("POST", f"/sessions/{session_id}/votes", expect=201, json={"seats": 1})
    marks = {candidates[0]: "yes", candidates[1]: "no"}
    stale, _ = cast(flow.client, vote, held_a, marks)
    assert stale.status_code == 409 and stale.json()["reason"] == "invalid_credential"
    assert cast(flow.client, vote, replaced, marks)[0].status_code == 201
    again, _ = cast(flow.client, vote, replaced, marks)
    assert again.status_code == 409 and again.json()["reason"] == "already_cast"
    forged = {"marks": marks, "receipt": "AAAA-BBBB-CCCC", "proof": {"msg": "A" * 86, "sig": "B" * 342}}
    refused = flow.client.post(f"{vote}/ballots", json=forged)
    assert refused.status_code == 409 and refused.json()["reason"] == "invalid_credential"
    # the anonymous route refuses a logged-in request outright: a ballot never travels with a login
    identified = flow.client.post(f"{vote}/ballots", json=forged, headers=flow.auth("deputy", subject=a))
    assert identified.status_code == 400
    # a corrupt issuer mints one credential more than it records: the box shows cast > issued, the vote is void
    key = flow.call("GET", f"/sessions/{session_id}/ballot-key", None)
    from shared.ballots.device import take_credential

    minted = take_credential(
        key["jwk"],
        lambda blinded: blind.b64url_encode(
            flow.app.issuer.sign(session_id, key["generation"], blind.b64url_decode(blinded))
        ),
    )
    assert cast(flow.client, vote, held_b, marks)[0].status_code == 201
    assert cast(flow.client, vote, minted, marks)[0].status_code == 201
    closed = flow.call("POST", f"/sessions/{session_id}/close")
    box = flow.call("GET", f"/sessions/{session_id}/rounds/1/box")
    assert (box["issued"], box["cast"]) == (2, 3)
    assert closed["round"]["result"]["status"] == "void", closed
    assert "投出选票 3 张多于发出 2 张 / ballots cast 3 exceed ballots issued 2" in box["flags"]


# -- the record scan ------------------------------------------------------------------------------------
def test_no_stored_record_pairs_a_deputy_with_a_ballot(tmp_path: Path) -> None:
    vote = decision_vote(tmp_path, deputies_voting=12)
    flow: Flow = vote["flow"]
    records = collect(flow.app, flow.api.state.runtime.views, tmp_path, decision_contracts, vote["logs"])
    receipts, deputies = vote["kept"], vote["deputies"]
    assert records.events and records.views and records.contracts and records.logs
    assert [r for r in records.all() if links(r, deputies, receipts)] == []
    assert records.urn == []  # emptied at close: the ballots live in the box's Closed event only
    # no event naming a deputy lies between the vote's opening and its closing, and no event holds a ballot
    # until the box closes
    opened = next(i for i, topic, _ in records.events if topic.endswith("VoteSession.VoteOpened"))
    declared = next(i for i, topic, _ in records.events if topic.endswith("VoteSession.Declared"))
    assert [i for i, _, s in records.events if opened < i < declared and any(d in s for d in deputies)] == []
    assert [t for i, t, s in records.events if '"marks"' in s and not t.endswith("BallotBox.Closed")] == []
    # no log line for a ballot at all (the request log skips the anonymous route)
    assert not [ln for ln in records.logs if "/ballots" in ln and '"POST"' in ln]
    # the device's proofs were seen at the cast and never kept
    everything = "\n".join(records.all())
    assert not any(blind.b64url_encode(c.msg) in everything for c in vote["held"].values())


def test_no_stored_record_pairs_a_deputy_with_a_rating(world: World, tmp_path: Path) -> None:  # noqa: F811
    c, staff = world.client, world.bearer("congress_staff")
    with capture_logs() as logs:
        structlog.get_logger("test").info("marker")
        opened = c.post(
            f"/evaluation/api/counties/{COUNTY}/rounds",
            headers=staff,
            json={"session_year": 2026, "rated_year": 2025, "session_closes_on": "2026-01-15"},
        ).json()
        vote, projects = f"/evaluation/api/rounds/{opened['id']}", [p["project_id"] for p in opened["projects"]]
        deputies = [f"deputy-eval-{n:02d}" for n in range(6)]
        held = []
        for d in deputies:
            c.post(f"{vote}/check-in", headers=world.bearer("deputy", d))
            held.append(credential(c, vote, world.bearer("deputy", d)))
        c.post(f"{vote}/start", headers=staff)
        receipts = [
            cast(c, vote, mine, {p: ["satisfied", "basically_satisfied", "unsatisfied"][n % 3] for p in projects})[1]
            for n, mine in enumerate(held)
        ]
        box = c.get(f"{vote}/ballot-key").json()["box_id"]
        auditor = world.bearer("auditor")
        during = c.get(f"/evaluation/api/audit/aggregates/{box}/history", headers=auditor).json()
        assert [e["event"].rsplit(".", 1)[-1] for e in during["events"]] == ["Opened"]
        assert during["live"] == {"ballots_in_box": 6}
        assert c.post(f"{vote}/close", headers=staff).status_code == 200
    world.catch_up()
    records = collect(world.app, world.api.state.runtime.views, world.settings.data_dir, evaluation_contracts, logs)
    assert [r for r in records.all() if links(r, deputies, receipts)] == []
    assert records.urn == []
    assert sorted(b["receipt"] for b in c.get(vote).json()["published"]) == sorted(receipts)


def test_the_scan_finds_a_pairing_where_there_is_one() -> None:
    """The predicate the scans rely on: a cast event naming its voter (as 77affb7's would have, had it kept
    the actor), a log line, a nested event, are pairings; a public record listing attendance and, apart,
    the shuffled ballots is not."""
    deputies, receipts = ["deputy-001"], ["AAAA-BBBB-CCCC"]
    assert links('{"meta": {"actor_id": "deputy-001"}, "receipt": "AAAA-BBBB-CCCC"}', deputies, receipts)
    assert links('{"deputy": "deputy-001", "marks": {"p": "yes"}}', deputies, receipts)
    assert links('{"items": [{"by": "deputy-001", "ballot": {"marks": {}}}]}', deputies, receipts)
    assert links("POST /ballots deputy-001 AAAA-BBBB-CCCC", deputies, receipts)
    public = {"present": ["deputy-001"], "published": [{"receipt": "AAAA-BBBB-CCCC", "marks": {"p": "yes"}}]}
    assert not links(json.dumps(public), deputies, receipts)
