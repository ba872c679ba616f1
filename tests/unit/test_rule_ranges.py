"""Every rule value has a range: a revision outside it is refused with the reason in Chinese and in
English, and a value stored outside it (before ranges existed) is used as its nearest allowed value,
so no county's rule can overflow a date."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.decision.domain import rules as decision
from services.evaluation.domain import rules as evaluation
from services.intake.domain import rules as intake
from services.supervision.domain import rules as supervision
from services.supervision.domain.warning_rules import plan_due_on
from shared.kernel.ranges import RuleOutOfRange, check_values, effective

BOOKS = [intake, decision, supervision, evaluation]


@pytest.mark.parametrize("book", BOOKS, ids=lambda b: b.__name__.split(".")[1])
def test_every_rule_has_a_range_and_its_default_lies_inside(book) -> None:
    assert set(book.RANGES) == set(book.DEFAULTS)
    check_values(book.DEFAULTS, book.RANGES)


@pytest.mark.parametrize(
    ("book", "rule", "value"),
    [
        (supervision, "plan_due_days", 10**9),
        (supervision, "plan_due_days", 0),
        (supervision, "midyear_review_due", "02-30"),
        (intake, "consultation_reply_hours", 10**12),
        (intake, "stranded_days", 10**12),
        (intake, "duplicate_threshold", 1.5),
        (intake, "major_categories", ["housing", "casino"]),
        (decision, "quorum_fraction", 1),
        (decision, "micro_cap_cny", -5),
        (decision, "yes_limited_to_seats", "yes"),
        (evaluation, "satisfied_more_than", "3/2"),
        (evaluation, "rectification_months", 10**6),
        (evaluation, "towns", "台城街道"),
    ],
)
def test_a_value_outside_its_range_is_refused_in_chinese_and_english(book, rule, value) -> None:
    with pytest.raises(RuleOutOfRange) as caught:
        check_values({rule: value}, book.RANGES)
    assert caught.value.rule == rule and caught.value.reason == "rule_out_of_range"
    assert caught.value.messages["zh"].startswith(f"规则 {rule} 须")
    assert caught.value.messages["en"].startswith(f"Rule {rule} must")


def test_the_message_names_the_range() -> None:
    with pytest.raises(RuleOutOfRange) as caught:
        check_values({"plan_due_days": 10**9}, supervision.RANGES)
    assert (
        "1" in caught.value.messages["zh"]
        and "365" in caught.value.messages["zh"]
        and "天" in caught.value.messages["zh"]
    )
    assert "at least 1 and at most 365 days (got 1000000000)" in caught.value.messages["en"]


def test_a_stored_value_out_of_range_is_used_as_its_nearest_allowed_value() -> None:
    stored = {**supervision.DEFAULTS, "plan_due_days": 10**9, "midyear_review_due": "13-45"}
    used = effective(stored, supervision.DEFAULTS, supervision.RANGES)
    assert used["plan_due_days"] == 365 and used["midyear_review_due"] == "07-31"
    # the date arithmetic that overflowed (year 2,739,726) now gives a date
    assert plan_due_on(date(2026, 1, 20), used) == date(2027, 1, 20)
    hours = effective({**intake.DEFAULTS, "consultation_reply_hours": 10**12}, intake.DEFAULTS, intake.RANGES)
    due = intake.reply_due("consultation", datetime(2026, 3, 1, tzinfo=UTC), hours)
    assert due == datetime(2026, 3, 31, tzinfo=UTC)
    shares = effective({**decision.DEFAULTS, "quorum_fraction": 1}, decision.DEFAULTS, decision.RANGES)
    assert shares["quorum_fraction"] == decision.DEFAULTS["quorum_fraction"]


def test_a_whole_revision_is_checked_together() -> None:
    with pytest.raises(RuleOutOfRange):
        supervision.check_rules({**supervision.DEFAULTS, "group_min": 6, "group_max": 5})
    with pytest.raises(RuleOutOfRange):
        supervision.check_rules({**supervision.DEFAULTS, "plan_due_days": 60, "plan_escalation_days": 45})
