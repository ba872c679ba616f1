"""Counting secret ballots: tally, recount, paper-box reconciliation, token checks (pure)."""

from __future__ import annotations

from shared.ballots.tally import box_flags, marks_problem, paper_totals, reconcile, tally
from shared.ballots.tokens import is_valid, new_token, receipt_code, scope_key

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
    assert box_flags(short, ITEMS) == ["item a: 7 marks for 8 valid ballots"]


def test_paper_totals_add_boxes_and_reconcile() -> None:
    boxes = [
        {"issued": 10, "returned": 9, "invalid": 1, "counts": {"a": {"yes": 8}}},
        {"issued": 5, "returned": 5, "invalid": 0, "counts": {"a": {"yes": 2, "no": 3}}},
    ]
    totals = paper_totals(boxes, ["a"], CHOICES)
    assert totals["counts"]["a"] == {"yes": 10, "no": 3, "abstain": 0}
    assert (totals["issued"], totals["returned"], totals["valid"], totals["invalid"]) == (15, 14, 13, 1)
    assert reconcile(15, 14, 1) == [] and reconcile(3, 4, 0) == ["ballots cast 4 exceed ballots issued 3"]


def test_tokens_are_sealed_to_their_scope_and_receipts_differ_per_box() -> None:
    key = scope_key(b"0123456789abcdef", "session-1")
    token = new_token(key)
    assert is_valid(key, token)
    assert not is_valid(scope_key(b"0123456789abcdef", "session-2"), token)
    assert not is_valid(key, token[:-1] + ("0" if token[-1] != "0" else "1"))
    assert not is_valid(key, "garbage")
    assert receipt_code(token, "box-1") != receipt_code(token, "box-2")
    assert receipt_code(token, "box-1") == receipt_code(token, "box-1")
    assert new_token(key) != token


def test_recount_from_the_published_list_finds_any_difference() -> None:
    from shared.ballots.recount import recount

    published = {
        "mode": "electronic",
        "ballots": [{"receipt": "A", "marks": {"a": "yes"}}, {"receipt": "B", "marks": {"a": "no"}}],
        "boxes": [],
        "result": {"counts": {"a": {"yes": 1, "no": 1, "abstain": 0}}, "returned": 2},
    }
    assert recount(published)["matches"]
    tampered = {**published, "result": {"counts": {"a": {"yes": 2, "no": 0, "abstain": 0}}, "returned": 2}}
    report = recount(tampered)
    assert not report["matches"] and "a yes: declared 2, recounted 1" in report["differences"]
    doubled = {**published, "ballots": published["ballots"] + [published["ballots"][0]]}
    assert "a receipt appears twice" in recount(doubled)["differences"]
