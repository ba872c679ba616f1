"""Early warning (预警督办) rules, pure: which causes hold for a project on a given day.

Each cause has a key; a warning is raised once per key (the sweep never raises a key twice),
escalated to standing-committee supervision when it stays unresolved, and resolved with a
recorded reason (by staff, or by the sweep when the cause no longer holds).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from services.supervision.domain.rules import (
    entry_due,
    midyear_due,
    month_of,
    months_between,
    planned_pct,
    quarter_of,
    quarterly_due,
    quarters_between,
    yearend_due,
)

KINDS = (
    "plan_missing",
    "entry_missing",
    "quarterly_missing",
    "midyear_missing",
    "yearend_missing",
    "progress_lag",
    "milestone_overdue",
    "spending_off",
    "finding_open",
)


def plan_due_on(session_closed_on: date, rules: dict[str, Any]) -> date:
    return session_closed_on + timedelta(days=int(rules["plan_due_days"]))


def causes(p: Any, rules: dict[str, Any], today: date) -> dict[str, tuple[str, str]]:
    """key -> (kind, detail) for every cause of warning that holds for project ``p`` on ``today``."""
    out: dict[str, tuple[str, str]] = {}
    if p.status == "accepted":
        return out
    if not p.plans:
        due = plan_due_on(p.session_closed_on, rules)
        if today > due:
            out["plan_missing"] = ("plan_missing", f"实施方案未报送，应于{due.isoformat()}前报送")
    elif p.status == "open":
        out.update(_cadence(p, rules, today))
        out.update(_progress(p, rules, today))
    for fid, f in p.findings.items():
        found = date.fromisoformat(f["found_on"])
        if f["status"] != "closed" and (today - found).days > int(rules["finding_open_days"]):
            out[f"finding_open:{fid}"] = ("finding_open", f"问题自{found.isoformat()}起未办结：{f['text'][:80]}")
    return out


def _cadence(p: Any, rules: dict[str, Any], today: date) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    start = date.fromisoformat(p.plans[0]["filed_on"])
    for period in months_between(start, today):
        due = entry_due(period, rules)
        if period not in p.entries and today > due:
            out[f"entry_missing:{period}"] = ("entry_missing", f"{period}月度跟踪应于{due.isoformat()}前填报")
    for period in quarters_between(start, today):
        due = quarterly_due(period, rules)
        if f"quarterly:{period}" not in p.reports and today > due:
            out[f"quarterly_missing:{period}"] = ("quarterly_missing", f"{period}季度汇报应于{due.isoformat()}前报送")
    mid, end = midyear_due(p.year, rules), yearend_due(p.year, rules)
    if start <= mid < today and f"midyear:{p.year}" not in p.reports:
        out[f"midyear_missing:{p.year}"] = ("midyear_missing", f"年中进度报告应于{mid.isoformat()}前报送")
    if start <= end < today and f"yearend:{p.year}" not in p.reports:
        out[f"yearend_missing:{p.year}"] = ("yearend_missing", f"年终结果报告应于{end.isoformat()}前报送")
    return out


def _progress(p: Any, rules: dict[str, Any], today: date) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    plan = p.plans[-1]
    start = date.fromisoformat(p.plans[0]["filed_on"])
    milestones = sorted(plan["milestones"], key=lambda m: m["due"])
    planned = planned_pct(milestones, start, today)
    if planned - p.progress_pct > float(rules["lag_warning_points"]):
        upcoming = next((m for m in milestones if date.fromisoformat(m["due"]) >= today), None)
        segment = upcoming["id"] if upcoming else "final"
        out[f"progress_lag:{segment}"] = ("progress_lag", f"实际进度{p.progress_pct}%，计划进度{planned:.0f}%")
    for m in milestones:
        if date.fromisoformat(m["due"]) < today and p.progress_pct < int(m["target_pct"]):
            out[f"milestone_overdue:{m['id']}"] = (
                "milestone_overdue",
                f"节点“{m['name']}”（{m['target_pct']}%）应于{m['due']}完成",
            )
    budget = sum((Decimal(b["amount"]) for b in plan["budget_lines"]), Decimal("0"))
    if budget > 0:
        spent_share = float(p.spent / budget * 100)
        if abs(spent_share - planned) > float(rules["spend_deviation_points"]):
            out[f"spending_off:{quarter_of(today)}"] = (
                "spending_off",
                f"已支出预算的{spent_share:.0f}%，计划进度{planned:.0f}%",
            )
    return out


def escalation_due(p: Any, warning: dict[str, Any], rules: dict[str, Any], today: date) -> bool:
    """An open, not yet escalated warning goes to standing-committee supervision (常委会督办)."""
    if warning["status"] != "open" or warning["escalated_on"]:
        return False
    if warning["kind"] == "plan_missing":
        return bool(today > p.session_closed_on + timedelta(days=int(rules["plan_escalation_days"])))
    raised_on = date.fromisoformat(warning["raised_on"])
    return bool(today > raised_on + timedelta(days=int(rules["warning_escalation_days"])))


__all__ = ["KINDS", "causes", "escalation_due", "plan_due_on", "month_of"]
