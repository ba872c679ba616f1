"""The issuer reads a vote's private key from the ballot store once, not once per credential (reading a
PEM checks the whole key, far slower than the signature), and never signs with a key the store lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.ballots import blind
from shared.ballots import issuer as issuer_module
from shared.ballots.issuer import Issuer
from shared.ballots.store import BallotStore


def signed(issuer: Issuer, jwk: dict[str, str], scope: str) -> bool:
    """A device's round trip: blind a token, have it signed, finalize, verify against the public key."""
    public_key = blind.public_key_from_jwk(jwk)
    msg = blind.prepare(b"token")
    blinded, inv = blind.blind(public_key, msg)
    sig = blind.finalize(public_key, msg, issuer.sign(scope, 1, blinded), inv)
    return blind.verify(public_key, msg, sig)


def test_a_key_is_read_from_its_pem_once_for_every_credential(tmp_path: Path, monkeypatch) -> None:
    store = BallotStore(sqlite_path=tmp_path / "ballots.sqlite")
    _kid, jwk = Issuer(store).make_key("vote-1", 1)
    reads: list[bytes] = []
    real = blind.BlindSigner.from_pem

    def counted(pem: bytes, password: bytes | None = None) -> blind.BlindSigner:
        reads.append(pem)
        return real(pem, password)

    monkeypatch.setattr(blind.BlindSigner, "from_pem", counted)
    issuer = Issuer(store)  # a restarted service: the key is in the store only
    assert all(signed(issuer, jwk, "vote-1") for _ in range(3))
    assert len(reads) == 1
    with pytest.raises(LookupError):
        issuer.sign("vote-2", 1, b"\x00")
    store.close()


def test_the_signers_kept_are_bounded(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(issuer_module, "KEPT_SIGNERS", 2)
    store = BallotStore(sqlite_path=tmp_path / "ballots.sqlite")
    issuer = Issuer(store)
    keys = [issuer.make_key(f"vote-{n}", 1)[1] for n in range(4)]
    assert len(issuer._signers) == 2
    assert signed(issuer, keys[0], "vote-0")  # dropped from memory, read again from the store
    store.close()
