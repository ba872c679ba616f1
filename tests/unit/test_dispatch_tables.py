"""Folds, translations and inbound policies are typed dispatch tables: a function is registered for
the classes its event parameter accepts, each class once, and the topics a follower reads come from
the table, so a follower never decodes what it does not handle and never misses what it does."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from eventsourcing.utils import get_topic

from services.decision.domain.candidate import Candidate
from services.intake.domain.contact import ResidentContact
from services.intake.domain.demand import Demand
from services.intake.domain.tracking_code import TrackingCode
from shared.bus.translation import Translation
from shared.contracts.envelope import Contract
from shared.kernel.dispatch import DispatchError
from shared.persistence.notifications import all_event_classes
from shared.views.fold import Fold
from shared.views.store import ViewTx

FOLDS = ["intake", "decision", "supervision", "evaluation"]


def test_a_function_registered_for_a_class_it_does_not_accept_fails_at_once() -> None:
    fold = Fold("test")
    with pytest.raises(DispatchError, match="accepts Demand.Submitted"):

        @fold.on(Demand.Closed)
        def submitted(tx: ViewTx, event: Demand.Submitted) -> None: ...


def test_a_class_is_handled_once() -> None:
    fold = Fold("test")

    @fold.on(Demand.Closed)
    def closed(tx: ViewTx, event: Demand.Closed) -> None: ...

    with pytest.raises(DispatchError, match="handled twice"):

        @fold.on(Demand.Closed)
        def closed_again(tx: ViewTx, event: Demand.Closed) -> None: ...


def test_a_union_annotation_accepts_each_of_its_classes_and_a_base_class_catches_its_events() -> None:
    seen: list[str] = []
    translation = Translation("test")

    @translation.on(Demand.Routed, Demand.Escalated)
    def routed(event: Demand.Routed | Demand.Escalated) -> Iterator[Contract]:
        seen.append(type(event).__name__)
        yield from ()

    @translation.on(Candidate.Event)
    def any_candidate_event(event: Candidate.Event) -> Iterator[Contract]:
        seen.append("candidate")
        yield from ()

    assert translation.lookup(Demand.Escalated) is routed
    assert translation.lookup(Candidate.Screened) is any_candidate_event
    assert translation.lookup(Demand.Closed) is None


@pytest.mark.parametrize("service", FOLDS)
def test_a_services_followers_read_exactly_the_topics_of_the_events_they_handle(service: str) -> None:
    import importlib

    for module, table in (
        (f"services.{service}.read.projections", "FOLD"),
        (f"services.{service}.outbound.contracts", "OUTBOUND"),
    ):
        mod = importlib.import_module(module)
        dispatch = getattr(mod, table)
        handled = {get_topic(c) for c in all_event_classes(dispatch.classes)}
        assert handled and handled <= set(mod.TOPICS), f"{module}.TOPICS misses {sorted(handled - set(mod.TOPICS))}"
        assert dispatch.topics() == mod.TOPICS


def test_events_no_fold_handles_are_never_decoded_by_intakes_updater() -> None:
    from services.intake.read import projections

    assert get_topic(TrackingCode.Issued) not in projections.TOPICS
    assert get_topic(ResidentContact.Sealed) not in projections.TOPICS
    assert get_topic(ResidentContact.Erased) in projections.TOPICS
