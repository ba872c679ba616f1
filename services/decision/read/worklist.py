"""Decision's part of a role's worklist (pure, over decision's read models):

- congress staff: candidate lists waiting for a step of the approval chain, sessions to hold (a
  list put to the session with no session yet, a session scheduled or voting), micro projects
  the government accepted that wait for approval;
- a government office: lists sent back to revise, micro projects proposed that wait for its
  answer (with the day it is due);
- a deputy: the sessions whose roll names them, still to vote (their ballot page)."""

from __future__ import annotations

from typing import Any

from shared.views.worklist import item, task, tasks

TO_HOLD = ("scheduled", "voting", "runoff")


def staff_tasks(lists: list[dict], sessions: list[dict], micro: list[dict], county: str) -> list[dict]:
    candidates = f"/decision/candidates?county={county}"
    scheduled_lists = {s["list_id"] for s in sessions}
    return tasks(
        task(
            "lists_to_decide",
            candidates,
            [_list(d, f"/decision/lists/{d['id']}") for d in lists if d["status"] == "in_review"],
        ),
        task(
            "lists_to_schedule",
            f"/decision/sessions?county={county}",
            [
                _list(d, f"/decision/sessions/new?county={county}&list={d['id']}")
                for d in lists
                if d["status"] == "put_to_session" and d["id"] not in scheduled_lists
            ],
        ),
        task(
            "sessions_to_hold",
            f"/decision/sessions?county={county}",
            [item(s["name"], f"/decision/sessions/{s['id']}/console") for s in sessions if s["status"] in TO_HOLD],
        ),
        task(
            "micro_to_approve",
            f"/decision/micro?county={county}",
            [_micro(d) for d in micro if d["status"] == "accepted"],
        ),
    )


def government_tasks(lists: list[dict], micro: list[dict], county: str) -> list[dict]:
    candidates = f"/decision/candidates?county={county}"
    return tasks(
        task(
            "lists_sent_back",
            candidates,
            [_list(d, f"{candidates}#list-{d['id']}") for d in lists if d["status"] == "sent_back"],
        ),
        task(
            "micro_to_answer",
            f"/decision/micro?county={county}",
            [_micro(d, d.get("respond_by")) for d in micro if d["status"] == "proposed"],
        ),
    )


def deputy_tasks(sessions: list[dict], deputy: str) -> list[dict]:
    mine = [s for s in sessions if s["status"] in TO_HOLD and any(r.get("id") == deputy for r in s.get("roll", []))]
    return tasks(
        task(
            "sessions_to_vote",
            f"/decision/sessions/{mine[0]['id']}/ballot" if mine else "",
            [item(s["name"], f"/decision/sessions/{s['id']}/ballot") for s in mine],
        )
    )


def _list(doc: dict[str, Any], href: str) -> dict[str, Any]:
    return item(f"{doc['title']}（{doc['year']}）", href)


def _micro(doc: dict[str, Any], due: str | None = None) -> dict[str, Any]:
    """A micro project's item: its page, where the government accepts it and staff approve it."""
    return item(f"{doc['town']} · {doc['name']}", f"/decision/micro/{doc['id']}", due)
