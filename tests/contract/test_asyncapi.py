"""The AsyncAPI document describes the wire as it is: every event, the hotline, dead letters, the journal
and the audit checkpoints, and who sends and receives what; the servers, production's with its security
scheme; it is valid AsyncAPI 3.1.0 (the official JSON Schema, vendored in tests/contract/vendor/asyncapi-specs);
every reference resolves; every schema is a valid JSON Schema."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from shared.bus import deadletter
from shared.bus.contracts_export import ASYNCAPI_FILE, build_documents
from shared.bus.streams import AUDIT, JOURNAL, all_streams
from shared.config import SERVICES
from shared.contracts import REGISTRY, Contract, HotlineTicket

VENDOR = Path(__file__).parent / "vendor" / "asyncapi-specs"
OFFICIAL_3_1 = json.loads((VENDOR / "asyncapi-3.1.0.schema.json").read_text())
DOCUMENTS = build_documents()
DOC: dict[str, Any] = json.loads(DOCUMENTS[ASYNCAPI_FILE])
SCHEMA_FILES = sorted(name for name in DOCUMENTS if name.endswith(".schema.json"))


def resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), f"only local references are expected, got {ref}"
    node: Any = document
    for token in ref[2:].split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict) and token in node, f"{ref} does not resolve (no {token!r})"
        node = node[token]
    return node


def refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for value in node.values() for r in refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in refs(value)]
    return []


def channel_by_address(address: str) -> tuple[str, dict[str, Any]]:
    matches = [(key, ch) for key, ch in DOC["channels"].items() if ch["address"] == address]
    assert len(matches) == 1, f"expected one channel on {address}, found {len(matches)}"
    return matches[0]


def test_the_document_is_valid_asyncapi_3_1_by_the_official_schema() -> None:
    assert DOC["asyncapi"] == "3.1.0"
    errors = sorted(jsonschema.Draft7Validator(OFFICIAL_3_1).iter_errors(DOC), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.path))}: {e.message[:300]}" for e in errors[:10])


def test_production_has_a_server_with_the_integrators_security_scheme() -> None:
    production = DOC["servers"]["production"]
    assert production["protocol"] == "nats" and production["host"] == "{host}:4222"
    assert "host" in production["variables"]
    [security] = production["security"]
    scheme = resolve(DOC, security["$ref"])
    assert scheme["type"] == "userPassword"
    assert "hotline" in scheme["description"] and "HOTLINE_NATS_PASSWORD" in scheme["description"]
    assert "hotline.{county}.tickets" in production["description"]  # what the 12345 integrator may do
    assert "security" not in DOC["servers"]["local"]


@pytest.mark.parametrize(
    ("address", "stream", "message"),
    [("journal.{service}", JOURNAL, "journal"), ("audit.{service}.checkpoints", AUDIT, "checkpoint")],
)
def test_journal_and_audit_have_channels_senders_and_their_reader(address: str, stream: str, message: str) -> None:
    key, channel = channel_by_address(address)
    assert channel["x-jetstream-stream"] == stream and channel["parameters"]["service"]["enum"] == list(SERVICES)
    assert list(channel["messages"]) == [message]
    users = {
        (name.split(".")[0], op["action"])
        for name, op in DOC["operations"].items()
        if op["channel"]["$ref"] == f"#/channels/{key}"
    }
    assert users == {*((s, "send") for s in SERVICES), ("auditor", "receive")}


def test_the_journal_headers_and_the_checkpoint_are_what_the_code_writes() -> None:
    from shared.audit.signing import HEADER
    from shared.runtime.journal import NOTIFICATION, PREVIOUS

    _, channel = channel_by_address("journal.{service}")
    journal = resolve(DOC, channel["messages"]["journal"]["$ref"])
    assert set(journal["headers"]["properties"]) == {"Nats-Msg-Id", NOTIFICATION, PREVIOUS}
    checkpoint = DOC["components"]["schemas"]["Checkpoint"]
    assert HEADER in checkpoint["description"]
    example = {
        "service": "intake",
        "size": 3,
        "root": "a" * 64,
        "time": "2026-01-01T00:00:00+00:00",
        "key_id": "0123456789abcdef",
        "signature": "c2ln",
        "public_key": "a2V5",
    }
    jsonschema.Draft7Validator(checkpoint).validate(example)


def test_the_document_describes_the_wire() -> None:
    assert DOC["info"]["title"] == "Shishi integration events"
    assert DOC["info"]["version"]
    for words in ("envelope", "Nats-Msg-Id", "dead letter"):
        assert words in DOC["info"]["description"]
    assert DOC["defaultContentType"] == "application/json"
    assert DOC["servers"]["local"] == {**DOC["servers"]["local"], "host": "127.0.0.1:4222", "protocol": "nats"}
    for operation in DOC["operations"].values():
        assert operation["action"] in {"send", "receive"}


@pytest.mark.parametrize("model", list(REGISTRY.models()), ids=lambda m: f"{m.type_name()}.v{m.SCHEMA_VERSION}")
def test_every_registered_event_has_its_channel_sender_and_message(model: type[Contract]) -> None:
    key, channel = channel_by_address(model.subject("{county}"))
    assert "county" in channel["parameters"]
    message_keys = list(channel["messages"])
    assert any(DOC["components"]["messages"][k]["name"] == model.type_name() for k in message_keys)
    senders = [
        name
        for name, op in DOC["operations"].items()
        if op["action"] == "send" and op["channel"]["$ref"] == f"#/channels/{key}"
    ]
    assert senders == [f"{model.SERVICE}.send.{model.EVENT}"]


def test_every_channel_message_is_a_component_and_every_operation_uses_its_channels_messages() -> None:
    for key, channel in DOC["channels"].items():
        for ref in channel["messages"].values():
            assert ref["$ref"].startswith("#/components/messages/"), key
            resolve(DOC, ref["$ref"])
    for name, operation in DOC["operations"].items():
        channel_ref = operation["channel"]["$ref"]
        assert operation["messages"], name
        for ref in operation["messages"]:
            assert ref["$ref"].startswith(channel_ref + "/messages/"), f"{name}: {ref} is not a message of its channel"


def test_the_hotline_channel_is_published_by_the_platform_and_received_by_intake() -> None:
    key, channel = channel_by_address("hotline.{county}.tickets")
    (message_ref,) = channel["messages"].values()
    message = resolve(DOC, message_ref["$ref"])
    assert resolve(DOC, message["payload"]["$ref"])["title"] == HotlineTicket.__name__
    actions = {
        (name.split(".")[0], op["action"])
        for name, op in DOC["operations"].items()
        if op["channel"]["$ref"] == f"#/channels/{key}"
    }
    assert actions == {("hotline12345", "send"), ("intake", "receive")}


def test_the_dead_letter_channel_carries_the_original_bytes_and_the_reason_headers() -> None:
    key, channel = channel_by_address(deadletter.deadletter_subject("{county}", "{service}"))
    assert set(channel["parameters"]) == {"county", "service"}
    (message_ref,) = channel["messages"].values()
    headers = resolve(DOC, message_ref["$ref"])["headers"]
    expected = {
        deadletter.H_REASON,
        deadletter.H_SUBJECT,
        deadletter.H_STREAM,
        deadletter.H_SEQUENCE,
        deadletter.H_CONSUMER,
        deadletter.H_FAILED_AT,
    }
    assert expected <= set(headers["required"])
    senders = {
        name.split(".")[0]
        for name, op in DOC["operations"].items()
        if op["action"] == "send" and op["channel"]["$ref"] == f"#/channels/{key}"
    }
    assert senders == set(SERVICES)


def test_every_channel_is_captured_by_a_declared_stream() -> None:
    declared = {s["name"]: s for s in DOC["x-jetstream-streams"]}
    assert list(declared) == [*(s.name for s in all_streams()), AUDIT]
    for key, channel in DOC["channels"].items():
        assert channel["x-jetstream-stream"] in declared, key


@pytest.mark.parametrize("service", SERVICES)
def test_receive_operations_match_what_each_service_subscribes_to(service: str) -> None:
    handlers = importlib.import_module(f"services.{service}.inbound.handlers")
    filters = [s.filter_subject for s in handlers.subscriptions(None)]
    subscribed = {
        m.type_name() for m in REGISTRY.models() if any(nats_matches(f, m.subject("440781")) for f in filters)
    }
    if any(nats_matches(f, HotlineTicket.subject("440781")) for f in filters):
        subscribed.add("hotline.tickets")
    documented = {
        op["channel"]["$ref"].rsplit("/", 1)[-1]
        for name, op in DOC["operations"].items()
        if op["action"] == "receive" and name.startswith(f"{service}.receive.")
    }
    documented.discard("deadletter")  # read by the dead-letter page, not a subscription
    assert documented == subscribed


def nats_matches(pattern: str, subject: str) -> bool:
    p, s = pattern.split("."), subject.split(".")
    for i, token in enumerate(p):
        if token == ">":
            return len(s) > i
        if i >= len(s) or token not in ("*", s[i]):
            return False
    return len(p) == len(s)


def test_every_reference_in_the_document_resolves() -> None:
    found = refs(DOC)
    assert found
    for ref in found:
        resolve(DOC, ref)


def test_component_schemas_are_valid_for_asyncapi_which_builds_on_draft_7() -> None:
    for name, schema in DOC["components"]["schemas"].items():
        jsonschema.Draft7Validator.check_schema(schema)
        assert "$defs" not in schema, f"{name}: nested definitions must be hoisted into components.schemas"


@pytest.mark.parametrize("name", SCHEMA_FILES)
def test_every_schema_file_is_a_valid_draft_2020_12_schema_whose_references_resolve(name: str) -> None:
    schema = json.loads(DOCUMENTS[name])
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    for ref in refs(schema):
        resolve(schema, ref)
