"""Supervision's part of a role's worklist (pure: project documents, open warnings, and each open
project's findings as the caller loads them):

- congress staff: change requests for the standing committee to decide, warnings escalated to
  standing-committee supervision and other open warnings,
  findings recorded on site that no unit has been assigned yet, and findings a unit has still to answer;
- a responsible unit (government office): plans due or late, monthly entries and reports missing
  (the open warnings that ask for them), findings assigned to answer or reopened, projects at 100%
  whose completion is still to report;
- a deputy on a supervision group: the projects they inspect, and answers to their findings to
  accept or reopen."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from shared.views.worklist import item, task, tasks

REPORTING = ("entry_missing", "quarterly_missing", "midyear_missing", "yearend_missing")


def _project(doc: dict[str, Any], due: str | None = None, form: str = "") -> dict[str, Any]:
    """A project's item: its page, or the unit's form for the step due (``plan``, ``completion``)."""
    return item(doc["name"], f"/supervision/projects/{doc['id']}" + (f"/{form}" if form else ""), due)


def staff_tasks(
    warnings: list[dict],
    findings: list[tuple[dict, dict]],
    county: str,
    changes: list[tuple[dict, dict]] | None = None,
) -> list[dict]:
    """``changes``: each open project's change requests still pending (the committee decides them)."""
    dashboard = f"/supervision/dashboard?county={county}"
    board = f"/supervision/staff?county={county}"  # where staff assign findings (交办)
    escalated = [w for w in warnings if w.get("escalated_on")]
    others = [w for w in warnings if not w.get("escalated_on")]
    pending = [
        item(p["name"], f"/supervision/projects/{p['id']}/changes/{c['id']}", str(c["requested_at"])[:10])
        for p, c in changes or []
    ]
    return tasks(
        task("changes_to_decide", board, pending),
        task("warnings_escalated", dashboard, [_warning(w) for w in escalated]),
        task("warnings_open", dashboard, [_warning(w) for w in others]),
        task("findings_to_assign", board, [_finding(p, f, board) for p, f in findings if f["status"] == "open"]),
        task(
            "findings_unanswered",
            board,
            [_finding(p, f, _page(p)) for p, f in findings if f["status"] in ("assigned", "reopened")],
        ),
    )


def unit_tasks(
    projects: list[dict], warnings: list[dict], findings: list[tuple[dict, dict]], rules: dict, county: str
) -> list[dict]:
    unit = f"/supervision/unit?county={county}"
    open_projects = [p for p in projects if p["status"] not in ("completed", "accepted")]
    plans = [
        _project(
            p,
            (date.fromisoformat(p["session_closed_on"]) + timedelta(days=int(rules["plan_due_days"]))).isoformat(),
            "plan",
        )
        for p in open_projects
        if p["plan_status"] == "missing"
    ]
    return tasks(
        task("plans_due", unit, plans),
        task("reports_missing", unit, [_warning(w) for w in warnings if w["kind"] in REPORTING]),
        task(
            "findings_to_answer",
            unit,
            [_finding(p, f, unit) for p, f in findings if f["status"] in ("assigned", "reopened")],
        ),
        task(
            "completions_to_report",
            unit,
            [_project(p, None, "completion") for p in open_projects if p["progress_pct"] >= 100],
        ),
    )


def deputy_tasks(projects: list[dict], findings: list[tuple[dict, dict]], deputy: str) -> list[dict]:
    inspect = "/supervision/inspect"
    mine = [p for p in projects if deputy in p.get("members", []) and p["status"] != "accepted"]
    return tasks(
        task("projects_to_inspect", inspect, [item(p["name"], inspect) for p in mine]),
        task(
            "answers_to_review",
            inspect,
            [
                _finding(p, f, inspect)
                for p, f in findings
                if f["status"] == "answered" and f.get("inspector") == deputy
            ],
        ),
    )


def _warning(w: dict[str, Any]) -> dict[str, Any]:
    return item(w["project_name"], f"/supervision/projects/{w['project_id']}", w.get("raised_on"), w["kind"])


def _finding(project: dict[str, Any], finding: dict[str, Any], href: str) -> dict[str, Any]:
    return item(f"{project['name']} · {finding['text'][:40]}", href)


def _page(project: dict[str, Any]) -> str:
    return f"/supervision/projects/{project['id']}"
