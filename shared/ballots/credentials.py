"""What lets a deputy cast exactly one ballot per box without anybody learning which ballot is theirs.

Two kinds of credential, both checked here (pure, no I/O):

* **A blind-signed token** (RFC 9474, ``blind.py``): the deputy's own device makes a random token,
  blinds it, and the service signs the blinded value for a checked-in deputy, once per key
  generation; the device unblinds it. The service never sees the token before it is spent, so it
  cannot tell whose it is. The proof of a cast is the token's prepared message and its signature.
* **A printed code** (投票码) from a pool made before the session: slips are shuffled and handed out
  in the room; the service keeps only each code's scrypt digest, so it knows which codes are valid,
  not who holds which. Ten characters from an alphabet with no 0/O, 1/I/L.

A credential is spent once per box: its **nullifier** (a hash of the box and the credential) is what
the box records. A **receipt** is computed by the voter's device from the box, the credential and a
secret the device chose: the service stores it with the marks and publishes it at close, but cannot
compute it, so only the voter can find their ballot in the published list.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from shared.ballots import blind

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: 31 letters
CODE_LENGTH = 10  # 31^10 ≈ 8.2e14 codes
RECEIPT_PATTERN = re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$")
SCRYPT = {"n": 2**11, "r": 8, "p": 1, "dklen": 32}  # a digest costs ~5 ms: a stolen pool cannot be searched


class InvalidCredential(ValueError):
    """Not a credential of this vote (a bad signature, an unknown code, a malformed proof)."""


# -- printed codes --------------------------------------------------------------------------------
def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """A code as typed: case, spaces and dashes do not matter; any other letter is refused."""
    code = re.sub(r"[\s-]", "", text).upper()
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        raise InvalidCredential(
            "投票码为 10 位字母和数字（不含 0、O、1、I、L）"
            " / a ballot code is 10 letters and digits (no 0, O, 1, I or L)"
        )
    return code


def spaced(code: str) -> str:
    """``ABCDE23456`` -> ``ABCDE-23456`` for printing."""
    return f"{code[:5]}-{code[5:]}"


def code_digest(salt: bytes, code: str) -> str:
    return hashlib.scrypt(code.encode(), salt=salt, **SCRYPT).hex()


# -- blind-signed tokens --------------------------------------------------------------------------
@dataclass(frozen=True)
class Proof:
    """What a cast shows: the token's prepared message and its finalized signature (both base64url)."""

    msg: str
    sig: str

    def check(self, verifier: blind.BlindVerifier) -> bytes:
        """The message, if ``sig`` is the issuer's signature on it."""
        try:
            msg, sig = blind.b64url_decode(self.msg), blind.b64url_decode(self.sig)
        except ValueError as exc:
            raise InvalidCredential("选票凭证格式不正确 / the ballot proof is not base64url") from exc
        if len(msg) != blind.PREFIX_LEN + 32 or not verifier.verify(msg, sig):
            raise InvalidCredential("选票凭证不是本次表决签发的 / the ballot proof is not signed by this vote's key")
        return msg


# -- spending and receipts ------------------------------------------------------------------------
def nullifier(box: str, credential: bytes) -> str:
    """What the box records for a spent credential: one per credential and box, unlinkable to issuance."""
    return hmac.new(b"shishi-nullifier", box.encode() + b"\0" + credential, hashlib.sha256).hexdigest()


def receipt(box: str, credential: bytes, device_secret: bytes) -> str:
    """The voter's receipt (as their device computes it: ``static/ballots/ballot.js`` does the same)."""
    digest = hashlib.sha256(b"shishi-receipt\0" + box.encode() + b"\0" + credential + b"\0" + device_secret).digest()
    text = base64.b32encode(digest).decode()[:12]
    return f"{text[:4]}-{text[4:8]}-{text[8:]}"


def check_receipt(value: str) -> str:
    value = value.strip().upper()
    if not RECEIPT_PATTERN.match(value):
        raise InvalidCredential(
            "回执码为三组四位字母和数字（XXXX-XXXX-XXXX）"
            " / a receipt is three groups of four letters and digits (XXXX-XXXX-XXXX)"
        )
    return value
