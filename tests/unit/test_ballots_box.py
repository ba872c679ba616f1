"""The ballot box aggregate (pure): anonymous casts, one ballot per token, issued >= cast,
publication in the caller's order, paper boxes with two tellers."""

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


def test_a_cast_names_nobody() -> None:
    box = rating_box()
    with pytest.raises(RuleViolation, match="anonymously"):
        box.cast(STAFF, "R1", {"p1": "satisfied"})
    box.cast(anonymous(STAFF), "R1", {"p1": "satisfied"})
    event = box.collect_events()[-1]
    assert event.meta.actor_id == "anonymous-ballot" and event.meta.correlation_id == ""
    assert "staff-1" not in repr(event)


def test_one_ballot_per_receipt_and_never_more_than_issued() -> None:
    box = rating_box(issued=2)
    box.cast(anonymous(STAFF), "R1", {"p1": "satisfied"})
    with pytest.raises(RuleViolation, match="already been used"):
        box.cast(anonymous(STAFF), "R1", {"p1": "unsatisfied"})
    box.cast(anonymous(STAFF), "R2", {"p1": "unsatisfied"})
    with pytest.raises(RuleViolation, match="all 2 issued"):
        box.cast(anonymous(STAFF), "R3", {"p1": "satisfied"})


def test_close_publishes_in_the_given_order_and_counts() -> None:
    box = rating_box()
    for n, choice in enumerate(["satisfied", "satisfied", "unsatisfied"]):
        box.cast(anonymous(STAFF), f"R{n}", {"p1": choice})
    with pytest.raises(RuleViolation, match="permutation"):
        box.close(STAFF, [0, 0, 1])
    box.close(STAFF, [2, 0, 1])
    assert [b["receipt"] for b in box.published] == ["R2", "R0", "R1"]
    assert box.result["counts"]["p1"] == {"satisfied": 2, "basically_satisfied": 0, "unsatisfied": 1}
    assert box.result["issued"] == 3 and box.result["returned"] == 3 and box.result["flags"] == []
    with pytest.raises(RuleViolation, match="closed"):
        box.cast(anonymous(STAFF), "R9", {"p1": "satisfied"})


def test_paper_box_needs_a_second_teller() -> None:
    box = rating_box("paper", issued=4)
    box.enter_box(STAFF, "A", 4, 4, 0, {"p1": {"satisfied": 3, "unsatisfied": 1}})
    with pytest.raises(RuleViolation, match="different teller"):
        box.confirm_box(STAFF, "A")
    with pytest.raises(RuleViolation, match="second teller"):
        box.close(STAFF, [])
    other = Meta(county="440781", actor_role="congress_staff", actor_id="staff-2", occurred_at=STAFF.occurred_at)
    box.confirm_box(other, "A")
    box.close(other, [])
    assert box.result["counts"]["p1"]["satisfied"] == 3 and box.result["valid"] == 4
