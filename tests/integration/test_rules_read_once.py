"""A county's rules are asked with every submission: the rule book is read whole only when a version
was stored since this process last read it, by itself or by another process (a replica) writing the
same store, whose revision then applies to the next request here."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.intake.app.application import IntakeApplication
from services.intake.domain.rules import DEFAULTS
from shared.config import Settings
from shared.kernel.meta import Meta


def test_rules_are_read_again_only_after_a_revision(
    backend_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = backend_settings.eventsourcing_env()
    here, replica = IntakeApplication(env=env), IntakeApplication(env=env)
    meta = Meta(
        county="440781", actor_role="congress_staff", actor_id="s", occurred_at=datetime(2026, 3, 1, tzinfo=UTC)
    )
    assert here.rules("440781") == (1, dict(DEFAULTS))  # no book yet: the defaults

    key = next(k for k, v in DEFAULTS.items() if isinstance(v, int) and not isinstance(v, bool))
    replica.revise_rules("intake", meta.because("修订"), {key: DEFAULTS[key] + 1}, DEFAULTS)
    version, rules = here.rules("440781")
    assert version == 2 and rules[key] == DEFAULTS[key] + 1  # the replica's revision, at once

    reads: list[object] = []
    real_find = here.find
    monkeypatch.setattr(here, "find", lambda aggregate_id: (reads.append(aggregate_id), real_find(aggregate_id))[1])
    for _ in range(3):
        assert here.rules("440781")[1][key] == DEFAULTS[key] + 1
    assert reads == [], "the unchanged book was read again"

    replica.revise_rules("intake", meta.because("再修订"), {key: DEFAULTS[key] + 2}, DEFAULTS)
    assert here.rules("440781") == (3, {**here.rules("440781")[1], key: DEFAULTS[key] + 2})
    assert len(reads) >= 1
    here.close()
    replica.close()
