"""Where a service's audit log and signing key live, so they survive a pod.

* **SQLite** (one machine): the log in the sidecar ``<data dir>/<service>/audit.sqlite``, the key pair
  in ``<data dir>/audit/<service>-ed25519.key`` and ``.pub`` (``shared.audit.signing``).
* **PostgreSQL**: the log in the service's database (``audit_*`` tables, ``shared.audit.log``), shared
  by every replica; the key either from ``SHISHI_AUDIT_KEY_FILE`` (a PEM file, e.g. a Kubernetes
  Secret mounted read-only) with its public half recorded in the database, or created once in the
  database itself (table ``audit_keys``: the first replica creates it, every other one reads the same).
  Either way a backup of the database carries what ``shishi audit verify`` needs: the log, the
  checkpoints and the public key (and, without a key file, the private key: keep such backups as
  secret as the key).

A deployment moving from one machine to PostgreSQL keeps its key: a key found in the data directory
is taken into the database the first time, and the sidecar's checkpoints with it.
"""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shared.audit.log import MerkleLog, postgres_connection, sidecar_path
from shared.audit.signing import (
    Signer,
    key_id,
    key_paths,
    load_or_create_signer,
    public_key_from_text,
    public_key_text,
    read_public_key,
)
from shared.config import Settings
from shared.persistence.schema import create_schema

KEYS_SCHEMA = [
    "CREATE TABLE IF NOT EXISTS audit_keys (service TEXT PRIMARY KEY, public_key TEXT NOT NULL, private_pem BYTEA)"
]


class KeyMismatch(RuntimeError):
    """The configured signing key is not the one the service's checkpoints were signed with."""


def open_log(settings: Settings) -> MerkleLog:
    """The service's Merkle log, created if absent."""
    if settings.persistence != "postgres":
        return MerkleLog(sidecar_path(settings.service_dir), settings.service)
    log = MerkleLog.on_postgres(settings.eventsourcing_env(), settings.service)
    sidecar = sidecar_path(settings.service_dir)
    if sidecar.exists() and not log.checkpoints():  # moving from one machine: its checkpoints come along
        old = MerkleLog(sidecar, settings.service)
        try:
            for checkpoint in old.checkpoints():
                log.keep(checkpoint)
        finally:
            old.close()
    return log


def existing_log(settings: Settings) -> MerkleLog | None:
    """The service's Merkle log if one was ever kept (the verifier creates nothing)."""
    if settings.persistence != "postgres":
        path = sidecar_path(settings.service_dir)
        return MerkleLog(path, settings.service) if path.exists() else None
    with postgres_connection(settings.eventsourcing_env()) as conn:
        found = conn.execute("SELECT to_regclass('audit_leaves') IS NOT NULL").fetchone()[0]
    return MerkleLog.on_postgres(settings.eventsourcing_env(), settings.service) if found else None


def _load_pem(pem: bytes) -> Signer:
    private = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(private, Ed25519PrivateKey):
        raise ValueError("the audit signing key must be an Ed25519 private key (PEM, PKCS#8)")
    return Signer(private)


def _pem(private: Ed25519PrivateKey) -> bytes:
    return private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def signer_for(settings: Settings) -> Signer:
    """The service's signing key, the same for every replica and every restart (module docstring)."""
    configured = _load_pem(settings.audit_key_file.read_bytes()) if settings.audit_key_file is not None else None
    if settings.persistence != "postgres":
        if configured is None:
            return load_or_create_signer(settings.data_dir, settings.service)
        _, public_path = key_paths(settings.data_dir, settings.service)
        public_path.parent.mkdir(parents=True, exist_ok=True)
        public_path.write_text(public_key_text(configured.public) + "\n")  # what the verifier reads
        return configured
    with postgres_connection(settings.eventsourcing_env()) as conn:
        create_schema(conn, KEYS_SCHEMA)
        row = _key_row(conn, settings.service)
        if row is None:
            local = _local_key(settings)
            candidate = configured or local or Signer(Ed25519PrivateKey.generate())
            pem = None if configured is not None else _pem(candidate.private)
            conn.execute(
                "INSERT INTO audit_keys (service, public_key, private_pem) VALUES (%s, %s, %s) "
                "ON CONFLICT (service) DO NOTHING",
                (settings.service, public_key_text(candidate.public), pem),
            )
            row = _key_row(conn, settings.service)  # another replica may have been first: its key wins
            assert row is not None
    public_text, private_pem = row
    if configured is not None:
        if public_key_text(configured.public) != public_text:
            raise KeyMismatch(
                f"the audit signing key in {settings.audit_key_file} (key id {configured.key_id}) is not the key "
                f"{settings.service}'s checkpoints are signed with (key id {key_id(public_key_from_text(public_text))})"
            )
        return configured
    if private_pem is None:
        raise KeyMismatch(
            f"{settings.service}'s checkpoints are signed with a key kept outside the database: set "
            "SHISHI_AUDIT_KEY_FILE to it"
        )
    return _load_pem(bytes(private_pem))


def _key_row(conn: Any, service: str) -> tuple[str, bytes | None] | None:
    row = conn.execute("SELECT public_key, private_pem FROM audit_keys WHERE service = %s", (service,)).fetchone()
    return (str(row[0]), row[1]) if row else None


def _local_key(settings: Settings) -> Signer | None:
    """A key an earlier single-machine deployment kept in the data directory."""
    private_path, _ = key_paths(settings.data_dir, settings.service)
    return _load_pem(private_path.read_bytes()) if private_path.exists() else None


def public_key_for(settings: Settings) -> Ed25519PublicKey | None:
    """The service's public key as the verifier finds it (None: no key was ever made)."""
    if settings.persistence != "postgres":
        return read_public_key(settings.data_dir, settings.service)
    with postgres_connection(settings.eventsourcing_env()) as conn:
        if not conn.execute("SELECT to_regclass('audit_keys') IS NOT NULL").fetchone()[0]:
            return None
        row = _key_row(conn, settings.service)
    return public_key_from_text(row[0]) if row else None
