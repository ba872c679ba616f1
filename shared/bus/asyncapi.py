"""The AsyncAPI 3.1.0 document of everything Shishi puts on NATS: the integration events, the 12345
hotline's tickets, dead letters, each service's journal and its signed audit checkpoints; who sends
and who receives; the servers (a local run's, and production's with its security scheme).

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
from shared.bus.streams import (
    CHECKPOINT_ADDRESS,
    DUPLICATE_WINDOW_SECONDS,
    JOURNAL_ADDRESS,
    StreamSpec,
    all_streams,
    audit_stream,
)
from shared.config import SERVICES
from shared.contracts.envelope import COUNTY_PATTERN, Contract, Envelope
from shared.contracts.hotline import HOTLINE_SUBJECT, HotlineTicket
from shared.contracts.registry import REGISTRY

ASYNCAPI_VERSION = "3.1.0"
HOTLINE_PLATFORM = "hotline12345"
"""The 12345 hotline platform: not one of ours; it publishes tickets and follows their replies."""
AUDITOR = "auditor"
"""Whoever audits with the read-only NATS user: ``shishi audit restore`` reads the journal,
``shishi audit verify --nats`` the published checkpoints."""
SECURITY_SCHEME = "natsUserPassword"

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
    dl.H_REASON: {
        "maxLength": 2000,
        "pattern": "^[ -~]*$",
        "description": "why it could not be processed, as UTF-8 percent-encoded (RFC 3986) into ASCII: a "
        "refusal's Chinese half travels as %E5%B7%A5…, printable ASCII other than '%' as it is; decode it "
        "before showing it (a long reason is cut between characters, never inside one)",
    },
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


JOURNAL_HEADERS: dict[str, dict[str, Any]] = {
    "Nats-Msg-Id": {
        "pattern": f"^journal:({'|'.join(SERVICES)}):[0-9]+$",
        "description": "journal:<service>:<the last notification id in the message>; JetStream de-duplicates on it",
    },
    "Shishi-Notification-Id": {"pattern": "^[0-9]+$", "description": "the last notification id in the message"},
    "Shishi-Previous-Id": {
        "pattern": "^[0-9]+$",
        "description": "the last notification id of the message before (0: none), so a restore sees a hole",
    },
}

JOURNAL_FORMAT = (
    "Many stored events per message, in notification order, each as one JSON line "
    '`{"n": notification id, "o": aggregate id, "v": version, "t": topic, "len": L}` followed by the L bytes '
    "of its stored state exactly as the event store holds them (a resident's contact details only sealed). "
    "`shishi audit restore` rebuilds the service's event store from it, with the same notification ids."
)


def _checkpoint_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "title": "Checkpoint",
        "description": "A signed head of the service's Merkle log (RFC 6962 hashing): Ed25519 over the lines "
        '"shishi-audit-checkpoint/v1", "service S", "size N", "root HEX", "time T", each ending in a newline',
        "required": ["service", "size", "root", "time", "key_id", "signature", "public_key"],
        "properties": {
            "service": {"enum": list(SERVICES)},
            "size": {"type": "integer", "minimum": 0, "description": "events in the log"},
            "root": {"type": "string", "pattern": "^[0-9a-f]{64}$", "description": "root hash (hex)"},
            "time": {"type": "string", "format": "date-time", "description": "when it was signed (UTC)"},
            "key_id": {"type": "string", "pattern": "^[0-9a-f]{16}$", "description": "SHA-256 of the key, 16 hex"},
            "signature": {"type": "string", "contentEncoding": "base64", "description": "Ed25519, base64"},
            "public_key": {"type": "string", "contentEncoding": "base64", "description": "raw Ed25519 key, base64"},
        },
        "additionalProperties": False,
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

    _journal_and_audit(channels, messages, operations, schemas, [*streams, audit_stream()])

    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {"title": "Shishi integration events", "version": package_version(), "description": DESCRIPTION},
        "defaultContentType": "application/json",
        "servers": {
            "local": {
                "host": "127.0.0.1:4222",
                "protocol": "nats",
                "description": "a local run's NATS (`shishi up` uses 4222 when free); no authentication",
            },
            "production": {
                "host": "{host}:4222",
                "protocol": "nats",
                "title": "Production NATS (JetStream)",
                "description": PRODUCTION,
                "variables": {
                    "host": {
                        "description": "the NATS server's address in the county's network (compose: the host running "
                        "deploy/compose.yaml)",
                        "examples": ["nats.shishi.example.gov.cn"],
                    }
                },
                "security": [_ref(f"#/components/securitySchemes/{SECURITY_SCHEME}")],
            },
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "schemas": schemas,
            "messages": messages,
            "securitySchemes": {
                SECURITY_SCHEME: {
                    "type": "userPassword",
                    "description": "A NATS user and password (deploy/nats/nats-server.conf), one user per party, "
                    "each allowed only its own subjects. The 12345 platform: user `hotline`, password from "
                    "HOTLINE_NATS_PASSWORD. Auditors: user `auditor` (read only), AUDITOR_NATS_PASSWORD.",
                }
            },
        },
        "x-jetstream-streams": [_stream(spec) for spec in [*streams, audit_stream()]],
    }


PRODUCTION = """\
The production server as `deploy/compose.yaml` runs it (`deploy/nats/nats-server.conf`): one user per
party, each with NATS permissions on its own subjects only.

**The 12345 integrator** connects as user `hotline` with the password the operator issues
(`HOTLINE_NATS_PASSWORD`): it may publish `hotline.{county}.tickets` (stream HOTLINE) and subscribe to
intake's replies on `shishi.{county}.intake.hotline.>` (accepted, status-changed, replied, closed); nothing
else. Auditors connect as `auditor` (read only: stream info, message gets, ordered consumers).
"""


def _journal_and_audit(
    channels: dict[str, Any],
    messages: dict[str, Any],
    operations: dict[str, Any],
    schemas: dict[str, Any],
    streams: list[StreamSpec],
) -> None:
    service_param = {"description": "the service whose store it is", "enum": list(SERVICES)}
    messages["journal"] = {
        "name": "journal",
        "title": "Journal batch",
        "summary": "Stored events of one service, as stored: NATS alone rebuilds its event store.",
        "contentType": "application/octet-stream",
        "headers": _headers({name: {"type": "string", **h} for name, h in JOURNAL_HEADERS.items()}),
        "payload": {"type": "string", "format": "binary", "description": JOURNAL_FORMAT},
    }
    channels["journal"] = _channel(
        JOURNAL_ADDRESS,
        ["journal"],
        streams,
        title="Journal (事件存储副本)",
        description="Each service's journal follower copies its notification log here, in atomic batches, "
        "resuming from the subject's last message; only that service may write (or read the last message of) "
        "its subject.",
        parameters={"service": service_param},
    )
    schemas["Checkpoint"] = _checkpoint_schema()
    messages["checkpoint"] = {
        "name": "checkpoint",
        "title": "Signed checkpoint",
        "summary": "The signed head of a service's Merkle log over every stored event.",
        "contentType": "application/json",
        "headers": _headers(
            {
                "Nats-Msg-Id": {
                    "type": "string",
                    "pattern": "^audit:[a-z]+:[0-9]+:[0-9a-f]{16}$",
                    "description": "audit:<service>:<size>:<first 16 hex of the root>",
                }
            }
        ),
        "payload": _ref(SCHEMAS + "Checkpoint"),
    }
    channels["audit.checkpoints"] = _channel(
        CHECKPOINT_ADDRESS,
        ["checkpoint"],
        streams,
        title="Audit checkpoints (审计检查点)",
        description="Every 1,000 events or 60 s, and at shutdown; once published, whoever holds the data "
        "directory and the key cannot rewrite history unnoticed (`shishi audit verify --nats`).",
        parameters={"service": service_param},
    )
    for service in SERVICES:
        operations[f"{service}.send.journal"] = _operation(
            "send", "journal", ["journal"], f"{service}'s journal follower copies its stored events"
        )
        operations[f"{service}.send.checkpoints"] = _operation(
            "send", "audit.checkpoints", ["checkpoint"], f"{service}'s audit follower publishes each checkpoint"
        )
    operations[f"{AUDITOR}.receive.journal"] = _operation(
        "receive", "journal", ["journal"], "`shishi audit restore` rebuilds the event stores from it"
    )
    operations[f"{AUDITOR}.receive.checkpoints"] = _operation(
        "receive", "audit.checkpoints", ["checkpoint"], "`shishi audit verify --nats` checks the stores against them"
    )


def _stream(spec: StreamSpec) -> dict[str, Any]:
    config: dict[str, Any] = spec.config().as_dict()
    return {
        "name": spec.name,
        "subjects": list(spec.subjects),
        **{key: getattr(config[key], "value", config[key]) for key in ("retention", "storage", "discard")},
        "duplicate_window_seconds": config["duplicate_window"] // 10**9,
        "num_replicas": config["num_replicas"],
    }
