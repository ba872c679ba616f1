"""Evaluation's part of a role's worklist (pure, over evaluation's read models; ``today`` is a
business date in China time):

- congress staff: completed projects waiting for a rating round, rounds still to start, close,
  confirm or distribute, rectification reports still due (the overdue ones first) and reports to
  rate again, look-backs due within a week;
- a government office: rectification reports it still owes;
- a deputy: a rating round open for check-in or rating (their rating page)."""

from __future__ import annotations

from datetime import date
from typing import Any

from shared.views.worklist import due_within, item, task, tasks

ROUND_STEPS = ("check_in", "rating", "closed")


def staff_tasks(ratings: list[dict], rounds: list[dict], today: date, county: str) -> list[dict]:
    board = f"/evaluation/board?county={county}"
    in_a_round = {p["project_id"] for r in rounds if r["status"] in ROUND_STEPS for p in r["projects"]}
    to_round = [r for r in ratings if r["status"] == "open" and r["project_id"] not in in_a_round]
    in_progress = [
        r for r in rounds if r["status"] in ROUND_STEPS or (r["status"] == "confirmed" and not r["distributed"])
    ]
    orders = [r for r in ratings if (r.get("rectification") or {}).get("status") == "ordered"]
    reported = [r for r in ratings if (r.get("rectification") or {}).get("status") == "reported"]
    lookbacks = [r for r in ratings if not r.get("lookbacks") and due_within(r.get("lookback_due"), today)]
    return tasks(
        task("ratings_to_round", board, [_rating(r, county) for r in to_round]),
        task(
            "rounds_in_progress",
            board,
            [_round(r, f"/evaluation/rounds/{r['id']}") for r in in_progress],
        ),
        task("rectifications_due", board, [_rating(r, county, r["rectification"]["deadline"]) for r in orders]),
        task("rectifications_to_rerate", board, [_rating(r, county) for r in reported]),
        task(
            "lookbacks_due",
            f"/evaluation/followup?county={county}",
            [item(r["name"], f"/evaluation/projects/{r['project_id']}", r["lookback_due"]) for r in lookbacks],
        ),
    )


def government_tasks(ratings: list[dict], county: str) -> list[dict]:
    orders = [r for r in ratings if (r.get("rectification") or {}).get("status") == "ordered"]
    board = f"/evaluation/board?county={county}"
    return tasks(
        task("rectification_reports_due", board, [_rating(r, county, r["rectification"]["deadline"]) for r in orders])
    )


def deputy_tasks(rounds: list[dict], county: str) -> list[dict]:
    page = f"/evaluation/rate?county={county}"
    open_rounds = [r for r in rounds if r["status"] in ("check_in", "rating")]
    return tasks(task("rounds_to_rate", page, [_round(r, page) for r in open_rounds]))


def _rating(doc: dict[str, Any], county: str, due: str | None = None) -> dict[str, Any]:
    return item(doc["name"], f"/evaluation/board?county={county}", due)


def _round(doc: dict[str, Any], href: str) -> dict[str, Any]:
    label = {"key": "worklist_round_title", "session_year": doc["session_year"], "rated_year": doc["rated_year"]}
    return item(f"{doc['session_year']} / {doc['rated_year']}", href, label=label)
