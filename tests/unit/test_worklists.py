"""What each service puts on a role's worklist (the pure folds under ``services/<service>/read/worklist.py``)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from services.decision.read import worklist as decision
from services.evaluation.read import worklist as evaluation
from services.intake.read import worklist as intake
from services.supervision.read import worklist as supervision

C = "440781"


def kinds(found: list[dict]) -> dict[str, int]:
    return {t["kind"]: t["count"] for t in found}


def demand(n: int, **doc: object) -> dict:
    base = {
        "id": f"d{n}",
        "town": "台城街道",
        "text": f"诉求{n}",
        "status": "received",
        "due_at": None,
        "replied_at": None,
        "last_moved_at": "2026-03-09T00:00:00+00:00",
        "owner": "",
        "deputies": [],
        "tier": "",
        "kind": "",
        "wish": {},
    }
    return {**base, **doc}


def test_intake_staff_see_replies_overdue_and_due_and_demands_to_triage() -> None:
    now = datetime(2026, 3, 10, 2, tzinfo=UTC)
    docs = [
        demand(1, status="triaged", due_at="2026-03-09T02:00:00+00:00", owner="x"),  # past its 24 hours
        demand(2, status="triaged", due_at="2026-03-11T02:00:00+00:00", owner="x"),  # still in time
        demand(3),
        demand(4, status="closed"),
        demand(5, status="routed", deputies=["deputy-1"], owner="x"),
        demand(6, status="routed", tier="micro_wish", kind="micro_wish", owner="x"),
    ]
    staff = intake.staff_tasks(docs, now, {"stranded_days": 14}, C)
    assert kinds(staff) == {"replies_overdue": 1, "replies_due": 1, "untriaged": 1}
    assert staff[0]["items"][0]["due"] == "2026-03-09" and staff[0]["href"].endswith("overdue=1")
    assert kinds(intake.deputy_tasks(docs, "deputy-1", C)) == {"inbox": 1, "wishes_to_claim": 1}
    assert intake.deputy_tasks(docs, "deputy-2", C)[0]["kind"] == "wishes_to_claim"


def test_decision_staff_units_and_deputies_each_see_their_part() -> None:
    lists = [
        {"id": "l1", "title": "清单一", "year": 2026, "status": "in_review"},
        {"id": "l2", "title": "清单二", "year": 2026, "status": "put_to_session"},
        {"id": "l3", "title": "清单三", "year": 2026, "status": "sent_back"},
    ]
    sessions = [{"id": "s1", "name": "人代会", "list_id": "l9", "status": "voting", "roll": [{"id": "deputy-1"}]}]
    micro = [
        {"id": "m1", "town": "台城街道", "name": "路灯", "status": "proposed", "respond_by": "2026-03-12"},
        {"id": "m2", "town": "台城街道", "name": "公厕", "status": "accepted"},
    ]
    staff_list = decision.staff_tasks(lists, sessions, micro, C)
    staff = kinds(staff_list)
    assert staff == {"lists_to_decide": 1, "lists_to_schedule": 1, "sessions_to_hold": 1, "micro_to_approve": 1}
    # each item opens the page of its step: the chain, a session for the list, the micro project
    hrefs = [t["items"][0]["href"] for t in staff_list]
    assert hrefs == [
        "/decision/lists/l1",
        f"/decision/sessions/new?county={C}&list=l2",
        "/decision/sessions/s1/console",
        "/decision/micro/m2",
    ]
    unit = decision.government_tasks(lists, micro, C)
    assert kinds(unit) == {"lists_sent_back": 1, "micro_to_answer": 1} and unit[1]["items"][0]["due"] == "2026-03-12"
    assert unit[0]["items"][0]["href"] == f"/decision/candidates?county={C}#list-l3"
    (vote,) = decision.deputy_tasks(sessions, "deputy-1")
    assert vote["href"] == "/decision/sessions/s1/ballot" and decision.deputy_tasks(sessions, "deputy-2") == []


def test_supervision_units_see_plans_due_and_deputies_only_their_own_findings() -> None:
    project = {
        "id": "p1",
        "name": "道路改造",
        "status": "open",
        "plan_status": "missing",
        "session_closed_on": "2026-01-20",
        "progress_pct": 100,
        "members": ["deputy-1"],
    }
    findings = [
        (project, {"text": "路面开裂", "status": "open", "inspector": "deputy-1", "found_on": "2026-03-05"}),
        (project, {"text": "围挡缺失", "status": "answered", "inspector": "deputy-1", "found_on": "2026-03-06"}),
        (project, {"text": "排水不畅", "status": "answered", "inspector": "deputy-2", "found_on": "2026-03-06"}),
        (project, {"text": "标识缺失", "status": "reopened", "inspector": "deputy-2", "found_on": "2026-03-07"}),
    ]
    warnings = [{"project_id": "p1", "project_name": "道路改造", "kind": "entry_missing", "raised_on": "2026-03-06"}]
    unit = supervision.unit_tasks([project], warnings, findings, {"plan_due_days": 30}, C)
    assert kinds(unit) == {"plans_due": 1, "reports_missing": 1, "findings_to_answer": 1, "completions_to_report": 1}
    assert unit[0]["items"][0]["due"] == "2026-02-19" and unit[1]["items"][0]["note"] == "entry_missing"
    # each item leads to the form of its step (supervision's unit pages)
    assert unit[0]["items"][0]["href"] == "/supervision/projects/p1/plan"
    assert unit[3]["items"][0]["href"] == "/supervision/projects/p1/completion"
    staff_list = supervision.staff_tasks(warnings, findings, C)
    staff = kinds(staff_list)
    assert staff == {"warnings_open": 1, "findings_to_assign": 1, "findings_unanswered": 1}
    assert staff_list[1]["href"] == f"/supervision/staff?county={C}"  # findings are assigned on staff's board
    change = {"id": "c1", "kind": "extension", "status": "pending", "requested_at": "2026-03-08T02:00:00+00:00"}
    with_change = supervision.staff_tasks(warnings, findings, C, [(project, change)])
    assert with_change[0]["kind"] == "changes_to_decide" and with_change[0]["count"] == 1
    assert with_change[0]["items"][0]["href"] == "/supervision/projects/p1/changes/c1"  # the decision page
    deputy = supervision.deputy_tasks([project], findings, "deputy-1")
    assert kinds(deputy) == {"projects_to_inspect": 1, "answers_to_review": 1}


def test_evaluation_rounds_rectifications_and_lookbacks() -> None:
    ratings = [
        {"project_id": "a", "name": "长者饭堂", "status": "open", "round_id": None, "lookbacks": []},
        {
            "project_id": "b",
            "name": "道路",
            "status": "rated",
            "round_id": "r1",
            "rectification": {"status": "ordered", "deadline": "2026-04-20"},
            "lookbacks": [],
            "lookback_due": "2026-03-14",
        },
    ]
    rounds = [
        {
            "id": "r1",
            "session_year": 2026,
            "rated_year": 2025,
            "status": "check_in",
            "distributed": [],
            "projects": [{"project_id": "c"}],
        }
    ]
    ratings.append({"project_id": "c", "name": "公园", "status": "open", "round_id": None, "lookbacks": []})
    staff = evaluation.staff_tasks(ratings, rounds, date(2026, 3, 10), C)
    assert kinds(staff) == {"ratings_to_round": 1, "rounds_in_progress": 1, "rectifications_due": 1, "lookbacks_due": 1}
    label = staff[1]["items"][0]["label"]
    assert label == {"key": "worklist_round_title", "session_year": 2026, "rated_year": 2025}
    # a look-back is recorded on the project's evaluation page; the list of them is the follow-up page
    assert staff[3]["href"] == f"/evaluation/followup?county={C}" and staff[3]["items"][0]["href"].startswith(
        "/evaluation/projects/"
    )
    assert kinds(evaluation.government_tasks(ratings, C)) == {"rectification_reports_due": 1}
    assert kinds(evaluation.deputy_tasks(rounds, C)) == {"rounds_to_rate": 1}
    assert evaluation.deputy_tasks([{**rounds[0], "status": "confirmed"}], C) == []
