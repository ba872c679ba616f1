"""Evaluation's rules (pure). The verdict rule is seed 001's (Wudang), as county defaults:

- 满意 (satisfied) if satisfied ballots are MORE than two-thirds of all deputies rating;
- 不满意 (unsatisfied) if unsatisfied ballots are MORE than half;
- otherwise 基本满意 (basically satisfied).
Exactly two-thirds, or exactly half, is not "more than". Fractions are exact (no floats).
"""

from __future__ import annotations

from fractions import Fraction

DEFAULTS: dict = {
    "satisfied_more_than": "2/3",
    "unsatisfied_more_than": "1/2",
    "rectification_months": 3,
}

SATISFIED = "satisfied"
BASIC = "basically_satisfied"
UNSATISFIED = "unsatisfied"
VERDICTS = (SATISFIED, BASIC, UNSATISFIED)


def verdict(satisfied: int, basic: int, unsatisfied: int, rules: dict) -> str:
    if min(satisfied, basic, unsatisfied) < 0:
        raise ValueError("counts cannot be negative")
    total = satisfied + basic + unsatisfied
    if total == 0:
        raise ValueError("no ballots: a verdict needs at least one rating")
    if Fraction(satisfied, total) > Fraction(rules["satisfied_more_than"]):
        return SATISFIED
    if Fraction(unsatisfied, total) > Fraction(rules["unsatisfied_more_than"]):
        return UNSATISFIED
    return BASIC
