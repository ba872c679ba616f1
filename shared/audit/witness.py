"""The checkpoints published on NATS (stream ``AUDIT``): a copy of every signed tree head kept
outside the service's data directory, so the verifier can compare the two."""

from __future__ import annotations

import json

import nats
from nats.js.errors import NotFoundError

from shared.audit.follower import AUDIT_STREAM
from shared.audit.signing import Checkpoint
from shared.bus.connection import connect_options
from shared.config import Settings


async def published_checkpoints(url: str) -> dict[str, list[Checkpoint]]:
    """Every checkpoint in the ``AUDIT`` stream, by service (empty when the stream is absent). ``url``:
    one server, or a cluster's nodes separated by commas; the login and TLS come from the environment
    (``SHISHI_NATS_NKEY_SEED_FILE``, ``SHISHI_NATS_TLS_CA_FILE`` ...: the auditor's)."""
    options = connect_options(Settings(nats_url=url), name="shishi-audit-verify")
    options["max_reconnect_attempts"] = 2
    nc = await nats.connect(**options)
    found: dict[str, list[Checkpoint]] = {}
    try:
        js = nc.jetstream()
        try:
            info = await js.stream_info(AUDIT_STREAM)
        except NotFoundError:
            return found
        if not info.state.messages:
            return found
        for seq in range(max(1, info.state.first_seq), info.state.last_seq + 1):
            try:
                msg = await js.get_msg(AUDIT_STREAM, seq)
            except NotFoundError:
                continue
            checkpoint = Checkpoint.from_dict(json.loads(msg.data or b"{}"))
            found.setdefault(checkpoint.service, []).append(checkpoint)
    finally:
        await nc.close()
    return found
