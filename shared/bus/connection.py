"""Connecting to NATS with the settings of a process: one server or the nodes of a cluster, TLS with
the deploy's CA, and the login the deploy gives it (an nkey seed, a credentials file, or a user and
password)."""

from __future__ import annotations

import ssl
from typing import Any

import nats
from nats.aio.client import Client

from shared.config import Settings


def tls_context(settings: Settings) -> ssl.SSLContext | None:
    """A client TLS context trusting ``nats_tls_ca_file`` (with a client certificate when configured);
    None when no CA is configured (a ``tls://`` URL then trusts the system's CAs)."""
    if settings.nats_tls_ca_file is None:
        return None
    context = ssl.create_default_context(cafile=str(settings.nats_tls_ca_file))
    if settings.nats_tls_cert_file is not None:
        key = str(settings.nats_tls_key_file) if settings.nats_tls_key_file is not None else None
        context.load_cert_chain(str(settings.nats_tls_cert_file), key)
    return context


def connect_options(settings: Settings, *, name: str | None = None) -> dict[str, Any]:
    """What ``nats.connect`` is given: servers, TLS and the login."""
    options: dict[str, Any] = {
        "servers": settings.nats_servers(),
        "name": name or f"shishi-{settings.service}",
        "max_reconnect_attempts": -1,
        "reconnect_time_wait": 0.5,
        "connect_timeout": 5,
    }
    tls = tls_context(settings)
    if tls is not None:
        options["tls"] = tls
    seed = settings.nats_seed()
    if settings.nats_creds_file is not None:
        options["user_credentials"] = str(settings.nats_creds_file)
    elif seed:
        options["nkeys_seed_str"] = seed
    elif settings.nats_user:
        options["user"] = settings.nats_user
        options["password"] = settings.nats_password
    return options


async def connect(settings: Settings, *, name: str | None = None) -> Client:
    return await nats.connect(**connect_options(settings, name=name))
