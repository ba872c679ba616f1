"""Supervision's pure rules: the roll-up arithmetic, the milestone curve, the reporting calendar,
and each early-warning rule firing and clearing (time passed in)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import uuid4

from services.supervision.domain.project import Project
from services.supervision.domain.rules import (
    DEFAULTS,
    county_progress,
    entry_due,
    midyear_due,
    months_between,
    planned_pct,
    project_progress,
    quarterly_due,
    quarters_between,
    yearend_due,
)
from services.supervision.domain.warning_rules import causes, escalation_due, plan_due_on
from shared.kernel.meta import Meta

RULES = dict(DEFAULTS)
PLAN = {
    "filed_on": "2026-02-10",
    "budget_lines": [
        {"code": "A", "name": "土建", "amount": "800000"},
        {"code": "B", "name": "设备", "amount": "200000"},
    ],
    "tasks": [
        {
            "id": "t1",
            "name": "管网改造",
            "unit": "住建局",
            "person": "张工",
            "due": "2026-09-30",
            "budget_line": "A",
            "budget": "800000",
        },
        {
            "id": "t2",
            "name": "加装电梯",
            "unit": "住建局",
            "person": "李工",
            "due": "2026-10-31",
            "budget_line": "B",
            "budget": "200000",
        },
    ],
    "milestones": [
        {"id": "m1", "name": "开工", "due": "2026-04-30", "target_pct": 20},
        {"id": "m2", "name": "主体完工", "due": "2026-10-31", "target_pct": 100},
    ],
}


def meta(day: str, role: str = "gov_unit", who: str = "unit", reason: str = "") -> Meta:
    return Meta("440781", role, who, datetime.fromisoformat(day).replace(tzinfo=UTC), reason=reason)


def project(session: str = "2026-01-15") -> Project:
    return Project(
        meta=meta(session, "system"),
        project_id=uuid4(),
        year=2026,
        tier="major",
        name="老旧小区改造",
        content="",
        implementing_body="住建局",
        investment=Decimal("1000000"),
        deadline=date(2026, 12, 31),
        demand_ids=[],
        session_closed_on=date.fromisoformat(session),
    )


def test_project_progress_is_the_budget_weighted_mean_of_its_tasks() -> None:
    tasks = PLAN["tasks"]
    # 800k at 25% and 200k at 50%: (200k + 100k) / 1,000k = 30%
    assert project_progress(tasks, {"t1": 25, "t2": 50}) == 30
    # a task without an entry counts as 0%
    assert project_progress(tasks, {"t2": 100}) == 20
    # the result is rounded half up to a whole percent: (0% + 1%) / 2 = 0.5% -> 1%
    assert project_progress([{"id": "a", "budget": "1"}, {"id": "b", "budget": "1"}], {"a": 0, "b": 1}) == 1
    # all budgets zero: the plain mean
    assert project_progress([{"id": "a", "budget": "0"}, {"id": "b", "budget": "0"}], {"a": 40, "b": 60}) == 50


def test_county_progress_weights_projects_by_investment() -> None:
    projects = [
        {"investment": "3000000", "progress_pct": 100},
        {"investment": "1000000", "progress_pct": 20},
        {"investment": "0", "progress_pct": 0},
    ]
    assert county_progress(projects) == Decimal("80.0")  # (3M*100 + 1M*20) / 4M
    assert county_progress([]) == Decimal("0.0")
    assert county_progress(
        [{"investment": "1", "progress_pct": 33}, {"investment": "2", "progress_pct": 34}]
    ) == Decimal("33.7")


def test_milestone_curve_is_linear_between_milestones_and_flat_after() -> None:
    ms = PLAN["milestones"]
    start = date(2026, 2, 10)
    assert planned_pct(ms, start, start) == 0
    assert planned_pct(ms, start, date(2026, 4, 30)) == 20
    assert round(planned_pct(ms, start, date(2026, 7, 30)), 1) == round(20 + 80 * 91 / 184, 1)
    assert planned_pct(ms, start, date(2027, 1, 1)) == 100


def test_reporting_calendar() -> None:
    assert months_between(date(2026, 11, 20), date(2027, 2, 1)) == ["2026-11", "2026-12", "2027-01", "2027-02"]
    assert quarters_between(date(2026, 2, 10), date(2026, 7, 1)) == ["2026Q1", "2026Q2", "2026Q3"]
    assert entry_due("2026-02", RULES) == date(2026, 3, 5)
    assert quarterly_due("2026Q1", RULES) == date(2026, 4, 10)
    assert midyear_due(2026, RULES) == date(2026, 7, 31) and yearend_due(2026, RULES) == date(2027, 1, 31)
    assert plan_due_on(date(2026, 1, 15), RULES) == date(2026, 2, 14)
    assert plan_due_on(date(2026, 1, 15), {**RULES, "plan_due_days": 20}) == date(2026, 2, 4)


def test_plan_missing_fires_after_day_30_escalates_after_day_45_and_clears_when_filed() -> None:
    p = project("2026-01-15")
    assert causes(p, RULES, date(2026, 2, 14)) == {}
    assert set(causes(p, RULES, date(2026, 2, 15))) == {"plan_missing"}
    p.raise_warning(meta("2026-02-15", "system"), "plan_missing", "plan_missing", "", 1)
    w = p.warnings["plan_missing"]
    assert not escalation_due(p, w, RULES, date(2026, 3, 1))
    assert escalation_due(p, w, RULES, date(2026, 3, 2))
    p.file_plan(meta("2026-03-05"), dict(PLAN, filed_on="2026-03-05"), plan_due_on(p.session_closed_on, RULES))
    assert p.plans[0]["late"] is True
    assert "plan_missing" not in causes(p, RULES, date(2026, 3, 6))


def test_cadence_warnings_fire_on_their_due_dates_and_clear_when_filed() -> None:
    p = project()
    p.file_plan(meta("2026-02-10"), PLAN, date(2026, 2, 14))
    assert "entry_missing:2026-02" not in causes(p, RULES, date(2026, 3, 5))
    assert "entry_missing:2026-02" in causes(p, RULES, date(2026, 3, 6))
    p.report_progress(meta("2026-03-07"), 5, Decimal("40000"), "二月", period="2026-02")
    held = causes(p, RULES, date(2026, 4, 11))
    assert "entry_missing:2026-02" not in held and "entry_missing:2026-03" in held
    assert "quarterly_missing:2026Q1" in held and "quarterly_missing:2026Q1" not in causes(p, RULES, date(2026, 4, 10))
    p.file_report(meta("2026-04-12"), "quarterly", "2026Q1", "一季度汇报")
    assert "quarterly_missing:2026Q1" not in causes(p, RULES, date(2026, 4, 12))
    assert "midyear_missing:2026" in causes(p, RULES, date(2026, 8, 1))
    assert "midyear_missing:2026" not in causes(p, RULES, date(2026, 7, 31))
    assert "yearend_missing:2026" in causes(p, RULES, date(2027, 2, 1))


def test_progress_milestone_spending_and_finding_rules_fire_and_clear() -> None:
    p = project()
    p.file_plan(meta("2026-02-10"), PLAN, date(2026, 2, 14))
    # by 2026-04-30 the curve is at 20%: 5% is more than 10 points behind, and m1 is overdue the day after
    p.report_progress(meta("2026-04-01"), 5, Decimal("50000"), "进展", period="2026-03")
    held = causes(p, RULES, date(2026, 5, 1))
    assert "progress_lag:m2" in held and "milestone_overdue:m1" in held
    p.report_progress(meta("2026-05-02"), 25, Decimal("250000"), "追上进度", period="2026-04")
    held = causes(p, RULES, date(2026, 5, 3))
    assert not any(k.startswith(("progress_lag", "milestone_overdue")) for k in held)
    # spending: 60% of the budget spent against ~21% planned is more than 25 points off
    p.report_progress(meta("2026-05-03"), 25, Decimal("600000"), "提前支付", period="2026-05")
    assert "spending_off:2026Q2" in causes(p, RULES, date(2026, 5, 4))
    assert "spending_off:2026Q2" not in causes(p, {**RULES, "spend_deviation_points": 50}, date(2026, 5, 4))
    # a finding open more than 30 days
    p.assign_group(
        meta("2026-02-20", "congress_staff"),
        [{"id": f"d{i}", "name": f"代表{i}", "kind": "deputy"} for i in range(3)],
        [{"id": "r1", "name": "居民", "kind": "resident"}],
        RULES,
    )
    p.record_inspection(
        meta("2026-05-04", "deputy", "d0"),
        {"id": "i1", "inspected_on": "2026-05-04"},
        [{"id": "f1", "text": "围挡缺失", "severity": "high", "location": "", "photos": []}],
    )
    assert "finding_open:f1" not in causes(p, RULES, date(2026, 6, 3))
    assert "finding_open:f1" in causes(p, RULES, date(2026, 6, 4))
