"""Supervision's rules (pure). Defaults from DOMAIN.md §3.4; each county may revise them.

Also the arithmetic the rules need: the plan's milestone curve, the roll-up of progress from
tasks to project to county (weighted by budget), and the reporting calendar.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from shared.kernel.meta import RuleViolation
from shared.kernel.ranges import Between, MonthDay, Range, RuleOutOfRange, check_values

DEFAULTS: dict[str, Any] = {
    "plan_due_days": 30,  # implementation plan within 30 days after the session closes
    "plan_escalation_days": 45,  # still no plan this many days after the session: escalate
    "group_min": 3,  # supervision group: 3-5 deputies (seed 001)
    "group_max": 5,
    "resident_reps_min": 1,  # plus resident representatives (监督员)
    "entry_grace_days": 5,  # monthly entry for month M due by day 5 of M+1 (一月一跟踪)
    "quarterly_grace_days": 10,  # quarterly report due 10 days after the quarter (一季一汇报)
    "midyear_review_due": "07-31",  # mid-year progress review (年中问进度) of the project's year
    "yearend_result_due": "01-31",  # year-end result (年终问结果), in the following year
    "lag_warning_points": 10,  # progress behind the plan's milestone curve by more than X points
    "spend_deviation_points": 25,  # share of budget spent off the planned share by more than X points
    "finding_open_days": 30,  # a finding open too long
    "warning_escalation_days": 15,  # an unresolved warning goes to standing-committee supervision
}
DAYS, POINTS, PEOPLE = ("天", "days"), ("个百分点", "points"), ("人", "people")
# What a county may set: refused outside, with the reason in Chinese and English.
RANGES: dict[str, Range] = {
    "plan_due_days": Between(1, 365, whole=True, unit=DAYS),
    "plan_escalation_days": Between(1, 730, whole=True, unit=DAYS),
    "group_min": Between(1, 50, whole=True, unit=PEOPLE),
    "group_max": Between(1, 50, whole=True, unit=PEOPLE),
    "resident_reps_min": Between(0, 50, whole=True, unit=PEOPLE),
    "entry_grace_days": Between(0, 60, whole=True, unit=DAYS),
    "quarterly_grace_days": Between(0, 90, whole=True, unit=DAYS),
    "midyear_review_due": MonthDay(),
    "yearend_result_due": MonthDay(),
    "lag_warning_points": Between(0, 100, whole=True, unit=POINTS),
    "spend_deviation_points": Between(0, 100, whole=True, unit=POINTS),
    "finding_open_days": Between(1, 365, whole=True, unit=DAYS),
    "warning_escalation_days": Between(1, 365, whole=True, unit=DAYS),
}


def check_rules(values: dict[str, Any]) -> None:
    """A rule set that the sweep can apply: every value in its range, a group range that exists,
    escalation not before the plan is due."""
    check_values(values, RANGES)
    if not values["group_min"] <= values["group_max"]:
        raise RuleOutOfRange("group_min", ("不得大于 group_max", "must not be above group_max"))
    if values["plan_escalation_days"] < values["plan_due_days"]:
        raise RuleOutOfRange("plan_escalation_days", ("不得小于 plan_due_days", "must not be below plan_due_days"))


def month_of(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def quarter_of(d: date) -> str:
    return f"{d.year:04d}Q{(d.month - 1) // 3 + 1}"


def months_between(first: date, last: date) -> list[str]:
    """Every month from ``first``'s month to ``last``'s month, inclusive."""
    out, y, m = [], first.year, first.month
    while (y, m) <= (last.year, last.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def month_end(period: str) -> date:
    y, m = int(period[:4]), int(period[5:7])
    return date(y, m, monthrange(y, m)[1])


def quarter_end(period: str) -> date:
    y, q = int(period[:4]), int(period[5])
    return month_end(f"{y:04d}-{q * 3:02d}")


def quarters_between(first: date, last: date) -> list[str]:
    out: list[str] = []
    for month in months_between(first, last):
        q = quarter_of(date(int(month[:4]), int(month[5:7]), 1))
        if q not in out:
            out.append(q)
    return out


def entry_due(period: str, rules: dict[str, Any]) -> date:
    return month_end(period) + timedelta(days=int(rules["entry_grace_days"]))


def quarterly_due(period: str, rules: dict[str, Any]) -> date:
    return quarter_end(period) + timedelta(days=int(rules["quarterly_grace_days"]))


def midyear_due(year: int, rules: dict[str, Any]) -> date:
    m, d = rules["midyear_review_due"].split("-")
    return date(year, int(m), int(d))


def yearend_due(year: int, rules: dict[str, Any]) -> date:
    m, d = rules["yearend_result_due"].split("-")
    return date(year + 1, int(m), int(d))


def planned_pct(milestones: Iterable[dict[str, Any]], start: date, today: date) -> float:
    """The plan's milestone curve: 0% at ``start``, each milestone's target at its due date,
    straight lines in between, flat after the last milestone."""
    points = sorted((date.fromisoformat(m["due"]), float(m["target_pct"])) for m in milestones)
    prev_day, prev_pct = start, 0.0
    for day, pct in points:
        if today <= day:
            span = (day - prev_day).days
            if span <= 0:
                return pct
            return prev_pct + (pct - prev_pct) * max(0, (today - prev_day).days) / span
        prev_day, prev_pct = day, pct
    return prev_pct


def _round(value: Decimal, places: str) -> Decimal:
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def weighted_progress(items: Iterable[tuple[Decimal, float]]) -> Decimal:
    """Σ(weight × pct) / Σ weight; the plain mean when every weight is zero; 0 for no items."""
    pairs = [(Decimal(str(w)), Decimal(str(p))) for w, p in items]
    if not pairs:
        return Decimal("0")
    total = sum((w for w, _ in pairs), Decimal("0"))
    if total == 0:
        return sum((p for _, p in pairs), Decimal("0")) / len(pairs)
    return sum((w * p for w, p in pairs), Decimal("0")) / total


def project_progress(tasks: list[dict[str, Any]], task_pct: dict[str, int]) -> int:
    """Tasks → project: the tasks' progress weighted by each task's budget, rounded half up."""
    value = weighted_progress((Decimal(t["budget"]), task_pct.get(t["id"], 0)) for t in tasks)
    return int(_round(value, "1"))


def county_progress(projects: Iterable[dict[str, Any]]) -> Decimal:
    """Projects → county: each project's progress weighted by its investment, one decimal."""
    return _round(weighted_progress((Decimal(p["investment"]), p["progress_pct"]) for p in projects), "0.1")


def check_plan(plan: dict[str, Any]) -> None:
    """A plan: budget lines, tasks (each with its responsible unit and person, due date, budget
    line and budget) and milestones (due date, target progress)."""
    lines = [b["code"] for b in plan["budget_lines"]]
    if not plan["tasks"]:
        raise RuleViolation("实施方案至少要有一项任务 / a plan needs at least one task")
    if not plan["milestones"]:
        raise RuleViolation("实施方案至少要有一个节点 / a plan needs at least one milestone")
    if len(set(lines)) != len(lines):
        raise RuleViolation("预算科目编号不能重复 / budget line codes must be unique")
    task_ids = [t["id"] for t in plan["tasks"]]
    if len(set(task_ids)) != len(task_ids):
        raise RuleViolation("任务编号不能重复 / task ids must be unique")
    for t in plan["tasks"]:
        if t["budget_line"] not in lines:
            raise RuleViolation(
                f"任务“{t['name']}”的预算科目 {t['budget_line']} 不在方案中"
                f" / task {t['id']} names an unknown budget line {t['budget_line']}"
            )
        if not t["unit"].strip() or not t["person"].strip():
            raise RuleViolation(
                f"任务“{t['name']}”须写明责任单位和责任人"
                f" / task {t['id']} needs a responsible unit and a responsible person"
            )
    for m in plan["milestones"]:
        if not 0 <= int(m["target_pct"]) <= 100:
            raise RuleViolation("节点目标进度须在 0 到 100 之间 / a milestone's target is between 0 and 100")
