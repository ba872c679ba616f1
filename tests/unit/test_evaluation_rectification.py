"""Rectification: the report deadline with the clock passed in, one overdue warning, re-rating
under the same rule, and the committee's next step after a second 不满意."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from services.evaluation.domain.rectification import Rectification
from services.evaluation.domain.rules import DEFAULTS, rectification_deadline, verdict
from shared.kernel.meta import Meta, RuleViolation


def meta(day: date, who: str = "staff-1") -> Meta:
    return Meta(
        county="440781",
        actor_role="congress_staff",
        actor_id=who,
        occurred_at=datetime(day.year, day.month, day.day, 9, tzinfo=UTC),
    )


def order(closes_on: date = date(2026, 1, 15)) -> Rectification:
    return Rectification(
        meta=meta(closes_on),
        project_id=uuid4(),
        round_id=uuid4(),
        name="道路修缮",
        year=2025,
        deadline=rectification_deadline(closes_on, DEFAULTS),
        rule_version=1,
        demand_ids=[],
    )


def test_overdue_warning_only_after_the_deadline_and_only_once() -> None:
    r = order()
    assert r.deadline == date(2026, 4, 15)
    assert not r.warn_if_overdue(meta(date(2026, 4, 15)), date(2026, 4, 15))  # on the day: still in time
    assert r.warn_if_overdue(meta(date(2026, 4, 16)), date(2026, 4, 16))
    assert not r.warn_if_overdue(meta(date(2026, 5, 1)), date(2026, 5, 1))
    warnings = [e for e in r.collect_events() if isinstance(e, Rectification.OverdueWarned)]
    assert [w.days_overdue for w in warnings] == [1]


def test_report_then_re_rating_closes_or_escalates() -> None:
    r = order()
    with pytest.raises(RuleViolation):
        r.re_rate(meta(date(2026, 3, 1)), 30, 5, 5, "satisfied", 1)  # no report yet
    r.file_report(meta(date(2026, 3, 1)), "已完成路面重铺和排水改造")
    assert not r.warn_if_overdue(meta(date(2026, 5, 1)), date(2026, 5, 1))  # reported: nothing to warn
    r.re_rate(meta(date(2026, 4, 20)), 3, 4, 8, verdict(3, 4, 8, DEFAULTS), 1)
    assert r.status == "escalation_pending"
    with pytest.raises(RuleViolation):
        r.record_next_step(meta(date(2026, 4, 21)), "dismissal", "")
    r.record_next_step(meta(date(2026, 4, 21)), "special_inquiry", "常委会专题询问")
    assert r.status == "escalated" and r.next_step == "special_inquiry"


def test_a_satisfactory_re_rating_closes_the_rectification() -> None:
    r = order()
    r.file_report(meta(date(2026, 4, 30)), "整改报告")
    assert [e.late for e in r.collect_events() if isinstance(e, Rectification.ReportFiled)] == [True]
    r.re_rate(meta(date(2026, 5, 10)), 10, 4, 1, verdict(10, 4, 1, DEFAULTS), 1)
    assert r.status == "closed"
    with pytest.raises(RuleViolation):
        r.record_next_step(meta(date(2026, 5, 11)), "formal_questioning", "")
