"""Which cadence reports the unit's worklist lists as due (一季一汇报、年中问进度、年终问结果): each from
the first day of its period's last month, from the plan's filing on, late after its due day under the
county's rules; none once filed, none for a project not under way."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

from services.supervision.app.worklists import Worklists
from services.supervision.domain.rules import DEFAULTS


def project(filed_on: str = "2026-01-22", reports: dict[str, Any] | None = None, status: str = "open") -> Any:
    return SimpleNamespace(plans=[{"filed_on": filed_on}], status=status, year=2026, reports=reports or {})


def due(p: Any, on: str, rules: dict[str, Any] | None = None) -> list[tuple[str, str, str, bool]]:
    items = Worklists.reports_due(p, rules or DEFAULTS, date.fromisoformat(on))
    return [(r["kind"], r["period"], r["due_on"], r["late"]) for r in items]


def test_a_quarter_is_due_from_its_last_month_and_late_after_its_grace_days() -> None:
    assert due(project(), "2026-02-28") == []
    assert due(project(), "2026-03-01") == [("quarterly", "2026Q1", "2026-04-10", False)]
    assert due(project(), "2026-04-11") == [("quarterly", "2026Q1", "2026-04-10", True)]
    assert due(project(), "2026-04-11", {**DEFAULTS, "quarterly_grace_days": 15}) == [
        ("quarterly", "2026Q1", "2026-04-15", False)
    ]


def test_mid_year_from_june_and_year_end_from_december() -> None:
    filed = {"quarterly:2026Q1": {}}
    assert due(project(reports=filed), "2026-06-01") == [
        ("quarterly", "2026Q2", "2026-07-10", False),
        ("midyear", "2026", "2026-07-31", False),
    ]
    year_end = due(project(reports={**filed, "midyear:2026": {}}), "2026-12-01")
    assert ("yearend", "2026", "2027-01-31", False) in year_end
    assert ("quarterly", "2026Q4", "2027-01-10", False) in year_end and (
        "midyear",
        "2026",
        "2026-07-31",
        True,
    ) not in year_end


def test_nothing_before_the_plan_nor_once_filed_nor_when_not_under_way() -> None:
    assert due(project(filed_on="2026-08-10"), "2026-08-20") == []  # the mid-year review was due before the plan
    assert due(project(reports={"quarterly:2026Q1": {}}), "2026-03-20") == []
    assert due(project(status="completion_reported"), "2026-04-20") == []
    assert Worklists.reports_due(SimpleNamespace(plans=[], status="open"), DEFAULTS, date(2026, 4, 20)) == []
