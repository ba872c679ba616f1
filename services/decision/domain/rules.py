"""Decision's rules (pure). Defaults from DOMAIN.md; each county may revise them (RuleBook),
and every result records the rule-set version and values it was decided under."""

from __future__ import annotations

import math
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
    """Why a vote of this kind may not open with these numbers (``中文 / English``), or None.

    差额 (competitive): (candidates - seats) / seats >= the county's margin (default 10%).
    等额 (equal-number): candidates == seats.
    """
    if seats < 1:
        return "应选项目数至少为 1 / at least one seat"
    if kind == EQUAL:
        if candidates == seats:
            return None
        return (
            f"等额表决需要 {seats} 个候选项目，现有 {candidates} 个 / "
            f"an equal-number vote needs {seats} candidates, not {candidates}"
        )
    if kind != COMPETITIVE:
        return f"表决方式须为差额或等额 / the vote is {COMPETITIVE} or {EQUAL}"
    needed = _fraction(values["competitive_margin"])
    margin = Fraction(candidates - seats, seats)
    if margin < needed:
        return (
            f"差额比例（{candidates}−{seats}）/{seats} = {float(margin):.1%}，低于规定的 {float(needed):.0%}："
            f"{seats} 个名额至少需要 {minimum_candidates(seats, values)} 个候选项目 / "
            f"competitive margin ({candidates}-{seats})/{seats} = {float(margin):.1%} is below the "
            f"required {float(needed):.0%}"
        )
    return None


def minimum_candidates(seats: int, values: dict[str, Any]) -> int:
    """The fewest candidates a 差额 vote for ``seats`` may have under the county's margin."""
    return seats + math.ceil(_fraction(values["competitive_margin"]) * seats)


def quorum_met(present: int, roll: int, values: dict[str, Any]) -> bool:
    """More than ``quorum_fraction`` of all deputies on the roll are present."""
    return roll > 0 and present > _fraction(values["quorum_fraction"]) * roll


def adopted(yes: int, attending: int, values: dict[str, Any]) -> bool:
    """Yes-votes more than ``adopt_fraction`` of the deputies attending (exactly half is not enough)."""
    return yes > _fraction(values["adopt_fraction"]) * attending


def shared_ranks(rows: list[dict[str, Any]], offset: int = 0) -> list[dict[str, Any]]:
    """Ranks by yes-votes (rows sorted most yes first): equal yes-votes share a rank (并列), and the next
    rank counts everyone above it (90, 90, 70 -> 1, 1, 3). ``offset``: the ranks already given."""
    ranked: list[dict[str, Any]] = []
    for n, row in enumerate(rows, start=1):
        same = bool(ranked) and ranked[-1]["yes"] == row["yes"]
        ranked.append({**row, "rank": ranked[-1]["rank"] if same else offset + n})
    for row in ranked:
        row["shared_rank"] = sum(1 for other in ranked if other["rank"] == row["rank"]) > 1
    return ranked


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
    again for ``runoff_seats``), or ``decided``. ``elected`` is ranked by yes-votes; candidates with
    equal yes-votes above the cut-off share a rank (并列, ``shared_rank``) and are listed by id. Reasons
    are written ``中文 / English``.
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
        reason = f"不足法定人数：应到 {roll} 名，实到 {attending} 名 / no quorum: {attending} of {roll} present"
        return {**base, "status": "void", "reason": reason}
    passing = sorted((r for r in rows if r["adopted"]), key=lambda r: (-r["yes"], r["candidate_id"]))
    if len(passing) > seats and passing[seats - 1]["yes"] == passing[seats]["yes"]:
        cutoff = passing[seats - 1]["yes"]
        above = [r for r in passing if r["yes"] > cutoff]
        tied = [r["candidate_id"] for r in passing if r["yes"] == cutoff]
        elected = above
        status = "runoff"
        reason = (
            f"{len(tied)} 个候选项目以 {cutoff} 票赞成票并列于最后名额，须在它们之间另行投票 / "
            f"tie at the cut-off ({cutoff} yes) among {len(tied)} candidates"
        )
    else:
        elected, tied, status = passing[:seats], [], "decided"
        left = seats - len(elected)
        reason = "" if not left else f"尚有 {left} 个名额空缺 / {left} seat(s) left unfilled"
    return {
        **base,
        "status": status,
        "reason": reason,
        "elected": shared_ranks(elected, rank_offset),
        "tied": tied,
        "runoff_seats": seats - len(elected) if tied else 0,
    }
