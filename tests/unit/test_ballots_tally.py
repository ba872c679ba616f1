"""Counting secret ballots: tally, recount, paper-box reconciliation, (pure)."""

from __future__ import annotations

from shared.ballots.tally import box_flags, marks_problem, paper_totals, reconcile, tally

ITEMS, CHOICES = ["a", "b"], ["yes", "no", "abstain"]


def test_tally_counts_each_item_and_skips_invalid_ballots() -> None:
    ballots = [
        {"marks": {"a": "yes", "b": "no"}},
        {"marks": {"a": "yes", "b": "abstain"}},
        {"marks": {"a": "no", "b": "no"}, "valid": False},
    ]
    assert tally(ballots, ITEMS, CHOICES) == {
        "a": {"yes": 2, "no": 0, "abstain": 0},
        "b": {"yes": 0, "no": 1, "abstain": 1},
    }


def test_satisfaction_choices_work_the_same_way() -> None:
    rating = ["satisfied", "basically_satisfied", "unsatisfied"]
    assert tally([{"marks": {"p": "satisfied"}}], ["p"], rating)["p"]["satisfied"] == 1


def test_marks_must_cover_every_item_with_known_choices_and_respect_limits() -> None:
    assert marks_problem({"a": "yes"}, ITEMS, CHOICES, {}) is not None
    assert "unknown choice" in marks_problem({"a": "yes", "b": "maybe"}, ITEMS, CHOICES, {})
    assert "at most 1" in marks_problem({"a": "yes", "b": "yes"}, ITEMS, CHOICES, {"yes": 1})
    assert marks_problem({"a": "yes", "b": "no"}, ITEMS, CHOICES, {"yes": 1}) is None


def test_a_box_that_does_not_reconcile_is_flagged() -> None:
    good = {"issued": 10, "returned": 9, "invalid": 1, "counts": {"a": {"yes": 8}, "b": {"no": 5, "abstain": 3}}}
    assert box_flags(good, ITEMS) == []
    over = {**good, "returned": 11}
    assert any("returned 11 > issued 10" in f for f in box_flags(over, ITEMS))
    short = {**good, "counts": {"a": {"yes": 7}, "b": {"no": 8}}}
    assert box_flags(short, ITEMS) == ["a：票数合计 7，有效选票 8 张 / item a: 7 marks for 8 valid ballots"]


def test_paper_totals_add_boxes_and_reconcile() -> None:
    boxes = [
        {"issued": 10, "returned": 9, "invalid": 1, "counts": {"a": {"yes": 8}}},
        {"issued": 5, "returned": 5, "invalid": 0, "counts": {"a": {"yes": 2, "no": 3}}},
    ]
    totals = paper_totals(boxes, ["a"], CHOICES)
    assert totals["counts"]["a"] == {"yes": 10, "no": 3, "abstain": 0}
    assert (totals["issued"], totals["returned"], totals["valid"], totals["invalid"]) == (15, 14, 13, 1)
    assert reconcile(15, 14, 1) == [] and reconcile(3, 4, 0) == [
        "投出选票 4 张多于发出 3 张 / ballots cast 4 exceed ballots issued 3"
    ]
