"""The dead-letter stream: a message we cannot process goes here with its reason, never lost."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, unquote

from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from shared.bus.streams import DEADLETTER
from shared.kernel.meta import is_county_code

H_REASON = "Shishi-Reason"
H_SUBJECT = "Shishi-Original-Subject"
H_STREAM = "Shishi-Original-Stream"
H_SEQUENCE = "Shishi-Original-Sequence"
H_CONSUMER = "Shishi-Consumer"
H_FAILED_AT = "Shishi-Failed-At"
H_SEALED_LETTER = "Shishi-Sealed-Letter"  # the body is sealed (it holds a caller's details): this letter's key id
H_SEALED_CONTACT = "Shishi-Sealed-Contact"  # ... and the caller's contact key id, if the body names the ticket

# NATS header values are ASCII: a reason's other characters (a refusal's Chinese half) travel percent-encoded.
_HEADER_SAFE = "".join(chr(c) for c in range(32, 127) if chr(c) != "%")


def header_text(text: str, limit: int = 2000) -> str:
    """``工单格式有误 / malformed …`` as an ASCII header value of at most ``limit`` characters (UTF-8,
    percent-encoded; ASCII stays as it is); a long text is cut between characters, never inside one."""
    encoded = quote(text, safe=_HEADER_SAFE)
    while len(encoded) > limit:
        text = text[: -max(1, (len(encoded) - limit) // 9)]
        encoded = quote(text, safe=_HEADER_SAFE)
    return encoded


# Seals a dead letter's body before it is stored: (stored body, headers naming the keys).
Sealer = Callable[[Msg], tuple[bytes, dict[str, str]]]


def county_of_subject(subject: str) -> str:
    """``hotline.440781.tickets`` / ``shishi.440781.intake.x`` -> ``440781`` (or ``unknown``)."""
    parts = subject.split(".")
    return parts[1] if len(parts) > 1 and is_county_code(parts[1]) else "unknown"


def deadletter_subject(county: str, service: str) -> str:
    return f"shishi.{county}.deadletter.{service}"


async def send_to_deadletter(
    js: JetStreamContext, msg: Msg, *, service: str, consumer: str, reason: str, seal: Sealer | None = None
) -> None:
    """Copy ``msg`` with its reason into DEADLETTER (idempotent per original position); with
    ``seal``, its body sealed (the stream then never holds it in clear)."""
    meta = msg.metadata
    stream, seq = meta.stream, meta.sequence.stream
    headers = {
        "Nats-Msg-Id": f"dlq:{stream}:{seq}",
        H_REASON: header_text(reason),
        H_SUBJECT: msg.subject,
        H_STREAM: stream,
        H_SEQUENCE: str(seq),
        H_CONSUMER: consumer,
        H_FAILED_AT: datetime.now(UTC).isoformat(),
    }
    data = msg.data
    if seal is not None:
        data, key_headers = await asyncio.to_thread(seal, msg)
        headers.update(key_headers)
    await js.publish(deadletter_subject(county_of_subject(msg.subject), service), data, headers=headers)


@dataclass(frozen=True)
class DeadLetter:
    sequence: int
    subject: str
    county: str
    service: str
    reason: str
    original_subject: str
    original_stream: str
    original_sequence: int
    failed_at: str
    data: bytes
    sealed_letter: str = ""  # the body is sealed (opened by intake) under this letter's key ...
    sealed_contact: str = ""  # ... and this contact's key, if any
    erased: bool = False  # sealed, and the key is destroyed: the body is gone for good

    def text(self) -> str:
        return self.data.decode("utf-8", errors="replace")

    def as_dict(self) -> dict[str, Any]:
        body: object
        try:
            body = json.loads(self.data)
        except ValueError:
            body = self.text()
        return {
            "sequence": self.sequence,
            "county": self.county,
            "service": self.service,
            "reason": self.reason,
            "original_subject": self.original_subject,
            "original_stream": self.original_stream,
            "original_sequence": self.original_sequence,
            "failed_at": self.failed_at,
            "body": None if self.erased else body,
            "erased": self.erased,
        }


async def list_deadletters(
    js: JetStreamContext, *, county: str, service: str = "*", limit: int = 200
) -> list[DeadLetter]:
    """Read dead letters of one county (oldest first) without consuming them."""
    subject = deadletter_subject(county, service)
    sub = await js.pull_subscribe(
        subject,
        stream=DEADLETTER,
        config=ConsumerConfig(
            deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.NONE, inactive_threshold=30.0, max_deliver=1
        ),
    )
    found: list[DeadLetter] = []
    try:
        while len(found) < limit:
            try:
                msgs = await sub.fetch(min(100, limit - len(found)), timeout=0.5)
            except TimeoutError:
                break
            for m in msgs:
                h = m.headers or {}
                found.append(
                    DeadLetter(
                        sequence=m.metadata.sequence.stream,
                        subject=m.subject,
                        county=county,
                        service=m.subject.rsplit(".", 1)[-1],
                        reason=unquote(str(h.get(H_REASON, ""))),
                        original_subject=h.get(H_SUBJECT, ""),
                        original_stream=h.get(H_STREAM, ""),
                        original_sequence=int(h.get(H_SEQUENCE, "0") or 0),
                        failed_at=h.get(H_FAILED_AT, ""),
                        data=m.data,
                        sealed_letter=h.get(H_SEALED_LETTER, ""),
                        sealed_contact=h.get(H_SEALED_CONTACT, ""),
                    )
                )
            if m.metadata.num_pending == 0:
                break
    finally:
        await sub.unsubscribe()
    return found
