"""Decision's rules (pure). Defaults from DOMAIN.md; each county may revise them (RuleBook),
and every result records the rule-set version and values it was decided under."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from shared.kernel.ranges import Between, Flag, Range

DEFAULTS: dict[str, Any] = {
    "micro_cap_cny": 100_000,  # 民生微实事 cap per item (seed 000: 10万元)
    "competitive_margin": 0.10,  # (candidates - seats) / seats >= 10% for a 差额 vote
    "quorum_fraction": 0.5,  # more than half of all deputies present
    "adopt_fraction": 0.5,  # yes-votes more than half of deputies attending
    "micro_decline_days": 7,  # government accepts or declines a micro proposal within N days
    "yes_limited_to_seats": True,  # a ballot with more 赞成 than seats is invalid (refused electronically)
    "micro_fund_required": False,  # approving a micro project needs an allocated town/street fund that year
}
# What a county may set: refused outside, with the reason in Chinese and English.
RANGES: dict[str, Range] = {
    "micro_cap_cny": Between(1, 1_000_000_000, whole=True, unit=("元", "CNY")),
    "competitive_margin": Between(0, 1),
    "quorum_fraction": Between(0, 1, open_high=True),  # "more than" a share: 1 could never be met
    "adopt_fraction": Between(0, 1, open_high=True),
    "micro_decline_days": Between(1, 365, whole=True, unit=("天", "days")),
    "yes_limited_to_seats": Flag(),
    "micro_fund_required": Flag(),
}
CHOICES = ["yes", "no", "abstain"]  # 赞成 / 反对 / 弃权
COMPETITIVE, EQUAL = "competitive", "equal"


@dataclass(frozen=True)
class Rules:
    version: int
    values: dict[str, Any]

    @property
    def micro_cap(self) -> Decimal:
        return Decimal(str(self.values["micro_cap_cny"]))


def within_micro_cap(investment: Decimal, rules: Rules) -> bool:
    return investment <= rules.micro_cap


def _fraction(value: float | int | str) -> Fraction:
    return Fraction(str(value))


def margin_problem(kind: str, candidates: int, seats: int, values: dict[str, Any]) -> str | None:
    """Why a vote of this kind may not open with these numbers, or None.

    差额 (competitive): (candidates - seats) / seats >= the county's margin (default 10%).
    等额 (equal-number): candidates == seats.
    """
    if seats < 1:
        return "at least one seat"
    if kind == EQUAL:
        return None if candidates == seats else f"an equal-number vote needs {seats} candidates, not {candidates}"
    if kind != COMPETITIVE:
        return f"the vote is {COMPETITIVE} or {EQUAL}"
    needed = _fraction(values["competitive_margin"])
    margin = Fraction(candidates - seats, seats)
    if margin < needed:
        return (
            f"competitive margin ({candidates}-{seats})/{seats} = {float(margin):.1%} is below the "
            f"required {float(needed):.0%}"
        )
    return None


def quorum_met(present: int, roll: int, values: dict[str, Any]) -> bool:
    """More than ``quorum_fraction`` of all deputies on the roll are present."""
    return roll > 0 and present > _fraction(values["quorum_fraction"]) * roll


def adopted(yes: int, attending: int, values: dict[str, Any]) -> bool:
    """Yes-votes more than ``adopt_fraction`` of the deputies attending (exactly half is not enough)."""
    return yes > _fraction(values["adopt_fraction"]) * attending


def decide(
    counts: dict[str, dict[str, int]],
    seats: int,
    attending: int,
    roll: int,
    values: dict[str, Any],
    rank_offset: int = 0,
) -> dict[str, Any]:
    """The outcome of one vote round.

    ``status``: ``void`` (no quorum), ``runoff`` (a tie at the cut-off: ``tied`` must vote
    again for ``runoff_seats``), or ``decided``. ``elected`` is ranked by yes-votes, ties
    above the cut-off ordered by candidate id for a stable listing (they are all elected).
    """
    rows: list[dict[str, Any]] = [{"candidate_id": cid, **c} for cid, c in counts.items()]
    for row in rows:
        row["adopted"] = adopted(row["yes"], attending, values)
    base = {
        "seats": seats,
        "attending": attending,
        "roll": roll,
        "rows": rows,
        "elected": [],
        "tied": [],
        "runoff_seats": 0,
        "quorum_met": quorum_met(attending, roll, values),
    }
    if not base["quorum_met"]:
        return {**base, "status": "void", "reason": f"no quorum: {attending} of {roll} present"}
    passing = sorted((r for r in rows if r["adopted"]), key=lambda r: (-r["yes"], r["candidate_id"]))
    if len(passing) > seats and passing[seats - 1]["yes"] == passing[seats]["yes"]:
        cutoff = passing[seats - 1]["yes"]
        above = [r for r in passing if r["yes"] > cutoff]
        tied = [r["candidate_id"] for r in passing if r["yes"] == cutoff]
        elected = above
        status, reason = "runoff", f"tie at the cut-off ({cutoff} yes) among {len(tied)} candidates"
    else:
        elected, tied, status = passing[:seats], [], "decided"
        reason = "" if len(elected) == seats else f"{seats - len(elected)} seat(s) left unfilled"
    ranked = [{**r, "rank": rank_offset + n} for n, r in enumerate(elected, start=1)]
    return {
        **base,
        "status": status,
        "reason": reason,
        "elected": ranked,
        "tied": tied,
        "runoff_seats": seats - len(elected) if tied else 0,
    }
