"""Intake's group commit with submissions named by an origin key (a retry of the same request): in one
batch, two of one origin make one demand (the batch's save fails on the shared id and each is saved
alone, the second finding the first), a sent-again one finds the demand already saved, and the other
submissions of the batch are saved with them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.intake.app.core import NewDemand
from services.intake.domain.demand import Demand
from shared.kernel.meta import Meta
from tests.fixtures.service import InProcessService

A = "440781"
T0 = datetime(2025, 3, 1, 9, tzinfo=UTC)


@pytest.fixture
def intake(tmp_path: Path) -> Iterator[InProcessService]:
    service = InProcessService("intake", tmp_path, county=A, now=T0)
    yield service
    service.client.close()


def new(text: str, origin_key: str = "") -> tuple[Meta, NewDemand]:
    meta = Meta(county=A, actor_role="resident", actor_id="resident", occurred_at=T0)
    return meta, NewDemand(channel="web", town="台城街道", category="roads", text=text, origin_key=origin_key)


def test_one_origin_twice_in_a_batch_makes_one_demand_and_the_others_are_saved(intake: InProcessService) -> None:
    app = intake.api.state.application
    answers = app._submit_together([new("路灯不亮", "key-1"), new("路灯不亮", "key-1"), new("井盖缺失")])
    assert all(isinstance(a, Demand) for a in answers), answers
    first, again, other = answers
    assert first.id == again.id and first.tracking_code == again.tracking_code
    assert other.id != first.id
    for answer in answers:
        assert app.find(answer.id) is not None

    sent_again = app._submit_together([new("路灯不亮", "key-1"), new("排水不畅")])
    assert sent_again[0].id == first.id
    assert app.find(sent_again[1].id) is not None
