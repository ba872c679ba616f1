"""Intake's aggregates (pure): merge then split keeps both histories; escalation and the
overdue warning are events; duplicates point to their primary."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.intake.domain.demand import Demand
from services.intake.domain.suggestion import ProjectSuggestion
from shared.kernel.meta import Meta, RuleViolation

T0 = datetime(2025, 3, 1, 9, tzinfo=UTC)


def meta(hours: float = 0, reason: str = "") -> Meta:
    return Meta(
        county="440781",
        actor_role="congress_staff",
        actor_id="staff-1",
        occurred_at=T0 + timedelta(hours=hours),
        reason=reason,
    )


def demand(text: str = "楼道漏水") -> Demand:
    return Demand(
        meta=meta(),
        channel="web",
        town="台城街道",
        category="housing",
        text=text,
        contact_id=None,
        tracking_code="ABCDEFGHJK",
    )


def stages(d: Demand) -> list[str]:
    return [e["stage"] for e in d.timeline]


def test_merge_then_split_keeps_both_histories() -> None:
    a, b, c = demand("一户漏水"), demand("下水道堵塞"), demand("楼道无灯")
    s = ProjectSuggestion(
        meta=meta(1), title="老旧小区改造", category="housing", towns=["台城街道"], demand_ids=[a.id, b.id, c.id]
    )
    for d in (a, b, c):
        d.merge_into(meta(1), s.id, s.title)
    assert a.merged_into == s.id and a.status == "merged"
    new = ProjectSuggestion(
        meta=meta(2), title="楼道照明", category="housing", towns=["台城街道"], demand_ids=[c.id], split_from=s.id
    )
    s.split(meta(2, "照明单独立项"), [c.id], new.id)
    c.split_out(meta(2, "照明单独立项"), s.id)
    c.merge_into(meta(2), new.id, new.title)
    assert s.demand_ids == [a.id, b.id] and [h["action"] for h in s.history] == ["raised", "split"]
    assert s.history[1]["ref"] == str(new.id) and new.split_from == s.id
    assert stages(c) == ["submitted", "merged", "split", "merged"]  # nothing lost from c's history
    assert c.merged_into == new.id and a.merged_into == s.id
    # every step is a stored event: replaying them gives the same aggregate
    events = c.collect_events()
    assert [type(e).__name__ for e in events] == ["Submitted", "MergedInto", "SplitOut", "MergedInto"]


def test_split_refuses_a_demand_not_in_the_suggestion() -> None:
    a, b = demand(), demand()
    s = ProjectSuggestion(meta=meta(), title="建议", category="housing", towns=[], demand_ids=[a.id])
    with pytest.raises(RuleViolation):
        s.split(meta(), [b.id], None)
    with pytest.raises(RuleViolation):
        b.split_out(meta(), s.id)


def test_escalation_is_an_event_with_reason_and_rule_version() -> None:
    d = demand()
    d.classify(meta(), "common", None)
    d.route(meta(), "micro", "≤ cap", 1, "town", 80_000)
    d.escalate(meta(1), "major", "估算 120000 元超过微实事上限 100000 元", 2, "town", 120_000)
    assert d.tier == "major" and d.status == "escalated" and d.rules_version == 2
    escalated = [e for e in d.collect_events() if isinstance(e, Demand.Escalated)][0]
    assert escalated.from_tier == "micro" and escalated.to_tier == "major" and "100000" in escalated.reason


def test_unanswered_consultation_warns_once_after_its_deadline() -> None:
    d = demand()
    d.classify(meta(), "consultation", T0 + timedelta(hours=24))
    assert not d.warn_overdue(meta(23), T0 + timedelta(hours=23))
    assert d.warn_overdue(meta(25), T0 + timedelta(hours=25))
    assert not d.warn_overdue(meta(26), T0 + timedelta(hours=26))  # once
    answered = demand()
    answered.classify(meta(), "consultation", T0 + timedelta(hours=24))
    answered.reply(meta(3), "已电话答复")
    assert not answered.warn_overdue(meta(25), T0 + timedelta(hours=25))


def test_duplicate_points_to_its_primary_and_is_frozen() -> None:
    primary, dup = demand("路灯坏了"), demand("路灯坏了两天")
    dup.mark_duplicate_of(meta(), primary)
    primary.absorb_duplicate(meta(), dup.id)
    assert dup.duplicate_of == primary.id and str(dup.id) in primary.duplicates
    with pytest.raises(RuleViolation):
        dup.classify(meta(), "common", None)


def test_micro_wish_steps_in_order() -> None:
    d = demand("想参加研学")
    d.classify(meta(), "micro_wish", None)
    d.route(meta(), "micro_wish", "wish", 1, "household", 800)
    deputy = Meta(county="440781", actor_role="deputy", actor_id="deputy-7", occurred_at=T0)
    with pytest.raises(RuleViolation):
        d.wish_step(deputy, "funded", source="deputy", amount="800")
    d.wish_step(deputy, "claimed")
    d.wish_step(deputy, "funded", source="social_donor", amount="800")
    d.wish_step(deputy, "fulfilled", note="已组织研学")
    d.wish_step(deputy, "visited", satisfaction="satisfied", note="家长满意")
    assert d.status == "closed" and d.owner == "deputy:deputy-7" and d.wish["visited"]["satisfaction"] == "satisfied"
