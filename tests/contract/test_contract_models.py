"""Every published event survives the wire, matches its exported schema, and bad input is refused
with a reason a person can act on."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import jsonschema
import pytest
from pydantic import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from shared.bus.contracts_export import ASYNCAPI_FILE, build_documents, event_file
from shared.contracts import REGISTRY, Actor, Contract, Envelope, HotlineTicket, UnknownEventType

DEMAND = "6f1c2d9e-6a57-4f0e-9a3a-1d2b3c4d5e6f"
PROJECT = "0d6e3b1a-2c4f-4e8a-9b7c-5a6d7e8f9a0b"
CANDIDATE = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
ROUND = "3c2b1a09-8f7e-4d6c-9b5a-493827160514"
SUGGESTION = "5b4a3928-1706-4f5e-8d4c-3b2a19087f6e"
CONTACT = "7e6d5c4b-3a29-4187-a6f5-e4d3c2b1a098"
LOOKBACK = "1a2b3c4d-5e6f-4a0b-8c1d-2e3f4a5b6c7d"

TICKET_ID = "12345-440781-1-000001"
SAMPLES: dict[str, dict[str, Any]] = {
    "intake.demand-submitted": {
        "demand_id": DEMAND,
        "channel": "web",
        "town": "台城街道",
        "category": "道路交通",
        "text": "希望修缮村口道路",
        "submitted_at": "2025-03-01T09:30:00+08:00",
    },
    "intake.demand-status-changed": {"demand_id": DEMAND, "status": "pooled", "note": "已纳入候选池"},
    "intake.demand-routed": {
        "demand_id": DEMAND,
        "kind": "common",
        "tier": "major",
        "reason": "涉及多个村",
        "rules_version": 1,
        "scope": "town",
        "estimate": 1200000,
    },
    "intake.reply-overdue": {"demand_id": DEMAND, "due_at": "2025-03-02T09:30:00+08:00"},
    "intake.suggestion-raised": {
        "suggestion_id": SUGGESTION,
        "title": "村道修缮",
        "category": "道路交通",
        "towns": ["台城街道"],
        "demand_ids": [DEMAND],
    },
    "intake.suggestion-split": {
        "suggestion_id": SUGGESTION,
        "removed_demand_ids": [DEMAND],
        "remaining_demand_ids": [],
    },
    "intake.resident-contact-erased": {"contact_id": CONTACT, "erased_at": "2025-04-01T10:00:00+08:00"},
    "intake.hotline.accepted": {"ticket_id": TICKET_ID, "demand_id": DEMAND, "tracking_code": "TS-7Q4K"},
    "intake.hotline.status-changed": {"ticket_id": TICKET_ID, "demand_id": DEMAND, "status": "adopted"},
    "intake.hotline.replied": {
        "ticket_id": TICKET_ID,
        "demand_id": DEMAND,
        "text": "已纳入年度民生实事候选项目",
        "replied_at": "2025-03-01T15:00:00+08:00",
    },
    "intake.hotline.closed": {"ticket_id": TICKET_ID, "demand_id": DEMAND, "closed_at": "2025-12-01T10:00:00+08:00"},
    "decision.candidate-drafted": {"candidate_id": CANDIDATE, "year": 2025, "name": "村道修缮", "demand_ids": [DEMAND]},
    "decision.vote-declared": {
        "session_id": str(uuid4()),
        "year": 2025,
        "level": "street",
        "town": "环市街道",
        "round_no": 1,
        "status": "decided",
        "attending": 12,
        "elected": 2,
    },
    "decision.project-adopted": {
        "project_id": PROJECT,
        "candidate_id": CANDIDATE,
        "year": 2025,
        "tier": "major",
        "name": "村道修缮",
        "content": "修缮 3 公里村道",
        "implementing_body": "县交通运输局",
        "investment": "1200000.00",
        "deadline": "2025-12-31",
        "demand_ids": [DEMAND],
        "rank": 1,
        "yes_votes": 142,
    },
    "decision.micro-escalated": {
        "escalation_id": CANDIDATE,
        "year": 2025,
        "town": "台城街道",
        "name": "加装电梯",
        "content": "老旧住宅加装电梯",
        "investment": "350000.00",
        "cap": "100000",
        "demand_ids": [DEMAND],
        "reason": "investment 350000.00 exceeds the micro-project cap 100000 (rule v1)",
        "rule_version": 1,
    },
    "supervision.project-file-opened": {
        "project_id": PROJECT,
        "year": 2025,
        "name": "村道修缮",
        "demand_ids": [DEMAND],
    },
    "supervision.plan-filed": {
        "project_id": PROJECT,
        "year": 2025,
        "name": "村道修缮",
        "filed_on": "2025-02-20",
        "due_on": "2025-03-01",
        "late": False,
        "tasks": 4,
        "milestones": 3,
        "budget_total": "1200000.00",
    },
    "supervision.project-progress-reported": {
        "project_id": PROJECT,
        "progress_pct": 40,
        "note": "路基完成",
        "demand_ids": [DEMAND],
    },
    "supervision.warning-raised": {
        "project_id": PROJECT,
        "name": "村道修缮",
        "key": "entry_missing:2025-06",
        "kind": "entry_missing",
        "detail": "6 月进度未录入",
    },
    "supervision.project-completed": {
        "project_id": PROJECT,
        "year": 2025,
        "tier": "major",
        "name": "村道修缮",
        "completed_on": "2025-11-20",
        "deadline": "2025-12-31",
        "planned_investment": "1200000.00",
        "spent": "1185000.50",
        "demand_ids": [DEMAND],
    },
    "evaluation.rating-round-opened": {"round_id": ROUND, "year": 2025, "project_ids": [PROJECT]},
    "evaluation.verdict-reached": {
        "round_id": ROUND,
        "project_id": PROJECT,
        "verdict": "satisfied",
        "satisfied": 120,
        "basically_satisfied": 20,
        "unsatisfied": 5,
        "rule_version": 1,
        "demand_ids": [DEMAND],
    },
    "evaluation.results-confirmed": {
        "round_id": ROUND,
        "session_year": 2026,
        "rated_year": 2025,
        "verdicts": {PROJECT: "satisfied"},
    },
    "evaluation.results-distributed": {"round_id": ROUND, "recipient": "all_deputies"},
    "evaluation.rectification-ordered": {
        "project_id": PROJECT,
        "round_id": ROUND,
        "name": "村道修缮",
        "deadline": "2026-05-31",
        "demand_ids": [DEMAND],
    },
    "evaluation.rectification-overdue": {"project_id": PROJECT, "deadline": "2026-05-31", "days_overdue": 3},
    "evaluation.re-rating-reached": {
        "project_id": PROJECT,
        "verdict": "basically_satisfied",
        "satisfied": 60,
        "basically_satisfied": 50,
        "unsatisfied": 10,
        "rule_version": 1,
    },
    "evaluation.rectification-escalated": {"project_id": PROJECT, "step": "special_inquiry"},
    "evaluation.lookback-problem-found": {
        "lookback_id": LOOKBACK,
        "project_id": PROJECT,
        "project_name": "村道修缮",
        "town": "台城街道",
        "problem": "路面开裂",
        "checked_on": "2026-09-10",
        "in_use": True,
        "held_up": False,
        "residents_satisfied": False,
        "demand_ids": [DEMAND],
    },
}
TICKET = {
    "ticket_id": TICKET_ID,
    "county": "440781",
    "received_at": "2025-03-01T09:00:00+08:00",
    "category": "道路交通",
    "text": "村口道路坑洼",
    "town": "台城街道",
    "latitude": 22.25,
    "longitude": 112.79,
}
MODELS = list(REGISTRY.models())
DOCUMENTS = build_documents()


def ids(model: type[Contract]) -> str:
    return f"{model.type_name()}.v{model.SCHEMA_VERSION}"


def sample(model: type[Contract]) -> dict[str, Any]:
    if model.type_name() not in SAMPLES:
        pytest.fail(f"no sample for {model.type_name()}: add one to SAMPLES in {__file__}")
    return SAMPLES[model.type_name()]


def envelope(model: type[Contract], payload: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """An envelope as JSON-ready data, as a producer would put it on the wire."""
    return {
        "event_id": str(uuid4()),
        "type": model.type_name(),
        "schema_version": model.SCHEMA_VERSION,
        "county": "440781",
        "occurred_at": "2025-03-01T09:30:00+08:00",
        "recorded_at": "2025-03-01T09:30:01+08:00",
        "actor": {"role": "system", "id": "contract-test"},
        "correlation_id": "req-1",
        "causation_id": "",
        "payload": payload,
        **overrides,
    }


def wire(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode()


def test_every_registered_event_has_a_sample() -> None:
    registered = {m.type_name() for m in MODELS}
    assert not registered - set(SAMPLES), f"add a sample to SAMPLES for: {sorted(registered - set(SAMPLES))}"
    assert not set(SAMPLES) - registered, (
        f"samples for events no longer registered: {sorted(set(SAMPLES) - registered)}"
    )


@pytest.mark.parametrize("model", MODELS, ids=ids)
def test_an_event_round_trips_through_an_envelope_and_the_registry(model: type[Contract]) -> None:
    sent = model.model_validate(sample(model))
    out = Envelope(
        event_id=uuid4(),
        type=model.type_name(),
        schema_version=model.SCHEMA_VERSION,
        county="440781",
        occurred_at=datetime(2025, 3, 1, 1, 30, tzinfo=UTC),
        recorded_at=datetime(2025, 3, 1, 1, 30, 1, tzinfo=UTC),
        actor=Actor(role="system", id="contract-test"),
        correlation_id="req-1",
        payload=sent.model_dump(mode="json"),
    )

    received_envelope, received = REGISTRY.decode(out.model_dump_json().encode())

    assert type(received) is model
    assert received == sent
    assert received_envelope == out
    assert received_envelope.subject() == model.subject("440781")


@pytest.mark.parametrize("model", MODELS, ids=ids)
def test_the_sample_is_valid_against_the_exported_schema_and_the_asyncapi_message(model: type[Contract]) -> None:
    payload = model.model_validate(sample(model)).model_dump(mode="json")
    schema = json.loads(DOCUMENTS[event_file(model)])
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(payload)

    document = json.loads(DOCUMENTS[ASYNCAPI_FILE])
    registry = Registry().with_resource("urn:shishi:asyncapi", Resource(contents=document, specification=DRAFT7))
    message = f"urn:shishi:asyncapi#/components/messages/{model.type_name()}.v{model.SCHEMA_VERSION}/payload"
    validator = jsonschema.Draft7Validator({"$ref": message}, registry=registry)
    validator.validate(envelope(model, payload))
    assert not validator.is_valid(envelope(model, {**payload, "surprise": 1}))
    other = next(m for m in MODELS if m.type_name() != model.type_name())
    assert not validator.is_valid(envelope(model, payload, type=other.type_name()))


@pytest.mark.parametrize("model", MODELS, ids=ids)
def test_a_payload_with_an_extra_field_is_rejected_naming_the_field(model: type[Contract]) -> None:
    data = envelope(model, {**sample(model), "surprise_field": 1})
    with pytest.raises(ValueError, match=rf"invalid {model.type_name()} payload: .*surprise_field"):
        REGISTRY.decode(wire(data))


@pytest.mark.parametrize("model", MODELS, ids=ids)
def test_a_payload_missing_a_required_field_is_rejected_naming_the_field(model: type[Contract]) -> None:
    required = json.loads(DOCUMENTS[event_file(model)])["required"][0]
    payload = {k: v for k, v in sample(model).items() if k != required}
    with pytest.raises(ValueError, match=rf"{required}: Field required"):
        REGISTRY.decode(wire(envelope(model, payload)))


def test_an_unknown_event_type_or_version_is_rejected() -> None:
    model = MODELS[0]
    with pytest.raises(UnknownEventType, match="intake.no-such-event v1"):
        REGISTRY.decode(wire(envelope(model, {}, type="intake.no-such-event")))
    with pytest.raises(UnknownEventType, match=rf"{model.type_name()} v99"):
        REGISTRY.decode(wire(envelope(model, sample(model), schema_version=99)))


def test_an_unknown_event_type_is_a_value_error_so_consumers_dead_letter_it() -> None:
    with pytest.raises(ValueError):
        REGISTRY.decode(wire(envelope(MODELS[0], {}, type="intake.no-such-event")))


@pytest.mark.parametrize("county", ["44078", "4407811", "44O781", ""])
def test_an_envelope_without_a_six_digit_county_is_rejected(county: str) -> None:
    model = MODELS[0]
    with pytest.raises(ValueError, match=r"invalid envelope: county"):
        REGISTRY.decode(wire(envelope(model, sample(model), county=county)))


def test_an_envelope_that_is_not_json_is_rejected() -> None:
    with pytest.raises(ValueError, match="invalid envelope"):
        REGISTRY.decode(b"{not json")


@pytest.mark.parametrize("model", MODELS, ids=ids)
def test_events_are_frozen(model: type[Contract]) -> None:
    event = model.model_validate(sample(model))
    field = next(iter(model.model_fields))
    with pytest.raises(ValidationError, match="frozen"):
        setattr(event, field, getattr(event, field))


def test_envelopes_and_hotline_tickets_are_frozen() -> None:
    model = MODELS[0]
    sent = Envelope.model_validate(envelope(model, sample(model)))
    with pytest.raises(ValidationError, match="frozen"):
        sent.county = "440703"
    ticket = HotlineTicket.model_validate(TICKET)
    with pytest.raises(ValidationError, match="frozen"):
        ticket.text = "changed"


def test_a_hotline_ticket_round_trips_and_matches_its_schema() -> None:
    ticket = HotlineTicket.model_validate(TICKET)
    assert HotlineTicket.model_validate_json(ticket.model_dump_json()) == ticket
    schema = json.loads(DOCUMENTS["events/hotline.ticket.v1.schema.json"])
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(
        ticket.model_dump(mode="json")
    )
    with pytest.raises(ValidationError, match="surprise_field"):
        HotlineTicket.model_validate({**TICKET, "surprise_field": 1})
    with pytest.raises(ValidationError, match="county"):
        HotlineTicket.model_validate({**TICKET, "county": "44078"})
