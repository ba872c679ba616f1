"""A property over many random votes: whatever the roll, the choices, who votes with a phone and who with a
printed code slip, and the order of casting, no record the service keeps outside the deputies' devices
(events, read models, the urn, NATS contracts, log lines) pairs a deputy with a ballot, and an attacker
who matches the order of check-ins or of credentials to the published order does no better than chance."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import structlog
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from structlog.testing import capture_logs

from services.decision.outbound.contracts import to_contracts
from tests.component.decision_flow import Flow
from tests.fixtures.secrecy import collect, links

CHOICES = ["yes", "no", "abstain"]


@st.composite
def votes(draw: st.DrawFn) -> dict[str, Any]:
    roll = draw(st.integers(min_value=3, max_value=8))
    voters = draw(st.integers(min_value=3, max_value=roll))
    marks = [
        draw(st.lists(st.sampled_from(CHOICES), min_size=3, max_size=3)) for _ in range(voters)
    ]  # 3 candidates, no seat limit
    by_code = draw(st.lists(st.booleans(), min_size=voters, max_size=voters))
    order = draw(st.permutations(range(voters)))
    return {"roll": roll, "voters": voters, "marks": marks, "by_code": by_code, "order": order}


def run(vote: dict[str, Any], data_dir: Path) -> dict[str, Any]:
    flow = Flow(data_dir)
    list_id, candidates = flow.adopted_list(3)
    session_id, deputies = flow.session(list_id, roll=vote["roll"])
    voting = deputies[: vote["voters"]]
    with capture_logs() as logs:
        structlog.get_logger("test").info("marker")
        codes = []
        if any(vote["by_code"]):
            codes = flow.call("POST", f"/sessions/{session_id}/codes", expect=201, json={"count": len(voting)})["codes"]
        held: dict[str, Any] = {}
        for deputy, slip in zip(voting, vote["by_code"], strict=True):
            flow.call("POST", f"/sessions/{session_id}/check-in", json={"deputy_id": deputy})
            if slip:
                flow.call("POST", f"/sessions/{session_id}/slips", json={"deputy_id": deputy})
                held[deputy] = codes.pop()  # the slip the deputy happened to take from the shuffled pile
            else:
                held[deputy] = flow.take_credential(session_id, deputy)
        flow.call("POST", f"/sessions/{session_id}/votes", expect=201, json={"seats": 3, "kind": "equal"})
        receipts: dict[str, str] = {}
        for k in vote["order"]:
            deputy = voting[k]
            marks = dict(zip(candidates, vote["marks"][k], strict=True))
            receipts[deputy] = flow.cast(session_id, held[deputy], marks)["kept"]
        flow.call("POST", f"/sessions/{session_id}/close")
    published = flow.call("GET", f"/sessions/{session_id}/rounds/1/ballots")["ballots"]
    records = collect(flow.app, flow.api.state.runtime.views, data_dir, to_contracts, logs)
    flow.app.close()
    return {"voting": voting, "deputies": deputies, "receipts": receipts, "published": published, "records": records}


def test_no_random_vote_leaves_a_record_pairing_a_deputy_with_a_ballot() -> None:
    guessed = {"check_in": 0, "cast_order": 0}
    trials: list[int] = []

    @settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
    @given(votes())
    def one_vote(vote: dict[str, Any]) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            out = run(vote, Path(tmp))
        receipts = list(out["receipts"].values())
        assert sorted(b["receipt"] for b in out["published"]) == sorted(receipts)
        records = out["records"]
        assert [r for r in records.all() if links(r, out["deputies"], receipts)] == []
        assert records.urn == []
        # the order-matching attacker: the k-th deputy to check in cast the k-th published ballot
        published = [b["receipt"] for b in out["published"]]
        by_check_in = [out["receipts"][d] for d in out["voting"]]
        guessed["check_in"] += sum(a == b for a, b in zip(by_check_in, published, strict=True))
        by_cast = [out["receipts"][out["voting"][k]] for k in vote["order"]]
        guessed["cast_order"] += sum(a == b for a, b in zip(by_cast, published, strict=True))
        trials.append(len(published))

    one_vote()
    # a random permutation of n has 1 fixed point on average (variance 1): over the examples the attacker
    # matches about one ballot per vote; publication in casting order would match every ballot
    ceiling = len(trials) + 4 * len(trials) ** 0.5 + 3
    assert sum(trials) > ceiling  # at least 3 ballots a vote: chance and order are far apart
    for how, hits in guessed.items():
        assert hits <= ceiling, (how, hits, len(trials), sum(trials))


def test_the_order_attacker_wins_against_a_box_that_keeps_the_order(tmp_path: Path, monkeypatch: Any) -> None:
    """The attacker above has teeth: against an urn that keeps the order of casting (as a table with row ids
    would) and a close that does not shuffle, it pairs every deputy with their ballot."""
    from shared.ballots.store import BallotStore

    kept: list[dict[str, Any]] = []
    real_cast = BallotStore.cast

    def cast_in_order(self: BallotStore, box: str, nullifier: str, receipt: str, marks: dict[str, str]) -> None:
        real_cast(self, box, nullifier, receipt, marks)
        kept.append({"receipt": receipt, "marks": marks})

    class Unshuffled:
        def shuffle(self, items: list[Any]) -> None:
            pass

    monkeypatch.setattr(BallotStore, "cast", cast_in_order)
    monkeypatch.setattr(BallotStore, "ballots", lambda self, box: list(kept))
    monkeypatch.setattr("shared.ballots.application.secrets.SystemRandom", Unshuffled)
    vote = {"roll": 6, "voters": 6, "marks": [["yes", "no", "abstain"]] * 6, "by_code": [False] * 6}
    vote["order"] = [3, 1, 5, 0, 2, 4]
    out = run(vote, tmp_path)
    by_cast = [out["receipts"][out["voting"][k]] for k in vote["order"]]
    assert [b["receipt"] for b in out["published"]] == by_cast  # 6 of 6 paired: the test above would fail
