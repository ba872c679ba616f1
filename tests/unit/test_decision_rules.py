"""The vote's rules at their boundaries (DOMAIN.md §3.3, §6)."""

from __future__ import annotations

import pytest

from services.decision.domain.rules import DEFAULTS, decide, margin_problem, quorum_met
from shared.web.refusals import refusal_text


def counts(*yes: int, attending: int = 100) -> dict:
    return {f"c{n:02d}": {"yes": y, "no": attending - y, "abstain": 0} for n, y in enumerate(yes, start=1)}


@pytest.mark.parametrize(("candidates", "seats"), [(8, 7), (11, 9), (11, 10)])
def test_competitive_vote_opens_at_or_above_ten_percent(candidates: int, seats: int) -> None:
    assert margin_problem("competitive", candidates, seats, DEFAULTS) is None


def test_margin_just_under_ten_percent_is_refused_with_the_figures() -> None:
    problem = margin_problem("competitive", 109, 100, DEFAULTS)
    assert problem is not None and "9.0%" in problem and "10%" in problem
    # in Chinese first, with what it takes: 100 seats need 110 candidates
    assert refusal_text(problem) == "差额比例（109−100）/100 = 9.0%，低于规定的 10%：100 个名额至少需要 110 个候选项目"
    assert refusal_text(margin_problem("competitive", 4, 4, DEFAULTS)).endswith("4 个名额至少需要 5 个候选项目")
    assert margin_problem("competitive", 10, 10, DEFAULTS) is not None


def test_equal_vote_needs_as_many_candidates_as_seats() -> None:
    assert margin_problem("equal", 7, 7, DEFAULTS) is None
    assert "7" in margin_problem("equal", 8, 7, DEFAULTS)


def test_a_county_margin_is_used() -> None:
    assert margin_problem("competitive", 8, 7, {**DEFAULTS, "competitive_margin": 0.2}) is not None


def test_quorum_needs_more_than_half_of_the_roll() -> None:
    assert not quorum_met(50, 100, DEFAULTS)
    assert quorum_met(51, 100, DEFAULTS)


def test_exactly_half_yes_is_not_adopted() -> None:
    result = decide(counts(50, 51), seats=2, attending=100, roll=120, values=DEFAULTS)
    assert [r["candidate_id"] for r in result["elected"]] == ["c02"]
    assert result["status"] == "decided" and "1 seat(s) left unfilled" in result["reason"]


def test_xiaoyi_eight_candidates_seven_projects_ranked_by_yes() -> None:
    result = decide(counts(90, 60, 95, 70, 40, 80, 85, 75), seats=7, attending=100, roll=120, values=DEFAULTS)
    assert result["status"] == "decided"
    assert [(r["candidate_id"], r["rank"]) for r in result["elected"]] == [
        ("c03", 1),
        ("c01", 2),
        ("c07", 3),
        ("c06", 4),
        ("c08", 5),
        ("c04", 6),
        ("c02", 7),
    ]


def test_fenyang_eleven_candidates_nine_projects() -> None:
    result = decide(
        counts(99, 98, 97, 96, 95, 94, 93, 92, 91, 60, 55), seats=9, attending=100, roll=110, values=DEFAULTS
    )
    assert len(result["elected"]) == 9 and {"c10", "c11"}.isdisjoint(r["candidate_id"] for r in result["elected"])


def test_tie_at_the_cut_off_requires_a_runoff_among_the_tied() -> None:
    result = decide(counts(90, 80, 70, 70, 60), seats=3, attending=100, roll=120, values=DEFAULTS)
    assert result["status"] == "runoff"
    assert [r["candidate_id"] for r in result["elected"]] == ["c01", "c02"]
    assert sorted(result["tied"]) == ["c03", "c04"] and result["runoff_seats"] == 1


def test_tie_above_the_cut_off_is_no_runoff_and_the_tied_share_a_rank() -> None:
    result = decide(counts(90, 90, 70, 60), seats=3, attending=100, roll=120, values=DEFAULTS)
    assert result["status"] == "decided" and len(result["elected"]) == 3 and result["tied"] == []
    # 并列: equal yes-votes share a rank, and the next rank counts everyone above it
    assert [(r["candidate_id"], r["rank"], r["shared_rank"]) for r in result["elected"]] == [
        ("c01", 1, True),
        ("c02", 1, True),
        ("c03", 3, False),
    ]


def test_equal_yes_votes_share_a_rank_whatever_their_ids() -> None:
    values = {"zz": {"yes": 80, "no": 20, "abstain": 0}, "aa": {"yes": 95, "no": 5, "abstain": 0}}
    values |= {"mm": {"yes": 80, "no": 20, "abstain": 0}, "bb": {"yes": 80, "no": 20, "abstain": 0}}
    result = decide(values, seats=4, attending=100, roll=120, values=DEFAULTS)
    assert {r["candidate_id"]: r["rank"] for r in result["elected"]} == {"aa": 1, "bb": 2, "mm": 2, "zz": 2}


def test_shared_ranks_continue_after_a_runoff() -> None:
    """First round: two tied above the cut-off (rank 1, 1), two tied at it; the run-off's winner is third."""
    first = decide(counts(90, 90, 70, 70), seats=3, attending=100, roll=120, values=DEFAULTS)
    assert first["status"] == "runoff" and [r["rank"] for r in first["elected"]] == [1, 1]
    runoff = decide(counts(60, 40), seats=1, attending=100, roll=120, values=DEFAULTS, rank_offset=2)
    assert [(r["rank"], r["shared_rank"]) for r in runoff["elected"]] == [(3, False)]


def test_no_quorum_makes_the_vote_void() -> None:
    result = decide(counts(40, 40), seats=1, attending=50, roll=100, values=DEFAULTS)
    assert result["status"] == "void" and result["elected"] == [] and "50 of 100" in result["reason"]
    assert refusal_text(result["reason"]) == "不足法定人数：应到 100 名，实到 50 名"


def test_runoff_ranks_continue_after_the_first_round() -> None:
    result = decide(counts(70, 55), seats=1, attending=100, roll=120, values=DEFAULTS, rank_offset=2)
    assert result["elected"][0]["rank"] == 3
