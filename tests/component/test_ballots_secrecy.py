"""No stored event, read model or log line links a deputy to a choice, by content, order or timing.

Runs a whole electronic vote through the API, then inspects everything the product kept:
the event store (every notification), every read-model document and every log line.
"""

from __future__ import annotations

import json
from pathlib import Path

import structlog
from structlog.testing import capture_logs

from shared.ballots.box import ANONYMOUS
from tests.component.decision_flow import Flow, ballots_for


def test_no_record_pairs_a_deputy_with_a_ballot(tmp_path: Path) -> None:
    flow = Flow(tmp_path)
    list_id, candidates = flow.adopted_list(8)
    session_id, deputies = flow.session(list_id, roll=14)
    with capture_logs() as logs:
        structlog.get_logger("test").info("marker")
        tokens = {d: flow.check_in(session_id, d) for d in deputies[:12]}
        flow.call("POST", f"/sessions/{session_id}/votes", expect=201, json={"seats": 7})
        ballots = ballots_for(candidates, [12, 11, 10, 9, 8, 8, 7, 3], 12, seats=7)
        cast_order = [flow.cast(session_id, tokens[d], m)["receipt"] for d, m in zip(deputies, ballots, strict=False)]
        flow.call("POST", f"/sessions/{session_id}/close")

    notifications = flow.app.recorder.select_notifications(0, 100_000)
    records = [(n.id, n.topic, n.state.decode()) for n in notifications]

    def names_deputy(text: str) -> bool:
        return any(d in text for d in deputies)

    def holds_ballot(text: str) -> bool:
        return any(r in text for r in cast_order) or '"marks"' in text

    # 1. content: no event holds both a deputy id and ballot data
    assert not [r for r in records if names_deputy(r[2]) and holds_ballot(r[2])]
    casts = [r for r in records if r[1].endswith("BallotBox.Cast")]
    assert len(casts) == 12
    for _, _, state in casts:
        meta = json.loads(state)["meta"]["_data_"]
        assert meta["actor_id"] == ANONYMOUS and meta["correlation_id"] == "" and meta["causation_id"] == ""
    # 2. order and timing: no event naming a deputy lies between the vote's opening and its closing
    opened = next(i for i, topic, _ in records if topic.endswith("VoteSession.VoteOpened"))
    declared = next(i for i, topic, _ in records if topic.endswith("VoteSession.Declared"))
    assert [i for i, _, s in records if opened < i < declared and names_deputy(s)] == []
    # the tokens themselves are stored nowhere
    everything = "\n".join(s for _, _, s in records)
    assert not any(t in everything for t in tokens.values())
    # 3. publication: the published list is not in the order of casting
    published = flow.call("GET", f"/sessions/{session_id}/rounds/1/ballots")
    assert sorted(b["receipt"] for b in published["ballots"]) == sorted(cast_order)
    assert [b["receipt"] for b in published["ballots"]] != cast_order
    # 4. read models: no document holds both a deputy id and ballot data
    docs = flow.api.state.runtime.views.dump()
    assert docs and not [d for d in docs if names_deputy(d[3]) and holds_ballot(d[3])]
    assert not any(t in d[3] for d in docs for t in tokens.values())
    # 5. logs: no line names a deputy together with ballot data, nor any line during the vote a deputy at all
    lines = [json.dumps(entry, default=str, ensure_ascii=False) for entry in logs]
    assert lines and not [ln for ln in lines if names_deputy(ln) and holds_ballot(ln)]
    vote_lines = [ln for ln in lines if "/ballots" in ln]
    assert len(vote_lines) == 12 and not [ln for ln in vote_lines if names_deputy(ln)]
    assert not any(t in ln for ln in lines for t in tokens.values())
