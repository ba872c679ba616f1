"""The deputies' devices in the demo: each takes a blind-signed credential through its own login and casts
anonymously (``shared.ballots.device``, what the ballot page's script does in a browser).

The vote's ballot key and its open round's box are the same for every device (``…/ballot-key`` is public
and names no one), so the demo asks for them once per vote and round (``ballot_key``), not once per
device: the services rebuild the vote for each such question."""

from __future__ import annotations

from typing import Any

from services.tools.demo.context import DemoClient
from shared.ballots.device import Credential, ballot, take_credential


def ballot_key(c: DemoClient, vote: str) -> dict[str, Any]:
    """The vote's public key (``jwk``, ``kid``) and its open round's ``box_id``."""
    found: dict[str, Any] = c.call("GET", f"{vote}/ballot-key")
    return found


def take(c: DemoClient, vote: str, token: str, key: dict[str, Any] | None = None) -> Credential:
    """``vote``: the API path of the session or round; ``token``: the deputy's own login; ``key``: the
    vote's ballot key, if already asked for."""
    key = key or ballot_key(c, vote)

    def sign(blinded: str) -> str:
        signed = c.call("POST", f"{vote}/credential", token=token, json={"blinded": blinded, "kid": key["kid"]})
        return str(signed["blind_sig"])

    return take_credential(key["jwk"], sign)


def cast(c: DemoClient, vote: str, held: Credential | str, marks: dict[str, Any], box: str | None = None) -> str:
    """Cast with a credential or a printed code (a str), with no login, into ``box`` (the open round's,
    asked for when not given); the device's receipt."""
    box = box or ballot_key(c, vote)["box_id"]
    body, kept = ballot(box, None, marks, code=held) if isinstance(held, str) else ballot(box, held, marks)
    c.anonymous("POST", f"{vote}/ballots", json=body)
    return kept
