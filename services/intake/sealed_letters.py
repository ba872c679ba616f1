"""Hotline dead letters hold callers' details (a ticket that could not be applied carries the
caller's name, phone and address in clear), so intake seals each one before it is stored in the
DEADLETTER stream, with the caller's own contact key from the vault: the stream never holds the
details in clear, staff read them through intake, and destroying the key (the resident is
erased, or staff dismiss the letter of a ticket that never became a demand) makes every copy
unreadable, as for a demand's contact details."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from typing import Any
from uuid import UUID, uuid5

from nats.aio.msg import Msg

from shared.bus.deadletter import DeadLetter, Sealer, county_of_subject
from services.intake.application import IntakeApplication, ticket_contact_id
from services.intake.domain import NAMESPACE, hotline_demand_id
from services.intake.vault import KeyErased


def ticket_of(data: bytes) -> tuple[str, str] | None:
    """(county, ticket id) if the body names them, however malformed the rest."""
    try:
        raw: Any = json.loads(data)
    except ValueError:
        return None
    if isinstance(raw, dict) and isinstance(raw.get("county"), str) and isinstance(raw.get("ticket_id"), str) \
            and raw["ticket_id"]:
        return raw["county"], raw["ticket_id"]
    return None


def letter_contact_id(data: bytes, stream: str, sequence: int) -> UUID:
    """The caller's own contact when the ticket names its county and id (the key its demand
    would be sealed with); otherwise one contact for this letter alone."""
    named = ticket_of(data)
    if named is not None:
        return ticket_contact_id(*named)
    return uuid5(NAMESPACE, f"contact:deadletter:{stream}:{sequence}")


def hotline_letter_sealer(app: IntakeApplication) -> Sealer:
    def seal(msg: Msg) -> tuple[bytes, str]:
        contact_id = letter_contact_id(msg.data, msg.metadata.stream, msg.metadata.sequence.stream)
        sealed = app.vault.seal(contact_id, county_of_subject(msg.subject),
                                {"body": base64.b64encode(msg.data).decode("ascii")})
        app.vault.flush()  # the key is stored before the letter that needs it
        return json.dumps({"sealed": sealed["body"]}).encode(), str(contact_id)

    return seal


def open_letter(app: IntakeApplication, letter: DeadLetter) -> DeadLetter:
    """The letter with its body as received, or marked erased once the key is destroyed."""
    if not letter.sealed_contact:
        return letter
    try:
        sealed = json.loads(letter.data)["sealed"]
        body = app.vault.open(UUID(letter.sealed_contact), {"body": sealed})["body"]
    except KeyErased:
        return replace(letter, data=b"", erased=True)
    return replace(letter, data=base64.b64decode(body))


def forget_unless_used(app: IntakeApplication, letter: DeadLetter) -> bool:
    """Destroy the key sealing ``letter`` (opened) unless a demand uses it: the details then live
    on nowhere. True if a key was destroyed."""
    if not letter.sealed_contact or letter.erased:
        return False
    named = ticket_of(letter.data)
    contact_id = UUID(letter.sealed_contact)
    if named is not None and ticket_contact_id(*named) == contact_id \
            and app.find(hotline_demand_id(*named)) is not None:
        return False  # the caller's demand holds the same key: erasing the resident destroys it
    return app.vault.erase(contact_id)
