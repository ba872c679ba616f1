"""Evaluation's rules (pure). The verdict rule is seed 001's (Wudang), as county defaults:

- 满意 (satisfied) if satisfied ballots are MORE than two-thirds of all deputies rating;
- 不满意 (unsatisfied) if unsatisfied ballots are MORE than half;
- otherwise 基本满意 (basically satisfied).
Exactly two-thirds, or exactly half, is not "more than". Fractions are exact (no floats).

A 不满意 project is rectified: the government reports within ``rectification_months`` after the
session closes (default 3); the standing committee rates again under the same rule. Each
project is looked back at ``lookback_months`` after completion (default 12, 翌年回头看).
"""

from __future__ import annotations

import calendar
from datetime import date
from fractions import Fraction
from typing import Any

from shared.kernel.ranges import Between, Flag, Names, Range

DEFAULTS: dict[str, Any] = {
    "satisfied_more_than": "2/3",
    "unsatisfied_more_than": "1/2",
    "rectification_months": 3,
    "rate_micro_projects": False,
    "lookback_months": 12,
    "towns": [],  # the county's towns and streets (乡镇/街道): the denominator of coverage
}
# What a county may set: refused outside, with the reason in Chinese and English.
RANGES: dict[str, Range] = {
    "satisfied_more_than": Between(0, 1, open_high=True),  # "more than" a share: 1 could never be met
    "unsatisfied_more_than": Between(0, 1, open_high=True),
    "rectification_months": Between(1, 24, whole=True, unit=("个月", "months")),
    "rate_micro_projects": Flag(),
    "lookback_months": Between(1, 60, whole=True, unit=("个月", "months")),
    "towns": Names(items=1000),
}

SATISFIED = "satisfied"
BASIC = "basically_satisfied"
UNSATISFIED = "unsatisfied"
VERDICTS = (SATISFIED, BASIC, UNSATISFIED)


def verdict(satisfied: int, basic: int, unsatisfied: int, rules: dict[str, Any]) -> str:
    if min(satisfied, basic, unsatisfied) < 0:
        raise ValueError("票数不能为负数 / counts cannot be negative")
    total = satisfied + basic + unsatisfied
    if total == 0:
        raise ValueError("没有选票，无法得出测评结果 / no ballots: a verdict needs at least one rating")
    if Fraction(satisfied, total) > Fraction(rules["satisfied_more_than"]):
        return SATISFIED
    if Fraction(unsatisfied, total) > Fraction(rules["unsatisfied_more_than"]):
        return UNSATISFIED
    return BASIC


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later; the month's last day when it is shorter (Nov 30 + 3 = Feb 28/29)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def rectification_deadline(session_closes_on: date, rules: dict[str, Any]) -> date:
    return add_months(session_closes_on, int(rules["rectification_months"]))


def lookback_due(completed_on: date, rules: dict[str, Any]) -> date:
    return add_months(completed_on, int(rules["lookback_months"]))


def rated_in_round(tier: str, rules: dict[str, Any]) -> bool:
    """Major projects are always rated at the session; micro projects where the county says so."""
    return tier == "major" or (tier == "micro" and bool(rules["rate_micro_projects"]))
