"""Signed checkpoints (signed tree heads): Ed25519 over ``service, size, root, time``.

Each service has its own key pair, generated once under ``<data dir>/audit/`` (the private key
readable by the owner only); the public key is exported beside it, served by the API and put
into every export bundle, so an auditor can pin it.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
from dataclasses import asdict, dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

HEADER = "shishi-audit-checkpoint/v1"


@dataclass(frozen=True)
class Checkpoint:
    service: str
    size: int
    root: str  # hex
    time: str  # ISO 8601, UTC
    key_id: str
    signature: str  # base64

    def body(self) -> bytes:
        return checkpoint_body(self.service, self.size, self.root, self.time)

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Checkpoint:
        return cls(**{k: data[k] for k in ("service", "size", "root", "time", "key_id", "signature")})


def checkpoint_body(service: str, size: int, root_hex: str, time: str) -> bytes:
    return f"{HEADER}\nservice {service}\nsize {size}\nroot {root_hex}\ntime {time}\n".encode()


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_key_text(public: Ed25519PublicKey) -> str:
    """The public key as base64 of its 32 raw bytes (what bundles and the API carry)."""
    return base64.b64encode(public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)).decode()


def public_key_from_text(text: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(text.strip()))


class Signer:
    def __init__(self, private: Ed25519PrivateKey) -> None:
        self.private = private
        self.public = private.public_key()
        self.key_id = key_id(self.public)

    def sign(self, service: str, size: int, root_hex: str, time: str) -> Checkpoint:
        signature = self.private.sign(checkpoint_body(service, size, root_hex, time))
        return Checkpoint(service, size, root_hex, time, self.key_id, base64.b64encode(signature).decode())


def key_paths(data_dir: Path, service: str) -> tuple[Path, Path]:
    base = data_dir / "audit"
    return base / f"{service}-ed25519.key", base / f"{service}-ed25519.pub"


def load_or_create_signer(data_dir: Path, service: str) -> Signer:
    """The service's signing key: created on first use, then always the same."""
    private_path, public_path = key_paths(data_dir, service)
    if private_path.exists():
        private = serialization.load_pem_private_key(private_path.read_bytes(), password=None)
        assert isinstance(private, Ed25519PrivateKey)
        return Signer(private)
    private_path.parent.mkdir(parents=True, exist_ok=True)
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    tmp = private_path.with_suffix(".tmp")
    tmp.write_bytes(pem)
    tmp.chmod(0o600)
    with contextlib.suppress(OSError):
        tmp.rename(private_path) if not private_path.exists() else tmp.unlink()
    signer = load_or_create_signer(data_dir, service)
    public_path.write_text(public_key_text(signer.public) + "\n")
    return signer


def read_public_key(data_dir: Path, service: str) -> Ed25519PublicKey | None:
    _, public_path = key_paths(data_dir, service)
    return public_key_from_text(public_path.read_text()) if public_path.exists() else None


def verify_signature(checkpoint: Checkpoint, public: Ed25519PublicKey) -> bool:
    if checkpoint.key_id != key_id(public):
        return False
    try:
        public.verify(base64.b64decode(checkpoint.signature), checkpoint.body())
    except (InvalidSignature, ValueError):
        return False
    return True
