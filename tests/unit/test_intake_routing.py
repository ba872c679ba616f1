"""Intake's routing rules (pure): tiers by scope, money and kind; escalation; the 24-hour
consultation deadline; stranded demands; duplicate likeness; the queue's order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.intake.domain import rules as r
from services.intake.read.queue import QueueFilter, queue, stranded

T0 = datetime(2025, 3, 1, 9, tzinfo=UTC)


def doc(n: int, **kw: object) -> dict:
    base = {
        "id": f"d{n}",
        "county": "440781",
        "town": "台城街道",
        "category": "roads",
        "channel": "web",
        "text": f"诉求{n}",
        "status": "received",
        "kind": "",
        "tier": "",
        "owner": "",
        "submitted_at": (T0 + timedelta(minutes=n)).isoformat(),
        "last_moved_at": (T0 + timedelta(minutes=n)).isoformat(),
        "due_at": None,
        "replied_at": None,
    }
    base.update(kw)
    return base


@pytest.mark.parametrize(
    ("kind", "scope", "estimate", "tier"),
    [
        ("consultation", "household", 0, "department"),
        ("individual", "household", 3_000, "department"),
        ("micro_wish", "household", 2_000, "micro_wish"),
        ("micro_wish", "community", 2_000, "micro"),  # a wish that is really a community problem
        ("micro_wish", "household", 8_000, "micro"),  # above the wish cap
        ("common", "town", 80_000, "micro"),
        ("common", "town", 100_000, "micro"),  # the cap itself still fits
        ("common", "town", 100_001, "major"),  # above the 100,000 CNY micro cap
        ("common", "county", 10_000, "major"),
        ("project_suggestion", "town", 50_000, "micro"),
    ],
)
def test_route_by_scope_money_and_kind(kind: str, scope: str, estimate: int, tier: str) -> None:
    got, reason = r.route(kind, scope, estimate, "roads", r.DEFAULTS)
    assert got == tier and reason


def test_the_cap_is_the_countys_rule() -> None:
    rules = {**r.DEFAULTS, "micro_project_cap": 200_000}
    assert r.route("common", "town", 150_000, "roads", rules)[0] == "micro"
    assert r.route("common", "town", 150_000, "roads", r.DEFAULTS)[0] == "major"
    assert "100000" in r.route("common", "town", 150_000, "roads", r.DEFAULTS)[1]


def test_bad_scope_or_estimate_is_refused() -> None:
    with pytest.raises(ValueError, match="scope"):
        r.route("common", "planet", 1, "roads", r.DEFAULTS)
    with pytest.raises(ValueError, match="negative"):
        r.route("common", "town", -1, "roads", r.DEFAULTS)


def test_outgrows_only_upwards() -> None:
    assert r.outgrows("micro", "major") and r.outgrows("micro_wish", "micro") and r.outgrows("department", "micro")
    assert not r.outgrows("major", "micro") and not r.outgrows("micro", "micro") and not r.outgrows("", "major")


def test_consultation_deadline_is_24_hours_by_default_and_configurable() -> None:
    assert r.reply_due("consultation", T0, r.DEFAULTS) == T0 + timedelta(hours=24)
    assert r.reply_due("consultation", T0, {**r.DEFAULTS, "consultation_reply_hours": 8}) == T0 + timedelta(hours=8)
    assert r.reply_due("common", T0, r.DEFAULTS) is None


def test_overdue_consultations_come_first_in_the_queue() -> None:
    due = (T0 + timedelta(hours=24)).isoformat()
    docs = [
        doc(1),
        doc(2, kind="consultation", due_at=due),
        doc(3),
        doc(4, kind="consultation", due_at=(T0 + timedelta(hours=30)).isoformat()),
    ]
    now = T0 + timedelta(hours=25)
    result = queue(docs, QueueFilter(), now, 10)
    assert [d["id"] for d in result["items"]] == ["d2", "d4", "d3", "d1"]
    assert result["items"][0]["overdue"] and not result["items"][1]["overdue"]
    assert result["counts"]["overdue"] == {"overdue": 1}
    assert [d["id"] for d in queue(docs, QueueFilter(overdue=True), now, 10)["items"]] == ["d2"]
    # answered in time: no longer overdue
    docs[1]["replied_at"] = (T0 + timedelta(hours=2)).isoformat()
    assert queue(docs, QueueFilter(overdue=True), now, 10)["items"] == []


def test_queue_filters_and_counts() -> None:
    docs = [doc(1, category="water"), doc(2, channel="hotline"), doc(3, status="routed", tier="micro")]
    result = queue(docs, QueueFilter(tier="micro"), T0, 10)
    assert result["total"] == 1 and result["counts"]["status"] == {"received": 2, "routed": 1}
    assert queue(docs, QueueFilter(channel="hotline"), T0, 10)["items"][0]["id"] == "d2"


def test_stranded_after_n_days_without_owner_or_movement() -> None:
    docs = [
        doc(1),
        doc(2, owner="micro", status="routed"),
        doc(3, status="closed"),
        doc(4, last_moved_at=(T0 + timedelta(days=20)).isoformat()),
    ]
    now = T0 + timedelta(days=15)
    found = {d["id"]: d["stranded"] for d in stranded(docs, now, r.DEFAULTS)}
    assert found == {"d1": "no_owner", "d2": "no_movement"}
    assert stranded(docs, now, {**r.DEFAULTS, "stranded_days": 30}) == []


def test_likely_duplicates_same_town_same_category_similar_text() -> None:
    me = doc(1, text="台城街道环市路路面坑洼，雨天积水")
    others = [
        doc(2, text="台城街道环市路路面坑洼严重，雨天积水"),
        doc(3, text="台城街道环市路路面坑洼，雨天积水", town="大江镇"),
        doc(4, text="台城街道环市路路面坑洼，雨天积水", category="water"),
        doc(5, text="希望增设长者饭堂"),
    ]
    found = r.likely_duplicates(me, [me, *others], r.DEFAULTS)
    assert [o["id"] for _, o in found] == ["d2"] and found[0][0] > 0.8
