"""Every published contract is fed to every service that subscribes to its subject, through the
service's own inbound policies, as its consumer would apply it: a policy that reads a field its
contract does not carry (as evaluation once read a ``town`` that ``project-completed`` lacked) fails
here, and every contract a policy handles can reach it through one of the service's subscriptions."""

from __future__ import annotations

import contextlib
import importlib
from datetime import UTC, datetime
from itertools import count
from pathlib import Path
from uuid import uuid4

import pytest

from shared.bus.messages import Delivered, Policies
from shared.config import Settings
from shared.contracts import REGISTRY, Actor, Envelope
from shared.kernel.meta import RuleViolation
from shared.persistence.application import Inbound
from tests.contract.test_contract_models import SAMPLES

COUNTY = "440781"
SERVICES = ["intake", "decision", "supervision", "evaluation"]


def matches(filter_subject: str, subject: str) -> bool:
    """NATS subject matching: ``*`` one token, ``>`` the rest."""
    pattern, tokens = filter_subject.split("."), subject.split(".")
    for i, part in enumerate(pattern):
        if part == ">":
            return len(tokens) > i
        if i >= len(tokens) or (part != "*" and part != tokens[i]):
            return False
    return len(pattern) == len(tokens)


def delivered(model: type, at: datetime) -> Delivered:
    payload = model.model_validate(SAMPLES[model.type_name()])
    envelope = Envelope(
        event_id=uuid4(),
        type=model.type_name(),
        schema_version=model.SCHEMA_VERSION,
        county=COUNTY,
        occurred_at=at,
        recorded_at=at,
        actor=Actor(role="system", id="contract-test"),
        payload=payload.model_dump(mode="json"),
    )
    return Delivered(envelope, payload)


@pytest.mark.parametrize("service", SERVICES)
def test_every_subscribed_contract_goes_through_the_services_policies(service: str, tmp_path: Path) -> None:
    api = importlib.import_module(f"services.{service}.main").create_app(
        Settings(service=service, data_dir=tmp_path), start_runtime=False
    )
    app = api.state.application
    handlers = importlib.import_module(f"services.{service}.inbound.handlers")
    subscriptions = handlers.subscriptions(app)
    policies = [v for v in vars(handlers).values() if isinstance(v, Policies)]
    assert policies, f"{service} declares no inbound policies"
    seq = count(1)
    fed = set()
    for sub in subscriptions:
        for model in REGISTRY.models():
            if model.SERVICE == "hotline" or not matches(sub.filter_subject, model.subject(COUNTY)):
                continue
            message = Inbound(sub.stream, next(seq), delivered(model, datetime(2025, 4, 1, tzinfo=UTC)))
            with contextlib.suppress(RuleViolation):  # a domain rule may refuse the sample (dead-lettered in service)
                app.process_batch([message], sub.handle)
            fed.add(model)
    handled = {cls for table in policies for cls in table.classes}
    assert handled, f"{service}'s policies handle nothing"
    assert handled <= fed, f"{service} handles contracts none of its subscriptions receives: {handled - fed}"
    app.close()


def test_a_project_completed_carries_the_town_its_rating_is_opened_with(tmp_path: Path) -> None:
    from services.evaluation.domain.rating import ProjectRating, rating_id_for
    from services.evaluation.main import create_app
    from shared.contracts import supervision as s

    api = create_app(Settings(service="evaluation", data_dir=tmp_path), start_runtime=False)
    app = api.state.application
    sample = dict(SAMPLES[s.ProjectCompleted.type_name()], town="都斛镇")
    message = delivered(s.ProjectCompleted, datetime(2025, 12, 1, tzinfo=UTC))
    message = Delivered(message.envelope, s.ProjectCompleted.model_validate(sample))
    from services.evaluation.inbound.handlers import POLICIES

    app.process_batch([Inbound("SUPERVISION", 1, message)], POLICIES.handler(app))
    rating = app.repository.get(rating_id_for(message.payload.project_id))
    assert isinstance(rating, ProjectRating) and rating.town == "都斛镇"
    app.close()
