"""The supervision pages' forms read into the JSON API's own models (so a page and the API check the
same things), with a label for every field so that a refusal names it as the page does.

The plan form has numbered rows (``task_name_2``, ``line_amount_1`` …); a row left blank is skipped.
Budget lines get the codes ``B1``, ``B2`` … of their rows, tasks ``t1`` …, milestones ``m1`` …, so nobody
types an id: a task picks its budget line by the row's name."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from starlette.datastructures import FormData

from services.supervision.domain.project import Project
from services.supervision.http.page_frame import Refused
from services.supervision.http.plan_api import PlanIn
from services.supervision.http.projects_api import ProgressIn
from shared.web.i18n import translate

ROWS = {"line": 3, "task": 4, "ms": 3}  # blank rows a new plan form offers
FIELDS = {
    "line": ("name", "amount"),
    "task": ("name", "unit", "person", "due", "line", "budget"),
    "ms": ("name", "due", "target"),
}


def text(form: FormData, key: str) -> str:
    return str(form.get(key) or "").strip()


def _rows(form: FormData, prefix: str) -> list[tuple[int, dict[str, str]]]:
    """The rows of one kind that have anything in them, with their row numbers."""
    numbers = sorted({int(m.group(1)) for key in form if (m := re.fullmatch(rf"{prefix}_[a-z]+_(\d{{1,3}})", key))})
    out = []
    for n in numbers:
        values = {f: text(form, f"{prefix}_{f}_{n}") for f in FIELDS[prefix]}
        if any(v for f, v in values.items() if f != "line"):  # a task's line has a default: not typed
            out.append((n, {k: v for k, v in values.items() if v}))
    return out


def plan_from_form(form: FormData, lang: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The plan form -> (the body of ``POST …/plan``, the label of each of its fields)."""
    lines, tasks, milestones = _rows(form, "line"), _rows(form, "task"), _rows(form, "ms")
    missing = [
        translate(lang, key)
        for key, rows in (("need_line", lines), ("need_task", tasks), ("need_milestone", milestones))
        if not rows
    ]
    if missing:
        raise Refused(missing, 422)
    labels = {"filed_on": translate(lang, "filed_on")}
    for k, (n, _) in enumerate(lines):
        labels |= {f"budget_lines.{k}.{f}": translate(lang, f"line_{f}_n", n=n) for f in ("name", "amount")}
    for k, (n, _) in enumerate(tasks):
        labels |= {
            f"tasks.{k}.{f}": translate(lang, f"task_{f}_n", n=n)
            for f in ("name", "unit", "person", "due", "budget_line", "budget")
        }
    for k, (n, _) in enumerate(milestones):
        labels |= {f"milestones.{k}.{f}": translate(lang, f"ms_{f}_n", n=n) for f in ("name", "due", "target_pct")}
    body: dict[str, Any] = {
        "filed_on": text(form, "filed_on") or None,
        "budget_lines": [{"code": f"B{n}", **row} for n, row in lines],
        "tasks": [
            {
                "id": f"t{n}",
                **{k: v for k, v in row.items() if k != "line"},
                **({"budget_line": row["line"]} if "line" in row else {}),
            }
            for n, row in tasks
        ],
        "milestones": [
            {"id": f"m{n}", **{("target_pct" if k == "target" else k): v for k, v in row.items()}}
            for n, row in milestones
        ],
    }
    return body, labels


def plan_values(plan: Mapping[str, Any]) -> dict[str, str]:
    """A filed plan as the plan form's rows (what a scope change starts from): budget lines in order as
    rows ``B1`` …, each task on the row of its budget line, milestones in order."""
    values: dict[str, str] = {}
    rows: dict[str, str] = {}
    for n, b in enumerate(plan["budget_lines"], 1):
        rows[b["code"]] = f"B{n}"
        values |= {f"line_name_{n}": b["name"], f"line_amount_{n}": str(b["amount"])}
    for n, t in enumerate(plan["tasks"], 1):
        values |= {f"task_{f}_{n}": str(t[f]) for f in ("name", "unit", "person", "due", "budget")}
        values[f"task_line_{n}"] = rows.get(t["budget_line"], "B1")
    for n, m in enumerate(plan["milestones"], 1):
        values |= {f"ms_name_{n}": m["name"], f"ms_due_{n}": str(m["due"]), f"ms_target_{n}": str(m["target_pct"])}
    return values


def posted_rows(values: Mapping[str, str]) -> dict[str, int]:
    """How many rows of each kind the plan form shows for ``values``: the rows filled, else the defaults."""
    found = {k: n for k, n in ROWS.items()}
    for key in values:
        if m := re.fullmatch(r"(line|task|ms)_[a-z]+_(\d{1,3})", key):
            found[m.group(1)] = max(found[m.group(1)], int(m.group(2)))
    return found


def parse_plan(form: FormData, lang: str) -> tuple[PlanIn, dict[str, str]]:
    body, labels = plan_from_form(form, lang)
    return PlanIn.model_validate(body), labels


def progress_labels(p: Project, lang: str) -> dict[str, str]:
    labels = {
        "period": translate(lang, "period"),
        "progress_pct": translate(lang, "overall_progress"),
        "spent": translate(lang, "spent_total"),
        "work_done": translate(lang, "work_done"),
        "problems": translate(lang, "problems"),
        "note": translate(lang, "entry_note"),
    }
    if p.plans:
        plan = p.plans[-1]
        labels |= {f"task_progress.{t['id']}": translate(lang, "task_pct_of", name=t["name"]) for t in plan["tasks"]}
        labels |= {
            f"spent_by_line.{b['code']}": translate(lang, "line_spent_of", name=b["name"]) for b in plan["budget_lines"]
        }
    return labels


def progress_from_form(form: FormData, p: Project) -> dict[str, Any]:
    """The monthly entry form -> the body of ``POST …/progress`` (per task and budget line with a plan)."""
    body: dict[str, Any] = {
        k: text(form, k) for k in ("period", "work_done", "problems", "note") if text(form, k) or k == "note"
    }
    if p.plans:
        plan = p.plans[-1]
        body["task_progress"] = {
            t["id"]: text(form, f"task_pct_{t['id']}") for t in plan["tasks"] if text(form, f"task_pct_{t['id']}")
        }
        body["spent_by_line"] = {
            b["code"]: text(form, f"spent_{b['code']}")
            for b in plan["budget_lines"]
            if text(form, f"spent_{b['code']}")
        }
    else:
        for key in ("progress_pct", "spent"):
            if text(form, key):
                body[key] = text(form, key)
    return body


def parse_progress(form: FormData, p: Project) -> ProgressIn:
    return ProgressIn.model_validate(progress_from_form(form, p))


def latest_figures(p: Project) -> Mapping[str, Any]:
    """What the entry form starts from: each task's latest progress and each line's latest spending."""
    tasks: dict[str, Any] = {}
    lines: dict[str, Any] = {}
    for e in p.tracking:
        tasks.update(e.get("task_progress") or {})
        lines.update(e.get("spent_by_line") or {})
    return {"tasks": tasks, "lines": lines}
