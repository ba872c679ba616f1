"""Events stored before the services took the one-shape layout (2026-12) name their aggregate's old
module (``services.intake.domain:Demand.Submitted``, ``services.intake.residents:...``). They still
load, fold into the read models and are read by a follower that reads only its topics."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import resolve_topic
from pydantic_core import from_json, to_json

from services.intake.app.application import IntakeApplication, NewDemand
from services.intake.app.vault import ContactVault
from services.intake.domain.demand import Demand
from services.intake.read.projections import DEMAND, TOPICS, project
from shared.kernel.meta import Meta
from shared.views.store import ViewStore
from shared.views.updater import ViewUpdater

COUNTY = "440781"
OLD = "services.intake.domain:"  # Demand and TrackingCode lived in services/intake/domain.py
MOVED = ("services.intake.domain.demand:", "services.intake.domain.tracking_code:")


def old_topic(topic: str) -> str:
    for new in MOVED:
        topic = topic.replace(new, OLD)
    return topic


@pytest.fixture
def app(backend_env: dict[str, str]) -> Iterator[IntakeApplication]:
    application = IntakeApplication(env=backend_env)
    try:
        yield application
    finally:
        application.close()


def as_before_the_move(stored: StoredEvent) -> StoredEvent:
    """The stored event as the previous layout wrote it: old topic, old originator topic."""
    state = from_json(stored.state)
    if "originator_topic" in state:
        state["originator_topic"] = old_topic(state["originator_topic"])
    topic = old_topic(stored.topic)
    assert topic != stored.topic
    return StoredEvent(
        originator_id=stored.originator_id,
        originator_version=stored.originator_version,
        topic=topic,
        state=to_json(state),
    )


def store_old_demand(app: IntakeApplication, tmp_path: Path) -> UUID:
    """A demand, its tracking code and a reply, recorded by the old layout."""
    meta = Meta(COUNTY, "resident", "web", datetime(2025, 4, 1, 9, tzinfo=UTC))
    staging = IntakeApplication(
        env={"PERSISTENCE_MODULE": "eventsourcing.popo"},
        vault=ContactVault(sqlite_path=tmp_path / "staging-keys.sqlite"),
    )
    demand = staging.submit(meta, NewDemand(channel="web", town="台城街道", category="roads", text="幸福路路灯不亮"))
    staging.reply(meta, demand.id, "已转交路灯所")
    old = [as_before_the_move(n) for n in staging.recorder.select_notifications(0, 100)]
    app.recorder.insert_events(old)
    staging.close()
    return demand.id


def test_a_demand_stored_under_the_old_module_loads_and_takes_new_events(
    app: IntakeApplication, tmp_path: Path
) -> None:
    demand_id = store_old_demand(app, tmp_path)
    demand = app.demand(demand_id, COUNTY)
    assert isinstance(demand, Demand) and demand.text == "幸福路路灯不亮" and demand.replied_at is not None
    assert app.track(demand.tracking_code).id == demand_id
    app.close_demand(Meta(COUNTY, "congress_staff", "s1", datetime(2025, 4, 2, tzinfo=UTC)), demand_id, "已修复")
    assert app.demand(demand_id).closed


def test_the_read_models_fold_events_stored_under_the_old_module(
    app: IntakeApplication, views: ViewStore, tmp_path: Path
) -> None:
    demand_id = store_old_demand(app, tmp_path)
    assert any(topic.startswith(OLD) for topic in TOPICS)
    ViewUpdater(app, views, project, topics=TOPICS).catch_up()
    doc = views.get(DEMAND, str(demand_id))
    assert doc is not None and doc["text"] == "幸福路路灯不亮" and doc["replied_at"] is not None


# Every aggregate as the layout before 2026-12 stored it (module:Class), and where it lives now.
BEFORE_THE_MOVE = {
    "services.intake.domain:Demand": "services.intake.domain.demand:Demand",
    "services.intake.domain:TrackingCode": "services.intake.domain.tracking_code:TrackingCode",
    "services.intake.residents:ResidentContact": "services.intake.domain.contact:ResidentContact",
    "services.intake.suggestion:ProjectSuggestion": "services.intake.domain.suggestion:ProjectSuggestion",
    "services.intake.deadletters:DeadLetterResolution": (
        "services.intake.domain.deadletter_resolution:DeadLetterResolution"
    ),
    "services.decision.domain:PooledDemand": "services.decision.domain.pooled_demand:PooledDemand",
    "services.decision.domain:PooledSuggestion": "services.decision.domain.pooled_suggestion:PooledSuggestion",
    "services.decision.domain:MicroProject": "services.decision.domain.micro_project:MicroProject",
    "services.decision.candidates:Candidate": "services.decision.domain.candidate:Candidate",
    "services.decision.candidates:CandidateList": "services.decision.domain.candidate_list:CandidateList",
    "services.decision.micro_funds:MicroFund": "services.decision.domain.micro_fund:MicroFund",
    "services.decision.micro_funds:MicroEscalation": "services.decision.domain.micro_escalation:MicroEscalation",
    "services.decision.sessions:VoteSession": "services.decision.domain.session:VoteSession",
    "services.supervision.domain:Project": "services.supervision.domain.project:Project",
    "services.supervision.domain:ProjectIndex": "services.supervision.domain.project_index:ProjectIndex",
    "services.supervision.project_index:ProjectIndex": "services.supervision.domain.project_index:ProjectIndex",
    "services.evaluation.domain:ProjectRating": "services.evaluation.domain.rating:ProjectRating",
    "services.evaluation.ledger:AdoptedProject": "services.evaluation.domain.adopted_project:AdoptedProject",
    "services.evaluation.ledger:VoteRecord": "services.evaluation.domain.vote_record:VoteRecord",
    "services.evaluation.ledger:DemandRecord": "services.evaluation.domain.demand_record:DemandRecord",
    "services.evaluation.rectification:Rectification": "services.evaluation.domain.rectification:Rectification",
    "services.evaluation.rounds:RatingRound": "services.evaluation.domain.round:RatingRound",
    "services.evaluation.voice:ProjectVoice": "services.evaluation.domain.voice:ProjectVoice",
    "shared.rulebook:RuleBook": "shared.kernel.rulebook:RuleBook",
}


@pytest.mark.parametrize("old", sorted(BEFORE_THE_MOVE))
def test_every_topic_stored_before_the_move_resolves_to_the_moved_class(old: str) -> None:
    import importlib

    module, _, name = BEFORE_THE_MOVE[old].partition(":")
    cls = getattr(importlib.import_module(module), name)
    assert resolve_topic(old) is cls
    events = [
        getattr(cls, n)
        for n in dir(cls)
        if isinstance(getattr(cls, n), type) and issubclass(getattr(cls, n), cls.Event)
    ]
    assert events and all(resolve_topic(f"{old}.{e.__name__}") is e for e in events)
