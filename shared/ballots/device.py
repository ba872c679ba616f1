"""The deputy's device, in Python: what ``static/ballots/ballot.js`` does in the browser. Used by the
demo, the tests and anyone voting from a script: make a token, have it blind-signed, unblind it, cast
anonymously with a receipt only this device can compute."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shared.ballots import blind
from shared.ballots.credentials import receipt


@dataclass(frozen=True)
class Credential:
    kid: str
    msg: bytes  # the prepared token (random prefix + random token)
    sig: bytes

    def proof(self) -> dict[str, str]:
        return {"msg": blind.b64url_encode(self.msg), "sig": blind.b64url_encode(self.sig)}


def take_credential(jwk: dict[str, Any], sign_blinded: Callable[[str], str]) -> Credential:
    """``sign_blinded``: sends the blinded token (base64url) to the issuer as the logged-in deputy and
    returns the blind signature (base64url)."""
    public = blind.public_key_from_jwk(jwk)
    msg = blind.prepare(secrets.token_bytes(32))
    blinded, inv = blind.blind(public, msg)
    blind_sig = blind.b64url_decode(sign_blinded(blind.b64url_encode(blinded)))
    return Credential(kid=str(jwk["kid"]), msg=msg, sig=blind.finalize(public, msg, blind_sig, inv))


def ballot(
    box: str, credential: Credential | None, marks: dict[str, str], code: str = ""
) -> tuple[dict[str, Any], str]:
    """The body of an anonymous cast into ``box`` and the receipt to keep (it is not sent back)."""
    device_secret = secrets.token_bytes(32)
    spent = credential.msg if credential is not None else code.encode()
    mine = receipt(box, spent, device_secret)
    body: dict[str, Any] = {"marks": marks, "receipt": mine}
    if credential is not None:
        body["proof"] = credential.proof()
    else:
        body["code"] = code
    return body, mine
