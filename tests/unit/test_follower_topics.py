"""A follower that declares the topics it handles (so it decodes nothing else) must declare every
event class its code dispatches on: read every ``isinstance(event, ...)`` in the module and check
each class (and all its subclasses) is covered. A missed class would silently drop events."""

from __future__ import annotations

import ast
import importlib
import inspect

import pytest
from eventsourcing.utils import get_topic

from shared.persistence.notifications import all_event_classes

DECLARING = ["services.intake.read.projections", "services.intake.outbound.contracts"]


def dispatched_classes(module) -> set[type]:  # type: ignore[no-untyped-def]
    found: set[type] = set()
    for node in ast.walk(ast.parse(inspect.getsource(module))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "isinstance" and len(node.args) == 2:
            if getattr(node.args[0], "id", "") != "event":
                continue
            target = eval(compile(ast.Expression(node.args[1]), module.__name__, "eval"), vars(module))  # noqa: S307
            found.update(target if isinstance(target, tuple) else (target,))
    return found


@pytest.mark.parametrize("name", DECLARING)
def test_declared_topics_cover_every_dispatched_event(name: str) -> None:
    module = importlib.import_module(name)
    classes = dispatched_classes(module)
    assert classes, "no isinstance dispatch found: is this module still a follower?"
    missing = sorted(get_topic(c) for c in all_event_classes(classes) if get_topic(c) not in module.TOPICS)
    assert missing == [], f"{name}.TOPICS misses {missing}"


def test_undeclared_events_are_left_out() -> None:
    from services.intake.domain.contact import ResidentContact
    from services.intake.domain.tracking_code import TrackingCode
    from services.intake.read import projections

    assert get_topic(TrackingCode.Issued) not in projections.TOPICS
    assert get_topic(ResidentContact.Sealed) not in projections.TOPICS
