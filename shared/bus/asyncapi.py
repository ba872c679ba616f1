"""The AsyncAPI 3.0.0 document of the integration events: channels, who sends and who receives.

Built from the registry, the streams and the dead-letter headers, plus one hand-kept table,
``RECEIVERS``, which says who consumes what (a test holds it to the services' subscriptions).
"""

from __future__ import annotations

import importlib.metadata
from fnmatch import fnmatchcase
from itertools import groupby
from typing import Any

from pydantic import BaseModel

from shared.bus import deadletter as dl
from shared.bus.streams import DUPLICATE_WINDOW_SECONDS, StreamSpec, all_streams
from shared.config import SERVICES
from shared.contracts.envelope import COUNTY_PATTERN, Contract, Envelope
from shared.contracts.hotline import HOTLINE_SUBJECT, HotlineTicket
from shared.contracts.registry import REGISTRY

HOTLINE_PLATFORM = "hotline12345"
"""The 12345 hotline platform: not one of ours; it publishes tickets and follows their replies."""

RECEIVERS: dict[str, tuple[str, ...]] = {
    "intake": ("decision.*", "supervision.*", "evaluation.*"),
    "decision": ("intake.*",),
    "supervision": ("decision.project-adopted",),
    "evaluation": ("supervision.project-completed", "decision.*", "intake.*"),
    HOTLINE_PLATFORM: ("intake.hotline.*",),
}
"""consumer -> event types it receives (shell-style patterns over ``<service>.<event>``)."""

TICKET_RECEIVER = "intake"
DEADLETTER_READER = "intake"  # its dead-letter page (死信) reads them without consuming
DEADLETTER_ADDRESS = "shishi.{county}.deadletter.{service}"
SCHEMAS = "#/components/schemas/"

DESCRIPTION = f"""\
Integration events between the four Shishi services (intake 民意征集, decision 票决,
supervision 实施监督, evaluation 满意度测评) and the 12345 hotline, over NATS JetStream.

Every event travels in an **envelope** (event_id, type, schema_version, county, occurred_at,
recorded_at, actor, correlation_id, causation_id, payload); the payload is validated against the
model registered for (type, schema_version). Producers publish only through their outbox relay with
`Nats-Msg-Id: <service>:<notification_id>[/<n>]`, so JetStream drops a re-published event within the
{DUPLICATE_WINDOW_SECONDS // 3600}-hour duplicate window; consumers record the stream sequence with
the events a message causes, so a redelivery has no second effect.

A message that cannot be processed (malformed, rejected by a rule, or failing more often than the
consumer's max deliveries) is never dropped: it is copied unchanged into a **dead letter** on
`{DEADLETTER_ADDRESS}` with its reason in headers, and terminated.
"""


def package_version() -> str:
    try:
        return importlib.metadata.version("shishi")
    except importlib.metadata.PackageNotFoundError:
        return "0.1.0"


def payload_key(model: type[Contract]) -> str:
    return f"{model.type_name()}.v{model.SCHEMA_VERSION}"


def receivers_of(type_name: str) -> list[str]:
    return [who for who, patterns in RECEIVERS.items() if any(fnmatchcase(type_name, p) for p in patterns)]


def stream_of(address: str, streams: list[StreamSpec]) -> str:
    """The stream that captures ``address`` (its ``{parameters}`` count as single tokens)."""
    tokens = address.split(".")
    for spec in streams:
        if any(_matches(pattern.split("."), tokens) for pattern in spec.subjects):
            return spec.name
    raise ValueError(f"no stream captures {address}")


def _matches(pattern: list[str], tokens: list[str]) -> bool:
    for i, p in enumerate(pattern):
        if p == ">":
            return len(tokens) > i
        if i >= len(tokens) or (p != "*" and p != tokens[i]):
            return False
    return len(pattern) == len(tokens)


def _county(location: str | None = None) -> dict[str, Any]:
    param = {
        "description": "6-digit 行政区划代码 (administrative division code) of the county, e.g. 440781 台山市.",
        "examples": ["440781"],
        "x-pattern": COUNTY_PATTERN,
    }
    return {**param, "location": location} if location else param


def _hoist(model: type[BaseModel], key: str, schemas: dict[str, Any]) -> None:
    """Put ``model``'s schema (and its $defs, by class name) into components.schemas."""
    schema = model.model_json_schema(ref_template=SCHEMAS + "{model}")
    for name, sub in {**schema.pop("$defs", {}), key: schema}.items():
        if schemas.setdefault(name, sub) != sub:
            raise ValueError(f"two different schemas named {name} in components.schemas")


def _ref(pointer: str) -> dict[str, str]:
    return {"$ref": pointer}


def _headers(properties: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(properties)}


def _msg_id_headers(service: str) -> dict[str, Any]:
    return _headers(
        {
            "Nats-Msg-Id": {
                "type": "string",
                "pattern": f"^{service}:[0-9]+(/[0-9]+)?$",
                "description": "<service>:<notification_id>[/<n>]: the event's position in the producer's notification "
                "log (n: its n-th contract); JetStream de-duplicates on it.",
            }
        }
    )


DEADLETTER_HEADERS: dict[str, dict[str, Any]] = {
    "Nats-Msg-Id": {"pattern": "^dlq:[A-Z0-9_-]+:[0-9]+$", "description": "dlq:<original stream>:<original sequence>"},
    dl.H_REASON: {"maxLength": 2000, "description": "why it could not be processed"},
    dl.H_SUBJECT: {"description": "the subject it arrived on"},
    dl.H_STREAM: {"description": "the stream it was read from"},
    dl.H_SEQUENCE: {"pattern": "^[0-9]+$", "description": "its sequence in that stream"},
    dl.H_CONSUMER: {"description": "the durable consumer that gave up on it"},
    dl.H_FAILED_AT: {"format": "date-time", "description": "when (UTC, ISO 8601)"},
    dl.H_SEALED_LETTER: {
        "format": "uuid",
        "description": "present when the body is sealed (a hotline ticket: it "
        "holds a caller's details): the id of the letter's own key in intake's key vault",
    },
    dl.H_SEALED_CONTACT: {
        "description": "with a sealed body: the caller's contact key id (empty if the body "
        "names no ticket); the body opens only while both keys exist"
    },
}


def _contract_message(model: type[Contract]) -> dict[str, Any]:
    envelope_of_this_event = {
        "type": "object",
        "properties": {
            "type": {"const": model.type_name()},
            "schema_version": {"const": model.SCHEMA_VERSION},
            "payload": _ref(SCHEMAS + payload_key(model)),
        },
    }
    message: dict[str, Any] = {
        "name": model.type_name(),
        "title": f"{model.__name__} v{model.SCHEMA_VERSION}",
        "contentType": "application/json",
        "headers": _ref(f"{SCHEMAS}{model.SERVICE}.headers"),
        "correlationId": {
            "description": "ties together everything one request caused",
            "location": "$message.payload#/correlation_id",
        },
        "payload": {"allOf": [_ref(SCHEMAS + "Envelope"), envelope_of_this_event]},
    }
    if model.__doc__:
        message["summary"] = model.__doc__.strip().splitlines()[0]
    return message


def _operation(action: str, channel: str, messages: list[str], summary: str) -> dict[str, Any]:
    return {
        "action": action,
        "channel": _ref(f"#/channels/{channel}"),
        "summary": summary,
        "messages": [_ref(f"#/channels/{channel}/messages/{m}") for m in messages],
    }


def _channel(address: str, messages: list[str], streams: list[StreamSpec], **fields: Any) -> dict[str, Any]:
    return {
        "address": address,
        "messages": {k: _ref(f"#/components/messages/{k}") for k in messages},
        **fields,
        "x-jetstream-stream": stream_of(address, streams),
    }


def build_asyncapi() -> dict[str, Any]:
    streams = all_streams()
    schemas: dict[str, Any] = {f"{service}.headers": _msg_id_headers(service) for service in SERVICES}
    messages: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    _hoist(Envelope, "Envelope", schemas)

    for type_name, group in groupby(REGISTRY.models(), key=lambda m: m.type_name()):
        models = list(group)  # one per schema version; all on one subject
        keys = [payload_key(m) for m in models]
        for model, key in zip(models, keys, strict=False):
            _hoist(model, key, schemas)
            messages[key] = _contract_message(model)
        channels[type_name] = _channel(
            models[0].subject("{county}"),
            keys,
            streams,
            title=type_name,
            parameters={"county": _county("$message.payload#/county")},
        )
        service = models[0].SERVICE
        operations[f"{service}.send.{models[0].EVENT}"] = _operation(
            "send", type_name, keys, f"{service} publishes {type_name} through its outbox relay"
        )
        for who in receivers_of(type_name):
            operations[f"{who}.receive.{type_name}"] = _operation(
                "receive", type_name, keys, f"{who} receives {type_name}"
            )

    _hoist(HotlineTicket, "HotlineTicket", schemas)
    messages["hotline.ticket.v1"] = {
        "name": "hotline.ticket",
        "title": "12345 hotline ticket",
        "summary": "A citizen's call or message to the 12345 hotline, handed to intake.",
        "description": "Published by the 12345 platform as plain JSON (no envelope: it is the hotline's own "
        "message) and consumed by intake, which turns it into one demand; a re-sent ticket lands on the same "
        "demand (its id is derived from ticket_id). The Open311-style replies travel on "
        "`shishi.{county}.intake.hotline.*` (accepted, status-changed).",
        "contentType": "application/json",
        "payload": _ref(SCHEMAS + "HotlineTicket"),
    }
    channels["hotline.tickets"] = _channel(
        HOTLINE_SUBJECT,
        ["hotline.ticket.v1"],
        streams,
        title="12345 hotline tickets",
        description="Inbound from the 12345 platform; consumed by intake.",
        parameters={"county": _county("$message.payload#/county")},
    )
    operations[f"{HOTLINE_PLATFORM}.send.tickets"] = _operation(
        "send", "hotline.tickets", ["hotline.ticket.v1"], "the 12345 platform publishes a ticket"
    )
    reply = "intake.hotline.accepted"
    operations[f"{TICKET_RECEIVER}.receive.hotline.tickets"] = {
        **_operation("receive", "hotline.tickets", ["hotline.ticket.v1"], "intake turns a ticket into a demand"),
        "reply": {
            "channel": _ref(f"#/channels/{reply}"),
            "messages": [_ref(f"#/channels/{reply}/messages/{k}") for k in channels[reply]["messages"]],
        },
    }

    messages["deadletter"] = {
        "name": "deadletter",
        "title": "Dead letter",
        "summary": "A message a consumer could not process, copied unchanged (sealed, if it holds personal "
        "details), with the reason.",
        "contentType": "application/octet-stream",
        "headers": _headers({name: {"type": "string", **h} for name, h in DEADLETTER_HEADERS.items()}),
        "payload": {
            "type": "string",
            "format": "binary",
            "description": "the original message bytes, unchanged (often not valid JSON: that may be why); "
            'a hotline ticket\'s instead sealed: {"sealed": base64(nonce + AES-256-GCM ciphertext)} '
            "under a key derived (HKDF-SHA256) from the two keys its headers name, opened by intake",
        },
    }
    channels["deadletter"] = _channel(
        DEADLETTER_ADDRESS,
        ["deadletter"],
        streams,
        title="Dead letters (死信)",
        description="One per consuming service; `county` is `unknown` when the original subject had none.",
        parameters={
            "county": {**_county(), "x-pattern": r"^(\d{6}|unknown)$"},
            "service": {"description": "the consuming service that gave up on it", "enum": list(SERVICES)},
        },
    )
    for service in SERVICES:
        operations[f"{service}.send.deadletter"] = _operation(
            "send", "deadletter", ["deadletter"], f"{service}'s consumers terminate a poison message into it"
        )
    operations[f"{DEADLETTER_READER}.receive.deadletter"] = _operation(
        "receive", "deadletter", ["deadletter"], "the dead-letter page (死信) lists them, without consuming"
    )

    return {
        "asyncapi": "3.0.0",
        "info": {"title": "Shishi integration events", "version": package_version(), "description": DESCRIPTION},
        "defaultContentType": "application/json",
        "servers": {
            "local": {
                "host": "127.0.0.1:4222",
                "protocol": "nats",
                "description": "a local run's NATS (`shishi up` uses 4222 when free)",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {"schemas": schemas, "messages": messages},
        "x-jetstream-streams": [_stream(spec) for spec in streams],
    }


def _stream(spec: StreamSpec) -> dict[str, Any]:
    config: dict[str, Any] = spec.config().as_dict()
    return {
        "name": spec.name,
        "subjects": list(spec.subjects),
        **{key: getattr(config[key], "value", config[key]) for key in ("retention", "storage", "discard")},
        "duplicate_window_seconds": config["duplicate_window"] // 10**9,
        "num_replicas": config["num_replicas"],
    }
