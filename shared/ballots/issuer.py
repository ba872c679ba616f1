"""The issuer of a service's ballot credentials: one RSA key per vote (scope) and generation, its private
half in the :class:`~shared.ballots.store.BallotStore`, its public half published in the vote's events.

Reading a private key from its PEM checks the key whole (``cryptography`` tests its primes), which takes
far longer than the blind signature itself: a session signs one credential per deputy with the same
key, so the issuer keeps the signers it has read, by their PEM (a key read again from the store is the
same key; a key the store no longer has is never signed with, since the PEM is read first)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from shared.ballots import blind
from shared.ballots.store import BallotStore

KEPT_SIGNERS = 32  # votes signing at once in one service; the least recently used beyond that are dropped


class Issuer:
    def __init__(self, store: BallotStore) -> None:
        self.store = store
        self._signers: OrderedDict[bytes, blind.BlindSigner] = OrderedDict()
        self._lock = threading.Lock()

    def make_key(self, scope: str, generation: int) -> tuple[str, dict[str, Any]]:
        """A new key for ``scope`` (a vote) and ``generation``: its key id and public JWK."""
        signer = blind.BlindSigner.generate()
        pem = signer.private_key_pem()
        self.store.save_key(scope, generation, pem)
        self._keep(pem, signer)
        return signer.key_id, signer.public_jwk()

    def sign(self, scope: str, generation: int, blinded: bytes) -> bytes:
        pem = self.store.key(scope, generation)
        if pem is None:
            raise LookupError(f"no ballot key for {scope} generation {generation}")
        return self._signer(pem).blind_sign(blinded)

    def _signer(self, pem: bytes) -> blind.BlindSigner:
        with self._lock:
            signer = self._signers.get(pem)
            if signer is not None:
                self._signers.move_to_end(pem)
                return signer
        signer = blind.BlindSigner.from_pem(pem)  # outside the lock: two first signatures may both read it
        self._keep(pem, signer)
        return signer

    def _keep(self, pem: bytes, signer: blind.BlindSigner) -> None:
        with self._lock:
            self._signers[pem] = signer
            self._signers.move_to_end(pem)
            while len(self._signers) > KEPT_SIGNERS:
                self._signers.popitem(last=False)


def verifier(jwk: dict[str, Any]) -> blind.BlindVerifier:
    return blind.BlindVerifier(blind.public_key_from_jwk(jwk))
