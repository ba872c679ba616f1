"""The issuer of a service's ballot credentials: one RSA key per vote (scope) and generation, its private
half in the :class:`~shared.ballots.store.BallotStore`, its public half published in the vote's events."""

from __future__ import annotations

from typing import Any

from shared.ballots import blind
from shared.ballots.store import BallotStore


class Issuer:
    def __init__(self, store: BallotStore) -> None:
        self.store = store

    def make_key(self, scope: str, generation: int) -> tuple[str, dict[str, Any]]:
        """A new key for ``scope`` (a vote) and ``generation``: its key id and public JWK."""
        signer = blind.BlindSigner.generate()
        self.store.save_key(scope, generation, signer.private_key_pem())
        return signer.key_id, signer.public_jwk()

    def sign(self, scope: str, generation: int, blinded: bytes) -> bytes:
        pem = self.store.key(scope, generation)
        if pem is None:
            raise LookupError(f"no ballot key for {scope} generation {generation}")
        return blind.BlindSigner.from_pem(pem).blind_sign(blinded)


def verifier(jwk: dict[str, Any]) -> blind.BlindVerifier:
    return blind.BlindVerifier(blind.public_key_from_jwk(jwk))
