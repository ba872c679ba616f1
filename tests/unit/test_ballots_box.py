"""The ballot box aggregate (pure): ballots checked before the urn, no event while open, publication in
the shuffled order at close, issued >= cast, paper boxes with two tellers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.ballots.box import BallotBox, anonymous
from shared.kernel.meta import Meta, RuleViolation

STAFF = Meta(
    county="440781",
    actor_role="congress_staff",
    actor_id="staff-1",
    occurred_at=datetime(2026, 1, 10, tzinfo=UTC),
    correlation_id="c1",
)
RATING = ["satisfied", "basically_satisfied", "unsatisfied"]


def rating_box(mode: str = "electronic", issued: int = 3) -> BallotBox:
    return BallotBox(
        key="round-1",
        meta=STAFF,
        title="满意度测评",
        items=[{"id": "p1", "label": "项目一"}],
        choices=RATING,
        mode=mode,
        issued=issued,
        limits={},
    )


def no_shuffle(_: list) -> None:
    pass


def test_a_ballot_is_checked_against_the_box_before_it_goes_into_the_urn() -> None:
    box = rating_box()
    box.check_ballot({"p1": "satisfied"})
    with pytest.raises(RuleViolation) as refused:
        box.check_ballot({"p1": "maybe"})
    assert refused.value.reason == "invalid_ballot"
    paper = rating_box("paper")
    with pytest.raises(RuleViolation) as refused:
        paper.check_ballot({"p1": "satisfied"})
    assert refused.value.reason == "paper_vote"


def test_an_open_box_records_no_ballot() -> None:
    box = rating_box()
    box.check_ballot({"p1": "satisfied"})
    assert [type(e).__name__ for e in box.collect_events()] == ["Opened"]


def test_close_publishes_the_urn_in_the_shuffled_order_and_counts() -> None:
    box = rating_box()
    urn = [{"receipt": f"R{n}", "marks": {"p1": c}} for n, c in enumerate(["satisfied", "satisfied", "unsatisfied"])]
    box.close(STAFF, urn, issued=3, shuffle=lambda ballots: ballots.reverse())
    assert [b["receipt"] for b in box.published] == ["R2", "R1", "R0"]
    assert box.result["counts"]["p1"] == {"satisfied": 2, "basically_satisfied": 0, "unsatisfied": 1}
    assert (box.result["issued"], box.result["cast"], box.result["flags"]) == (3, 3, [])
    with pytest.raises(RuleViolation) as refused:
        box.check_ballot({"p1": "satisfied"})
    assert refused.value.reason == "vote_closed"
    with pytest.raises(RuleViolation):
        box.close(STAFF, [], issued=3, shuffle=no_shuffle)


def test_more_ballots_than_credentials_issued_is_flagged_at_close() -> None:
    box = rating_box()
    urn = [{"receipt": f"R{n}", "marks": {"p1": "satisfied"}} for n in range(3)]
    box.close(STAFF, urn, issued=2, shuffle=no_shuffle)
    assert box.result["flags"] == ["投出选票 3 张多于发出 2 张 / ballots cast 3 exceed ballots issued 2"]


def test_a_receipt_twice_in_the_urn_refuses_to_close() -> None:
    box = rating_box()
    urn = [{"receipt": "R1", "marks": {"p1": "satisfied"}}, {"receipt": "R1", "marks": {"p1": "unsatisfied"}}]
    with pytest.raises(RuleViolation) as refused:
        box.close(STAFF, urn, issued=3, shuffle=no_shuffle)
    assert refused.value.reason == "duplicate_receipt"


def test_boxes_of_earlier_releases_still_load_their_cast_events_and_publish_them() -> None:
    box = rating_box()
    box._cast(meta=anonymous(STAFF), receipt="OLD1", marks={"p1": "unsatisfied"})
    box.close(STAFF, [{"receipt": "NEW1", "marks": {"p1": "satisfied"}}], issued=2, shuffle=no_shuffle)
    assert sorted(b["receipt"] for b in box.published) == ["NEW1", "OLD1"]
    assert box.result["cast"] == 2


def test_paper_box_needs_a_second_teller() -> None:
    box = rating_box("paper", issued=4)
    box.enter_box(STAFF, "A", 4, 4, 0, {"p1": {"satisfied": 3, "unsatisfied": 1}})
    with pytest.raises(RuleViolation, match="different teller"):
        box.confirm_box(STAFF, "A")
    with pytest.raises(RuleViolation, match="second teller"):
        box.close(STAFF, [], issued=4, shuffle=no_shuffle)
    other = Meta(county="440781", actor_role="congress_staff", actor_id="staff-2", occurred_at=STAFF.occurred_at)
    box.confirm_box(other, "A")
    box.close(other, [], issued=4, shuffle=no_shuffle)
    assert box.result["counts"]["p1"]["satisfied"] == 3 and box.result["valid"] == 4
