"""Who did it, by name: an official's name from their login travels in the event's meta; a resident's
never does (their name is personal data, kept apart and erasable)."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from shared.auth import Principal, Role
from shared.kernel.meta import Meta
from shared.persistence.application import MetaAsDict
from shared.web.requests import meta_for

AT = datetime(2026, 3, 1, 9, tzinfo=UTC)


def request() -> Any:
    return SimpleNamespace(
        state=SimpleNamespace(correlation_id="c"), app=SimpleNamespace(state=SimpleNamespace(clock=lambda: AT))
    )


def test_an_official_is_recorded_by_name_a_resident_is_not() -> None:
    staff = Principal("staff-7", frozenset({Role.CONGRESS_STAFF}), ("440781",), name="陈干事")
    resident = Principal("r-1", frozenset({Role.RESIDENT}), ("440781",), name="李女士")
    assert meta_for(request(), staff, "440781").actor_name == "陈干事"
    assert meta_for(request(), resident, "440781").actor_name == ""


def test_the_name_is_stored_and_older_events_without_it_still_load() -> None:
    codec = MetaAsDict()
    meta = Meta(county="440781", actor_role="deputy", actor_id="d-1", occurred_at=AT, actor_name="王代表")
    assert codec.decode(codec.encode(meta)) == meta
    old = {k: v for k, v in codec.encode(meta).items() if k != "actor_name"}
    assert codec.decode(old).actor_name == ""
