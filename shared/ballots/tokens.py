"""One-time ballot tokens (pure, stdlib): sealed random values, never stored, spent by receipt."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def scope_key(secret: bytes, scope: str) -> bytes:
    """The MAC key of one scope (a voting session): derived, never stored."""
    return hmac.new(secret, f"shishi-ballot:{scope}".encode(), hashlib.sha256).digest()


def new_token(key: bytes) -> str:
    """A fresh token: 128 random bits and their MAC. Whoever holds it may cast one ballot per box."""
    nonce = secrets.token_hex(16)
    return f"{nonce}.{_mac(key, nonce)}"


def is_valid(key: bytes, token: str) -> bool:
    nonce, _, mac = token.strip().partition(".")
    if len(nonce) != 32 or not mac:
        return False
    return hmac.compare_digest(mac, _mac(key, nonce))


def receipt_code(token: str, box_id: str) -> str:
    """The receipt of the ballot cast with ``token`` in one box: one-way, shown to the voter, published."""
    digest = hashlib.sha256(f"receipt:{box_id}:{token.strip()}".encode()).hexdigest()[:12].upper()
    return f"{digest[:4]}-{digest[4:8]}-{digest[8:]}"


def _mac(key: bytes, nonce: str) -> str:
    return hmac.new(key, nonce.encode(), hashlib.sha256).hexdigest()[:24]
