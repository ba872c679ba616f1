"""Who may declare the business time of an entry made after the fact, and how it is stored: only
officials, never residents; a declared time is recorded as such (``entered_late``) and an event
entered as it happened keeps the bytes it always had."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from shared.auth import Role
from shared.kernel.meta import Meta
from shared.persistence.application import MetaAsDict
from shared.web.business_time import declared_business_time, is_official
from shared.web.problems import Problem

NOW = datetime(2026, 12, 5, 2, tzinfo=UTC)
CHINA = timezone(timedelta(hours=8))


def test_officials_may_declare_a_past_business_time_residents_may_not() -> None:
    for role in ("congress_staff", "gov_unit", "deputy", "admin"):
        assert is_official({Role(role)}, role)
        assert declared_business_time("2025-03-01T10:00", True, NOW) == datetime(2025, 3, 1, 10, tzinfo=CHINA)
    assert is_official({Role.CONGRESS_STAFF}, "presidium") and is_official({Role.CONGRESS_STAFF}, "teller")
    assert declared_business_time("2025-03-01", True, NOW) == datetime(2025, 3, 1, 12, tzinfo=CHINA)
    assert declared_business_time(None, False, NOW) is None and declared_business_time(" ", True, NOW) is None
    for roles, acting in (
        ({Role.RESIDENT}, "resident"),
        (set(), "anonymous"),
        ({Role.AUDITOR}, "auditor"),
        ({Role.PROVINCE_VIEWER}, "province_viewer"),
        ({Role.CONGRESS_STAFF}, "resident"),  # staff filling in the public form do it as a resident
    ):
        assert not is_official(roles, acting)
        with pytest.raises(Problem) as refused:
            declared_business_time("2025-03-01", is_official(roles, acting), NOW)
        assert refused.value.status == 403 and refused.value.reason == "business_time_forbidden"


def test_a_declared_time_is_neither_in_the_future_nor_too_far_back() -> None:
    with pytest.raises(Problem) as future:
        declared_business_time((NOW + timedelta(minutes=1)).isoformat(), True, NOW)
    assert future.value.reason == "business_time_in_future"
    assert declared_business_time((NOW - timedelta(days=30)).isoformat(), True, NOW, max_days=30)
    with pytest.raises(Problem) as old:
        declared_business_time((NOW - timedelta(days=31)).isoformat(), True, NOW, max_days=30)
    assert old.value.reason == "business_time_too_old" and "30" in old.value.detail
    with pytest.raises(Problem) as off:
        declared_business_time("2026-12-01", True, NOW, max_days=0)
    assert off.value.status == 403 and off.value.reason == "business_time_disabled"


def test_entered_late_is_stored_only_when_true() -> None:
    codec = MetaAsDict()
    usual = Meta("440781", "gov_unit", "u1", NOW, actor_name="陈科长")
    late = Meta("440781", "gov_unit", "u1", datetime(2025, 3, 1, tzinfo=UTC), actor_name="陈科长", entered_late=True)
    assert "entered_late" not in codec.encode(usual)  # the bytes events always had
    assert codec.decode(codec.encode(usual)) == usual and codec.decode(codec.encode(usual)).entered_late is False
    assert codec.encode(late)["entered_late"] is True and codec.decode(codec.encode(late)) == late
