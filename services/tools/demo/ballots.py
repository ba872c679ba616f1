"""The deputies' devices in the demo: each takes a blind-signed credential through its own login and casts
anonymously (``shared.ballots.device``, what the ballot page's script does in a browser)."""

from __future__ import annotations

from typing import Any

from services.tools.demo.context import DemoClient
from shared.ballots.device import Credential, ballot, take_credential


def take(c: DemoClient, vote: str, token: str) -> Credential:
    """``vote``: the API path of the session or round; ``token``: the deputy's own login."""
    key = c.call("GET", f"{vote}/ballot-key")

    def sign(blinded: str) -> str:
        signed = c.call("POST", f"{vote}/credential", token=token, json={"blinded": blinded, "kid": key["kid"]})
        return str(signed["blind_sig"])

    return take_credential(key["jwk"], sign)


def cast(c: DemoClient, vote: str, held: Credential | str, marks: dict[str, Any]) -> str:
    """Cast with a credential or a printed code (a str), with no login; the device's receipt."""
    box = c.call("GET", f"{vote}/ballot-key")["box_id"]
    body, kept = ballot(box, None, marks, code=held) if isinstance(held, str) else ballot(box, held, marks)
    c.anonymous("POST", f"{vote}/ballots", json=body)
    return kept
