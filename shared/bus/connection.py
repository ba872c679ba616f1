"""Connecting to NATS with the settings of a process."""

from __future__ import annotations

from typing import Any

import nats
from nats.aio.client import Client

from shared.config import Settings


async def connect(settings: Settings, *, name: str | None = None) -> Client:
    options: dict[str, Any] = {
        "servers": [settings.nats_url],
        "name": name or f"shishi-{settings.service}",
        "max_reconnect_attempts": -1,
        "reconnect_time_wait": 0.5,
        "connect_timeout": 5,
    }
    if settings.nats_user:
        options["user"] = settings.nats_user
        options["password"] = settings.nats_password
    return await nats.connect(**options)
