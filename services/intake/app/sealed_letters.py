"""Hotline dead letters hold callers' details (a ticket that could not be applied carries the
caller's name, phone and address in clear), so intake seals each one before it is stored in the
DEADLETTER stream: the stream never holds the details in clear, and staff read them through
intake.

A letter is encrypted (AES-256-GCM) under a key derived (HKDF-SHA256) from two keys in the
vault: one made for this letter alone, and, when the body names its county and ticket id, the
caller's own contact key (the key the ticket's demand is sealed with). Destroying either makes
the letter unreadable everywhere: staff resolving the letter destroy its own key (no other
letter and no demand uses it, so nothing else is touched); erasing the resident destroys the
contact key, and with it every letter of their ticket."""

from __future__ import annotations

import base64
import json
import os
from dataclasses import replace
from typing import Any
from uuid import UUID, uuid5

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from nats.aio.msg import Msg

from services.intake.app.core import IntakeCore, ticket_contact_id
from services.intake.app.vault import ContactVault, KeyErased
from services.intake.domain.demand import NAMESPACE
from shared.bus.deadletter import H_SEALED_CONTACT, H_SEALED_LETTER, DeadLetter, Sealer, county_of_subject


def ticket_of(data: bytes) -> tuple[str, str] | None:
    """(county, ticket id) if the body names them, however malformed the rest."""
    try:
        raw: Any = json.loads(data)
    except ValueError:
        return None
    if (
        isinstance(raw, dict)
        and isinstance(raw.get("county"), str)
        and isinstance(raw.get("ticket_id"), str)
        and raw["ticket_id"]
    ):
        return raw["county"], raw["ticket_id"]
    return None


def letter_key_id(stream: str, sequence: int) -> UUID:
    return uuid5(NAMESPACE, f"deadletter-key:{stream}:{sequence}")


def cipher(vault: ContactVault, letter: UUID, contact: UUID | None, county: str, *, create: bool) -> AESGCM:
    """The letter's cipher; ``KeyErased`` once either key is destroyed."""
    keys = [vault.ensure_key(letter, county) if create else vault.key_of(letter)]
    if contact is not None:
        keys.append(vault.ensure_key(contact, county) if create else vault.key_of(contact))
    info = f"shishi:deadletter:{letter}".encode()
    return AESGCM(HKDF(algorithm=SHA256(), length=32, salt=None, info=info).derive(b"".join(keys)))


def hotline_letter_sealer(app: IntakeCore) -> Sealer:
    def seal(msg: Msg) -> tuple[bytes, dict[str, str]]:
        letter = letter_key_id(msg.metadata.stream, msg.metadata.sequence.stream)
        named = ticket_of(msg.data)
        contact = ticket_contact_id(*named) if named is not None else None
        nonce = os.urandom(12)
        sealed = cipher(app.vault, letter, contact, county_of_subject(msg.subject), create=True).encrypt(
            nonce, msg.data, str(letter).encode()
        )
        return (
            json.dumps({"sealed": base64.b64encode(nonce + sealed).decode("ascii")}).encode(),
            {H_SEALED_LETTER: str(letter), H_SEALED_CONTACT: str(contact or "")},
        )

    return seal


def open_letter(app: IntakeCore, letter: DeadLetter) -> DeadLetter:
    """The letter with its body as received, or marked erased once a key is destroyed."""
    if not letter.sealed_letter:
        return letter
    try:
        key_id = UUID(letter.sealed_letter)
        contact = UUID(letter.sealed_contact) if letter.sealed_contact else None
        raw = base64.b64decode(json.loads(letter.data)["sealed"])
        body = cipher(app.vault, key_id, contact, letter.county, create=False).decrypt(
            raw[:12], raw[12:], str(key_id).encode()
        )
    except (KeyErased, InvalidTag, ValueError, KeyError, TypeError):  # a destroyed key, or a damaged letter
        return replace(letter, data=b"", erased=True)
    return replace(letter, data=body)


def forget(app: IntakeCore, letter: DeadLetter) -> bool:
    """Destroy the letter's own key (resolved: its details live on only where they went next)."""
    return bool(letter.sealed_letter) and app.vault.erase(UUID(letter.sealed_letter))
