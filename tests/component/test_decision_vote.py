"""The congress vote through the API: candidates, approval chain, session, check-in, quorum,
competitive vote, run-off at a tie, paper boxes, results and the ProjectAdopted contract."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.decision.outbound.contracts import to_contracts
from tests.component.decision_flow import COUNTY, Flow, ballots_for
from tests.fixtures.pdf import assert_renders_anywhere, check_pdf


@pytest.fixture
def flow(tmp_path: Path) -> Flow:
    return Flow(tmp_path)


def test_xiaoyi_eight_candidates_elect_seven_projects(flow: Flow) -> None:
    list_id, candidates = flow.adopted_list(8)
    session_id, deputies = flow.session(list_id, roll=12)
    tokens = [flow.check_in(session_id, d) for d in deputies[:10]]
    opened = flow.call("POST", f"/sessions/{session_id}/votes", expect=201, json={"seats": 7})
    assert opened["attending"] == 10 and opened["quorum_met"] and opened["rule_version"] == 1
    yes = [10, 9, 9, 8, 8, 7, 6, 5]  # the last has exactly half: not adopted
    receipts = [
        flow.cast(session_id, t, m)["receipt"]
        for t, m in zip(tokens, ballots_for(candidates, yes, 10, seats=7), strict=True)
    ]
    # ballots are not published while the vote is open; only the number cast is known
    assert (
        flow.client.get(
            f"/decision/api/sessions/{session_id}/rounds/1/ballots", headers=flow.headers("deputy")
        ).status_code
        == 409
    )
    assert flow.call("GET", f"/sessions/{session_id}/rounds/1/box")["cast"] == 10
    closed = flow.call("POST", f"/sessions/{session_id}/close")
    result = closed["round"]["result"]
    assert closed["status"] == "decided" and result["status"] == "decided"
    assert {e["candidate_id"] for e in result["elected"]} == set(candidates[:7])
    # equal yes-votes share a rank (并列), and the next rank counts everyone above it
    assert [e["rank"] for e in result["elected"]] == [1, 2, 2, 4, 4, 6, 7]
    assert [e["yes"] for e in result["elected"]] == [10, 9, 9, 8, 8, 7, 6]
    assert closed["round"]["tally"]["issued"] == 10 and closed["round"]["tally"]["returned"] == 10
    # every deputy finds their receipt on the published list; anyone can recount it
    published = flow.call("GET", f"/sessions/{session_id}/rounds/1/ballots", "auditor")
    assert sorted(b["receipt"] for b in published["ballots"]) == sorted(receipts)
    recount = {c: sum(1 for b in published["ballots"] if b["marks"][c] == "yes") for c in candidates}
    assert [recount[c] for c in candidates] == yes
    # the public results page data and the contract supervision consumes
    public = flow.client.get(f"/decision/api/counties/{COUNTY}/results?year=2025").json()
    assert sorted(p["rank"] for p in public["items"][0]["elected"]) == [1, 2, 2, 4, 4, 6, 7]
    events = [
        e
        for n in flow.app.recorder.select_notifications(0, 10_000)
        for e in to_contracts(flow.app.mapper.to_domain_event(n))
    ]
    adopted = [e for e in events if e.type_name() == "decision.project-adopted"]
    assert [(a.rank, a.yes_votes, a.no_votes, a.attending, a.rule_version) for a in adopted][:2] == [
        (1, 10, 0, 10, 1),
        (2, 9, 1, 10, 1),
    ]
    assert all(len(a.demand_ids) == 2 and a.tier == "major" for a in adopted) and len(adopted) == 7
    pdf = flow.client.get(f"/decision/api/sessions/{session_id}/result-sheet.pdf", headers=flow.headers("deputy"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    again = flow.client.get(f"/decision/api/sessions/{session_id}/result-sheet.pdf", headers=flow.headers("deputy"))
    assert again.content == pdf.content  # deterministic
    checked = check_pdf(pdf.content, flow.settings.data_dir / "sheet")
    assert_renders_anywhere(checked)  # the shipped font embedded, nothing past the margins, numbered pages
    assert "广东省江门市台山市（440781）" in checked.text and "当选 第1名" in checked.text
    assert checked.text.count("当选 第2名（并列）") == 2 and checked.text.count("当选 第4名（并列）") == 2
    assert "当选 第3名" not in checked.text and "当选 第6名" in checked.text


def test_tie_at_the_cut_off_goes_to_a_runoff_among_the_tied(flow: Flow) -> None:
    list_id, candidates = flow.adopted_list(4)
    session_id, deputies = flow.session(list_id, roll=8)
    tokens = [flow.check_in(session_id, d) for d in deputies]
    flow.call("POST", f"/sessions/{session_id}/votes", expect=201, json={"seats": 2})
    for t, m in zip(tokens, ballots_for(candidates, [6, 5, 5, 0], 8, seats=2), strict=True):
        flow.cast(session_id, t, m)
    closed = flow.call("POST", f"/sessions/{session_id}/close")
    assert closed["status"] == "runoff"
    assert sorted(closed["round"]["result"]["tied"]) == sorted(candidates[1:3])
    # the run-off must be among the tied candidates, for the seats left
    bad = flow.client.post(
        f"/decision/api/sessions/{session_id}/votes", headers=flow.headers("congress_staff"), json={"seats": 2}
    )
    assert bad.status_code == 409 and "tied" in bad.json()["detail"]
    flow.call("POST", f"/sessions/{session_id}/votes", expect=201, json={"seats": 1})
    runoff_marks = [{candidates[1]: "yes", candidates[2]: "no"}] * 5 + [{candidates[1]: "no", candidates[2]: "yes"}] * 3
    for t, m in zip(tokens, runoff_marks, strict=True):  # the same tokens serve the session's next round
        flow.cast(session_id, t, m)
    final = flow.call("POST", f"/sessions/{session_id}/close")
    assert final["status"] == "decided"
    assert [(e["candidate_id"], e["rank"]) for e in final["round"]["result"]["elected"]] == [(candidates[1], 2)]
    result = flow.call("GET", f"/counties/{COUNTY}/results")["items"][0]
    assert [e["candidate_id"] for e in result["elected"]] == [candidates[0], candidates[1]]


def test_ballot_rules_check_in_quorum_and_margin(flow: Flow) -> None:
    list_id, candidates = flow.adopted_list(3)
    session_id, deputies = flow.session(list_id, roll=5)
    # margin: 3 candidates for 3 seats is not competitive; equal-number needs as many as seats
    r = flow.client.post(
        f"/decision/api/sessions/{session_id}/votes", headers=flow.headers("congress_staff"), json={"seats": 3}
    )
    assert r.status_code == 409  # no deputy checked in yet
    tokens = [flow.check_in(session_id, d) for d in deputies[:2]]
    again = flow.client.post(
        f"/decision/api/sessions/{session_id}/check-in",
        json={"deputy_id": deputies[0]},
        headers=flow.headers("deputy", deputies[0]),
    )
    assert again.status_code == 409 and "already" in again.json()["detail"]
    other = flow.client.post(
        f"/decision/api/sessions/{session_id}/check-in",
        json={"deputy_id": deputies[3]},
        headers=flow.headers("deputy", deputies[0]),
    )
    assert other.status_code == 403
    r = flow.client.post(
        f"/decision/api/sessions/{session_id}/votes", headers=flow.headers("congress_staff"), json={"seats": 3}
    )
    assert r.status_code == 409 and "competitive margin" in r.json()["detail"]
    opened = flow.call("POST", f"/sessions/{session_id}/votes", expect=201, json={"seats": 3, "kind": "equal"})
    assert opened["quorum_met"] is False  # 2 of 5
    late = flow.client.post(
        f"/decision/api/sessions/{session_id}/check-in",
        json={"deputy_id": deputies[4]},
        headers=flow.headers("congress_staff"),
    )
    assert late.status_code == 409 and "closed while a vote is open" in late.json()["detail"]
    marks = {c: "yes" for c in candidates}
    receipt = flow.cast(session_id, tokens[0], marks)["receipt"]
    second = flow.cast(session_id, tokens[0], marks, expect=409)
    assert second["reason"] == "already_cast"
    forged = flow.cast(session_id, "ABCDE23456", marks, expect=409)  # no codes were printed for this session
    assert forged["reason"] == "invalid_credential"
    partial = flow.cast(session_id, tokens[1], {candidates[0]: "yes"}, expect=409)
    assert "every item" in partial["detail"]
    closed = flow.call("POST", f"/sessions/{session_id}/close")
    assert closed["round"]["result"]["status"] == "void" and "2 of 5" in closed["round"]["result"]["reason"]
    assert receipt in [b["receipt"] for b in flow.call("GET", f"/sessions/{session_id}/rounds/1/ballots")["ballots"]]
    # a void vote is held again once a quorum is present
    tokens += [flow.check_in(session_id, d) for d in deputies[2:4]]
    assert (
        flow.call("POST", f"/sessions/{session_id}/votes", expect=201, json={"seats": 3, "kind": "equal"})["quorum_met"]
        is True
    )


def test_paper_ballots_two_tellers_and_reconciliation(flow: Flow) -> None:
    list_id, candidates = flow.adopted_list(3)
    session_id, deputies = flow.session(list_id, roll=10)
    for d in deputies[:9]:
        flow.check_in(session_id, d)
    flow.call("POST", f"/sessions/{session_id}/votes", expect=201, json={"seats": 2, "mode": "paper"})
    a, b = "teller-a", "teller-b"
    box1 = {
        "box_no": "1",
        "issued": 5,
        "returned": 5,
        "invalid": 1,
        "counts": {candidates[0]: {"yes": 4}, candidates[1]: {"yes": 3, "no": 1}, candidates[2]: {"no": 4}},
    }
    entered = flow.call("POST", f"/sessions/{session_id}/paper-boxes", subject=a, expect=201, json=box1)
    assert entered["flags"] == [] and entered["valid"] == 4
    same = flow.client.post(
        f"/decision/api/sessions/{session_id}/paper-boxes/1/confirm", headers=flow.headers("congress_staff", a)
    )
    assert same.status_code == 409 and "different teller" in same.json()["detail"]
    flow.call("POST", f"/sessions/{session_id}/paper-boxes/1/confirm", subject=b)
    wrong = {
        "box_no": "2",
        "issued": 4,
        "returned": 5,
        "invalid": 0,
        "counts": {candidates[0]: {"yes": 3}, candidates[1]: {"yes": 4}, candidates[2]: {"no": 4}},
    }
    flagged = flow.call("POST", f"/sessions/{session_id}/paper-boxes", subject=a, expect=201, json=wrong)
    assert "收回 5 张多于发出 4 张 / returned 5 > issued 4" in flagged["flags"]
    assert any("3 marks for 5 valid" in f for f in flagged["flags"])
    flow.call("POST", f"/sessions/{session_id}/paper-boxes/2/confirm", subject=b)
    refused = flow.client.post(f"/decision/api/sessions/{session_id}/close", headers=flow.headers("congress_staff"))
    assert refused.status_code == 409 and "do not reconcile" in refused.json()["detail"]
    fixed = {
        **wrong,
        "returned": 4,
        "counts": {candidates[0]: {"yes": 3, "no": 1}, candidates[1]: {"yes": 4}, candidates[2]: {"no": 4}},
    }
    flow.call("POST", f"/sessions/{session_id}/paper-boxes", subject=b, expect=201, json=fixed)
    unconfirmed = flow.client.post(f"/decision/api/sessions/{session_id}/close", headers=flow.headers("congress_staff"))
    assert unconfirmed.status_code == 409 and "confirmation" in unconfirmed.json()["detail"]
    flow.call("POST", f"/sessions/{session_id}/paper-boxes/2/confirm", subject=a)
    state = flow.call("GET", f"/sessions/{session_id}/rounds/1/box")
    assert state["boxes"]["1"]["confirmed_by"] == b and state["boxes"]["2"]["confirmed_by"] == a
    closed = flow.call("POST", f"/sessions/{session_id}/close")
    tally = closed["round"]["tally"]
    assert (tally["issued"], tally["returned"], tally["valid"], tally["invalid"]) == (9, 9, 8, 1)
    assert tally["counts"][candidates[0]]["yes"] == 7 and tally["flags"] == []
    assert {e["candidate_id"] for e in closed["round"]["result"]["elected"]} == set(candidates[:2])


def test_approval_chain_send_back_and_versions(flow: Flow) -> None:
    ids = []
    for k in range(3):
        c = flow.call(
            "POST",
            f"/counties/{COUNTY}/candidates",
            "gov_unit",
            expect=201,
            json={
                "year": 2026,
                "name": f"项目{k}",
                "content": "内容",
                "implementing_body": "县教育局",
                "investment": "500000",
                "deadline": "2026-12-31",
                "demand_ids": flow.pooled_demands(1),
            },
        )
        ids.append(c["id"])
    r = flow.client.post(
        f"/decision/api/counties/{COUNTY}/candidate-lists",
        headers=flow.headers("gov_unit"),
        json={"year": 2026, "title": "候选项目", "candidate_ids": ids},
    )
    assert r.status_code == 409 and "not been screened" in r.json()["detail"]
    for cid in ids:
        flow.call(
            "POST",
            f"/candidates/{cid}/screening",
            "gov_unit",
            json={
                "scores": {
                    "necessity": 5,
                    "feasibility": 4,
                    "inclusiveness": 3,
                    "regional_balance": 3,
                    "urgency": 5,
                    "benefit": 4,
                    "conditions": 4,
                },
                "reasons": {"feasibility": "资金已落实"},
            },
        )
    assert flow.call("GET", f"/candidates/{ids[0]}", "deputy")["screening"]["total"] == 28
    lst = flow.call(
        "POST",
        f"/counties/{COUNTY}/candidate-lists",
        "gov_unit",
        expect=201,
        json={"year": 2026, "title": "候选项目", "candidate_ids": ids},
    )
    path = f"/candidate-lists/{lst['id']}"
    flow.call("POST", f"{path}/decisions", json={"step": "chairpersons", "decision": "approve", "reason": "同意"})
    out_of_order = flow.client.post(
        f"/decision/api{path}/decisions",
        headers=flow.headers("congress_staff"),
        json={"step": "presidium", "decision": "approve"},
    )
    assert out_of_order.status_code == 409 and "party_committee" in out_of_order.json()["detail"]
    no_reason = flow.client.post(
        f"/decision/api{path}/decisions",
        headers=flow.headers("congress_staff"),
        json={"step": "party_committee", "decision": "send_back"},
    )
    assert no_reason.status_code == 409
    flow.call(
        "POST",
        f"{path}/decisions",
        json={"step": "party_committee", "decision": "send_back", "reason": "项目2区域不平衡"},
    )
    flow.call("POST", f"{path}/revise", "gov_unit", json={"candidate_ids": ids[:2], "reason": "删去项目2"})
    flow.call("POST", f"{path}/revise", "gov_unit", expect=409, json={"candidate_ids": ids, "reason": "再调整"})
    doc = flow.call("GET", path, "auditor")
    assert doc["version"] == 2 and doc["pending_step"] == "chairpersons" and doc["candidate_ids"] == ids[:2]
    assert [(h["version"], h["step"], h["decision"]) for h in doc["history"]] == [
        (1, "government_draft", "drafted"),
        (1, "chairpersons", "approved"),
        (1, "party_committee", "sent_back"),
        (2, "government_draft", "revised"),
    ]
    assert doc["history"][2]["reason"] == "项目2区域不平衡"
    r = flow.client.post(
        f"/decision/api/counties/{COUNTY}/sessions",
        headers=flow.headers("congress_staff"),
        json={"year": 2026, "name": "会议", "list_id": lst["id"], "roll": [{"id": "d1", "name": "甲"}]},
    )
    assert r.status_code == 409 and "presidium" in r.json()["detail"]


def test_deputies_checking_in_at_the_same_moment_are_all_checked_in(flow: Flow) -> None:
    """Twelve phones check in to one session at once: each request loads the session, and all but one
    find it changed by another when they store theirs. Each is run again on the session as it now is
    (shared/web/conflicts.py): every deputy is checked in, none is answered with a 500."""
    import threading

    list_id, _ = flow.adopted_list(3)
    session_id, deputies = flow.session(list_id, roll=12)
    statuses: list[int] = []
    together = threading.Barrier(len(deputies))

    def check_in(deputy: str) -> None:
        together.wait()
        answer = flow.client.post(
            f"/decision/api/sessions/{session_id}/check-in",
            headers=flow.headers("deputy", subject=deputy),
            json={"deputy_id": deputy},
        )
        statuses.append(answer.status_code)

    phones = [threading.Thread(target=check_in, args=(d,)) for d in deputies]
    for phone in phones:
        phone.start()
    for phone in phones:
        phone.join(timeout=60)
    assert sorted(statuses) == [200] * len(deputies)
    flow.sync()
    session = flow.call("GET", f"/sessions/{session_id}")
    assert sorted(session["present"]) == sorted(deputies)
