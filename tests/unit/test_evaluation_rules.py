"""The verdict rule's boundaries (seed 001: "more than" two-thirds / half) and the deadlines."""

from __future__ import annotations

from datetime import date

import pytest

from services.evaluation.domain.rules import (
    DEFAULTS,
    add_months,
    lookback_due,
    rated_in_round,
    rectification_deadline,
    verdict,
)


def test_exactly_two_thirds_satisfied_is_basically_satisfied() -> None:
    assert verdict(20, 10, 0, DEFAULTS) == "basically_satisfied"  # 20/30 == 2/3


def test_just_over_two_thirds_satisfied_is_satisfied() -> None:
    assert verdict(21, 10, 0, DEFAULTS) == "satisfied"  # 21/31 > 2/3
    assert verdict(67, 33, 0, DEFAULTS) == "satisfied"  # 0.67 > 0.666...


def test_exactly_half_unsatisfied_is_basically_satisfied() -> None:
    assert verdict(5, 5, 10, DEFAULTS) == "basically_satisfied"  # 10/20 == 1/2


def test_just_over_half_unsatisfied_is_unsatisfied() -> None:
    assert verdict(5, 4, 10, DEFAULTS) == "unsatisfied"  # 10/19 > 1/2


def test_a_county_revises_the_thresholds() -> None:
    stricter = {**DEFAULTS, "satisfied_more_than": "4/5"}
    assert verdict(21, 10, 0, stricter) == "basically_satisfied"


def test_no_ballot_and_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError):
        verdict(0, 0, 0, DEFAULTS)
    with pytest.raises(ValueError):
        verdict(-1, 2, 2, DEFAULTS)


def test_rectification_deadline_is_three_months_after_the_session_closes() -> None:
    assert rectification_deadline(date(2026, 1, 15), DEFAULTS) == date(2026, 4, 15)
    assert rectification_deadline(date(2026, 11, 30), DEFAULTS) == date(2027, 2, 28)
    assert rectification_deadline(date(2026, 1, 15), {**DEFAULTS, "rectification_months": 2}) == date(2026, 3, 15)
    assert add_months(date(2027, 11, 30), 3) == date(2028, 2, 29)


def test_lookback_one_year_after_completion_and_micro_projects_by_rule() -> None:
    assert lookback_due(date(2025, 10, 20), DEFAULTS) == date(2026, 10, 20)
    assert rated_in_round("major", DEFAULTS) and not rated_in_round("micro", DEFAULTS)
    assert rated_in_round("micro", {**DEFAULTS, "rate_micro_projects": True})
