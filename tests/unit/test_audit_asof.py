"""How an auditor's "as of" is read, and how history is cut at that moment (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

import pytest

from shared.audit.asof import WITHHELD, parse_moment, replay, state_of
from shared.kernel.meta import Meta

CST = timezone(timedelta(hours=8))


def test_a_date_means_the_end_of_that_day_in_china_time() -> None:
    moment = parse_moment("2025-06-30")
    assert moment.astimezone(CST).strftime("%Y-%m-%d %H:%M:%S") == "2025-06-30 23:59:59"
    assert parse_moment("2025-06-30T12:00:00") == datetime(2025, 6, 30, 4, tzinfo=UTC)  # naive = China time
    assert parse_moment("2025-06-30T12:00:00Z") == datetime(2025, 6, 30, 12, tzinfo=UTC)
    with pytest.raises(ValueError, match="ISO 8601"):
        parse_moment("end of June")


@dataclass
class Step:
    """A stand-in domain event: appends its label when applied."""

    label: str
    meta: Meta
    timestamp: datetime

    def mutate(self, aggregate: list | None) -> list:
        return [*(aggregate or []), self.label]


def step(label: str, occurred: datetime, recorded: datetime) -> Step:
    return Step(label, Meta("440781", "congress_staff", "s", occurred), recorded)


def test_replay_stops_at_the_first_later_event_by_business_or_recorded_time() -> None:
    events = [
        step("opened", datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 3, 2, tzinfo=UTC)),
        step("revised", datetime(2025, 7, 1, tzinfo=UTC), datetime(2025, 6, 29, tzinfo=UTC)),
        step("closed", datetime(2025, 9, 1, tzinfo=UTC), datetime(2025, 9, 1, tzinfo=UTC)),
    ]
    june = parse_moment("2025-06-30")
    assert replay(events, june) == ["opened"]
    assert replay(events, june, "recorded") == ["opened", "revised"]  # recorded a day before it took effect
    assert replay(events, None) == ["opened", "revised", "closed"]
    assert replay(events, parse_moment("2025-01-01")) is None


def test_personal_details_are_withheld_from_audit_views() -> None:
    class ResidentContact:
        id, version = "c1", 1
        created_on = modified_on = datetime(2025, 1, 1, tzinfo=UTC)

        def __init__(self) -> None:
            self.county, self.name, self.phone, self.address = "440781", "王女士", "13800000000", "某路1号"

    state = state_of(ResidentContact())["state"]
    assert state == {"county": "440781", "name": WITHHELD, "phone": WITHHELD, "address": WITHHELD}
