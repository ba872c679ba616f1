"""Settings shared by every service: one validated class, read from the environment.

Each service subclasses :class:`ServiceSettings` only to name itself; nothing is read at
import time. ``SHISHI_`` is the prefix for every variable.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SERVICES = ("intake", "decision", "supervision", "evaluation")
DEFAULT_PORTS = {"gateway": 8000, "intake": 8001, "decision": 8002, "supervision": 8003, "evaluation": 8004}
DEV_SECRET_FILE = "jwt-secret"


class Settings(BaseSettings):
    """Configuration of one Shishi process (a service or the gateway)."""

    model_config = SettingsConfigDict(env_prefix="SHISHI_", extra="ignore")

    service: str = "intake"
    mode: Literal["local", "production"] = "local"
    data_dir: Path = Path(".shishi")
    persistence: Literal["sqlite", "postgres"] = "sqlite"
    # PostgreSQL: the eventsourcing library reads POSTGRES_* itself; these are passed through.
    postgres_host: str = "127.0.0.1"
    postgres_port: int = 5432
    postgres_user: str = "shishi"
    postgres_password: str = ""
    # default: shishi_<service>; ``{service}`` in it is replaced by the service's name, so one setting names
    # the four databases (``restored_{service}`` for a restore drill: deploy/CLUSTER.md)
    postgres_dbname: str = ""
    # One URL, or several separated by commas (the nodes of a cluster: the client moves to another
    # when one goes); ``tls://`` for TLS. How to log in: an nkey seed (``nats_nkey_seed`` or a file
    # holding it), a decentralised-JWT credentials file, or a user and password (in that order).
    nats_url: str = "nats://127.0.0.1:4222"
    nats_user: str = ""
    nats_password: str = ""
    nats_nkey_seed: str = ""  # SU... (deploy/nats/cluster/accounts.conf holds the public keys)
    nats_nkey_seed_file: Path | None = None  # a file holding the seed (a mounted Secret)
    nats_creds_file: Path | None = None  # a .creds file (user JWT and seed), for decentralised JWT auth
    nats_tls_ca_file: Path | None = None  # the CA the servers' certificates are checked against
    nats_tls_cert_file: Path | None = None  # a client certificate, where the servers ask for one
    nats_tls_key_file: Path | None = None
    # Replicas of the streams this release creates (1 on one machine, 3 on a 3-node cluster). Only
    # applied when a stream is created: replicas, limits, discard policy and sources an operator set
    # are never reverted (shared/bus/streams.py).
    nats_replicas: int = Field(default=1, ge=1, le=5)
    jwt_secret: str = ""
    jwt_jwks_url: str = ""  # RS256 via JWKS when set
    jwt_issuer: str = "shishi"
    host: str = "127.0.0.1"
    port: int = 0
    relay_poll_seconds: float = 0.05
    # Where the read-model updater and the audit-log follower run: in the service's own process
    # ("inline"), or in a companion process it starts and supervises ("process"), so they use
    # another core than the consumers (Python runs one thread at a time per process).
    # ``shishi serve`` (and so ``shishi up``) uses "process" unless SHISHI_FOLLOWERS says otherwise.
    followers: Literal["inline", "process"] = "inline"
    consumer_batch: int = Field(default=256, ge=1, le=10_000)
    max_deliver: int = Field(default=5, ge=1)
    # How long the broker waits for a replica's ack before it gives the message to another replica.
    consumer_ack_wait: float = Field(default=30.0, ge=1.0, le=3600.0)
    # The work one replica of a service does for all (outbox relay, journal, audit log, read-model
    # updater, periodic sweeps) runs under a lease (shared/runtime/lease.py): the others try to take it
    # this often, and the holder checks it still holds it this often. A dead holder's lease is free
    # at once (process gone) or within ~10 s (machine gone: TCP keepalives), so another replica takes
    # over within 15 s.
    lease_poll_seconds: float = Field(default=1.0, gt=0, le=5.0)
    log_level: str = "INFO"
    log_json: bool = True
    log_file: Path | None = None  # default: standard error
    # Audit log (shared/audit): sign a checkpoint every N new events, or every T seconds if any.
    audit_checkpoint_events: int = Field(default=1000, ge=1)
    audit_checkpoint_seconds: float = Field(default=60.0, gt=0)
    # The service's Ed25519 signing key (PEM), e.g. mounted from a Kubernetes Secret. Unset: the key
    # lives in the service's PostgreSQL database (created once, the same for every replica), or on
    # SQLite in ``<data dir>/audit/`` (shared/audit/storage.py).
    audit_key_file: Path | None = None
    # Limits at the door (shared/web/limits.py): request bodies (0 = none), and anonymous requests per
    # client address and process ("limits" notation, "" = none). The proxies whose X-Forwarded-For is believed.
    max_body_bytes: int = Field(default=1024 * 1024, ge=0)
    rate_limit_submit: str = "30/minute"  # demand submissions (form, JSON API), Open311 posts
    rate_limit_lookup: str = "120/minute"  # tracking-code look-ups
    rate_limit_rating: str = "30/minute"  # residents' ratings
    trusted_proxies: str = "127.0.0.1,::1"
    # Idempotency-Key: how long a stored answer is replayed (hours)
    idempotency_hours: float = Field(default=24.0, gt=0)
    # Supervision: run the early-warning sweep of every county this often (0 = only on request).
    supervision_sweep_seconds: float = Field(default=300.0, ge=0)
    # The address residents' phones reach (https://shishi.example.gov.cn), printed in QR codes and
    # posters; empty: the origin the gateway was asked on (shared.web.posters.public_origin).
    public_origin: str = Field(default="", pattern=r"^(https?://[^/\s]+)?$")
    # How far back an official may declare the business time of an entry made after the fact
    # (header Shishi-Business-Time, shared/web/business_time.py); 0 = never.
    business_time_max_days: int = Field(default=730, ge=0, le=36500)

    @model_validator(mode="after")
    def _check(self) -> Settings:
        if self.mode == "production" and not (self.jwt_secret or self.jwt_jwks_url):
            raise ValueError("SHISHI_JWT_SECRET or SHISHI_JWT_JWKS_URL must be set in production mode")
        if self.mode == "production" and self.jwt_secret and len(self.jwt_secret) < 32:
            raise ValueError("SHISHI_JWT_SECRET must be at least 32 characters in production mode")
        if not self.port:
            self.port = DEFAULT_PORTS.get(self.service, 8000)
        return self

    @property
    def service_dir(self) -> Path:
        return self.data_dir / self.service

    def nats_servers(self) -> list[str]:
        """``nats_url`` as the list of server URLs it names."""
        return [url.strip() for url in self.nats_url.split(",") if url.strip()]

    def nats_seed(self) -> str:
        """The nkey seed to log in with (from ``nats_nkey_seed`` or its file); empty when none."""
        if self.nats_nkey_seed:
            return self.nats_nkey_seed.strip()
        if self.nats_nkey_seed_file is not None:
            return self.nats_nkey_seed_file.read_text().strip()
        return ""

    def resolved_jwt_secret(self) -> str:
        """The HS256 secret to sign tokens with: configured, or (local mode only) one kept in the data
        directory. Production with only a JWKS URL has none (``shishi token`` needs one)."""
        if self.jwt_secret:
            return self.jwt_secret
        if self.mode != "local":
            raise RuntimeError("no JWT secret configured: set SHISHI_JWT_SECRET to issue HS256 tokens")
        return local_secret(self.data_dir)

    def verifying_secret(self) -> str:
        """The HS256 secret tokens are checked with; empty when production trusts only the JWKS URL."""
        if self.mode != "local" and not self.jwt_secret:
            return ""  # RS256 through SHISHI_JWT_JWKS_URL only (the settings refuse production with neither)
        return self.resolved_jwt_secret()

    def secret_material(self) -> bytes:
        """Key material of the service's own secrets (ballot tokens): the JWT secret when there is one,
        else a secret kept in the data directory (created once), so JWKS-only production has one too."""
        return (self.jwt_secret or local_secret(self.data_dir)).encode()

    def eventsourcing_env(self) -> dict[str, str]:
        """The environment the eventsourcing library reads for this service's event store."""
        if self.persistence == "postgres":
            return {
                "PERSISTENCE_MODULE": "shared.persistence.postgres:ShishiPostgresFactory",
                "POSTGRES_HOST": self.postgres_host,
                "POSTGRES_PORT": str(self.postgres_port),
                "POSTGRES_USER": self.postgres_user,
                "POSTGRES_PASSWORD": self.postgres_password,
                "POSTGRES_DBNAME": (self.postgres_dbname or "shishi_{service}").replace("{service}", self.service),
                "POSTGRES_SCHEMA": "public",
                "SINGLE_ROW_TRACKING": "n",
            }
        self.service_dir.mkdir(parents=True, exist_ok=True)
        return {
            "PERSISTENCE_MODULE": "shared.persistence.sqlite:ShishiSQLiteFactory",
            "SQLITE_DBNAME": str(self.service_dir / "events.sqlite"),
            "SQLITE_LOCK_TIMEOUT": "30",
            "SINGLE_ROW_TRACKING": "n",
        }


def upstream_url(service: str) -> str:
    """Where another service answers, for server-side reads of its public API: from ``SHISHI_UPSTREAMS``
    (set by ``shishi up``; JSON ``{"intake": "http://127.0.0.1:8001", ...}``, or a list of a service's
    replicas' URLs under ``shishi up --replicas N``: then the first), else its default local port."""
    upstreams = json.loads(os.environ.get("SHISHI_UPSTREAMS") or "{}")
    found = upstreams.get(service) or f"http://127.0.0.1:{DEFAULT_PORTS[service]}"
    return str(found[0] if isinstance(found, list) else found).rstrip("/")


def local_secret(data_dir: Path) -> str:
    """Read (or create once) the development signing secret under the data directory."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / DEV_SECRET_FILE
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        value = secrets.token_urlsafe(48)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(value)
        tmp.chmod(0o600)
        with contextlib.suppress(OSError):
            tmp.rename(path)  # first writer wins; others re-read
        return path.read_text().strip()
