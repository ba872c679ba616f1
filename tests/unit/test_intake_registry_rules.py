"""The registry's and the receptions' own rules (pure domain, no I/O): who a deputy is, who a
station's deputies are and who joined or left, when a reception's attendance may be recorded, and
a demand raised at a reception naming its station."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from services.intake.domain.demand import Demand
from services.intake.domain.deputy import Deputy, deputy_key
from services.intake.domain.reception import Reception
from services.intake.domain.station import LiaisonStation
from shared.kernel.meta import Meta, RuleViolation

T0 = datetime(2026, 3, 10, 11, tzinfo=UTC)


def meta(at: datetime = T0, reason: str = "") -> Meta:
    return Meta(county="440781", actor_role="congress_staff", actor_id="staff-1", occurred_at=at, reason=reason)


def deputy(**kw: str) -> Deputy:
    fields = {"deputy_id": "dep-zhang", "name": "张三", "level": "county", "town": "台城街道", "group": "第一小组"}
    return Deputy(meta=meta(), **{**fields, **kw})


def test_a_deputy_is_keyed_by_county_and_account_and_holds_no_phone() -> None:
    d = deputy()
    assert d.id == deputy_key("440781", "dep-zhang") != deputy_key("440703", "dep-zhang")
    assert not any("phone" in name for name in vars(d))
    for bad in ({"deputy_id": "张三"}, {"deputy_id": "-x"}, {"level": "village"}, {"name": ""}, {"town": " "}):
        with pytest.raises(RuleViolation):
            deputy(**bad)


def test_revising_to_the_same_values_records_nothing_and_a_retired_deputy_stays_retired() -> None:
    d = deputy()
    d.revise(meta(), "张三", "county", "台城街道", "第一小组")
    assert len(d.collect_events()) == 1  # only Registered
    d.revise(meta(), "张三", "provincial", "台城街道", "第一小组")
    assert d.level == "provincial"
    with pytest.raises(RuleViolation) as refused:
        d.retire(meta())
    assert refused.value.reason == "reason_required"
    d.retire(meta(reason="任期届满"))
    assert not d.active
    with pytest.raises(RuleViolation):
        d.revise(meta(), "张三", "county", "台城街道", "")


def test_a_station_records_who_joined_and_who_left() -> None:
    s = LiaisonStation(
        meta=meta(), name="台城联络站", town="台城街道", address="环北大道1号", hours="每周三晚", deputy_ids=["a", "b"]
    )
    s.collect_events()
    s.assign(meta(), ["b", "c"])
    (changed,) = s.collect_events()
    assert isinstance(changed, LiaisonStation.RosterChanged)
    assert (changed.joined, changed.left, s.deputy_ids) == (["c"], ["a"], ["b", "c"])
    s.assign(meta(), ["b", "c"])
    assert s.collect_events() == []  # nothing changed, nothing recorded
    with pytest.raises(RuleViolation):
        s.assign(meta(), ["b", "b"])


def reception(starts: datetime = T0, hours: float = 2) -> Reception:
    return Reception(
        meta=meta(T0 - timedelta(days=7)),
        station_id=uuid4(),
        town="台城街道",
        kind="night_station",
        starts_at=starts,
        ends_at=starts + timedelta(hours=hours),
        topic="老旧小区加装电梯",
        deputy_ids=["a"],
    )


def test_a_reception_has_sane_times_and_a_known_kind() -> None:
    for starts, hours in ((T0, 0), (T0, -1), (T0, 13)):
        with pytest.raises(RuleViolation):
            reception(starts, hours)
    with pytest.raises(RuleViolation):
        reception(datetime(2026, 3, 10, 19), 2)  # no time zone
    with pytest.raises(RuleViolation):
        Reception(
            meta=meta(),
            station_id=uuid4(),
            town="x",
            kind="party",
            starts_at=T0,
            ends_at=T0 + timedelta(hours=1),
            topic="",
            deputy_ids=[],
        )


def test_attendance_is_recorded_once_begun_and_corrected_only_with_a_reason() -> None:
    r = reception(T0 + timedelta(hours=1))
    with pytest.raises(RuleViolation) as early:
        r.record_attendance(meta(T0), ["a"])
    assert early.value.reason == "not_started"
    assert not r.takes_demands_at(T0) and r.takes_demands_at(T0 + timedelta(hours=1))
    r.record_attendance(meta(T0 + timedelta(hours=2)), ["a", "b"])
    with pytest.raises(RuleViolation) as again:
        r.record_attendance(meta(T0 + timedelta(hours=3)), ["a"])
    assert again.value.reason == "reason_required"
    r.record_attendance(meta(T0 + timedelta(hours=3), reason="b 未到场，登记有误"), ["a"])
    assert r.present == ["a"]
    with pytest.raises(RuleViolation) as held:
        r.cancel(meta(reason="下雨"))
    assert held.value.reason == "reception_held"


def test_a_cancelled_reception_takes_no_demand_nor_attendance() -> None:
    r = reception()
    r.cancel(meta(reason="台风预警"))
    assert not r.takes_demands_at(T0 + timedelta(minutes=5))
    with pytest.raises(RuleViolation):
        r.record_attendance(meta(T0 + timedelta(hours=1)), ["a"])


def test_a_demand_raised_at_a_reception_names_its_station() -> None:
    common = {"channel": "liaison_station", "town": "台城街道", "category": "roads", "text": "路灯不亮"}
    with pytest.raises(RuleViolation):
        Demand(meta=meta(), contact_id=None, tracking_code="ABCDEFGHJK", reception_id=uuid4(), **common)
    station, at = uuid4(), uuid4()
    d = Demand(
        meta=meta(),
        contact_id=None,
        tracking_code="ABCDEFGHJK",
        station_id=station,
        reception_id=at,
        deputy_id="a",
        **common,
    )
    assert (d.station_id, d.reception_id, d.deputy_id) == (station, at, "a")
    plain = Demand(meta=meta(), contact_id=None, tracking_code="ABCDEFGHJM", **common)
    assert (plain.station_id, plain.reception_id, plain.deputy_id) == (None, None, "")
