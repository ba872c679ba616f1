"""What a service that runs secret ballots adds to its application (decision's sessions, evaluation's rating
rounds): the ballot store and issuer, signing a checked-in deputy's blinded token, taking an anonymous
ballot into the urn, and closing a box from the urn. The rules stay in the vote's aggregate and in
``Issuance``; this is the part that touches the keys and the urn."""

from __future__ import annotations

import secrets
from collections.abc import Collection
from typing import Any, Protocol
from uuid import UUID

from shared.ballots.blind import b64url_decode, b64url_encode
from shared.ballots.box import ELECTRONIC, BallotBox
from shared.ballots.credentials import InvalidCredential, Proof, check_receipt, code_digest, normalise_code, nullifier
from shared.ballots.issuance import Issuance
from shared.ballots.issuer import Issuer, verifier
from shared.ballots.store import AlreadySpent, BallotStore, ballot_store_for
from shared.kernel.meta import Meta, RuleViolation
from shared.persistence.application import ServiceApplication


class Vote(Protocol):
    """A session or a rating round: who attended, and the issuance of its credentials."""

    @property
    def id(self) -> UUID: ...

    @property
    def present(self) -> Collection[str]: ...

    issuance: Issuance

    def make_key(self, meta: Meta, kid: str, jwk: dict[str, Any]) -> None: ...

    def issue_credential(self, meta: Meta, deputy_id: str) -> None: ...


class BallotingApplication(ServiceApplication):
    def __init__(self, env: dict[str, str] | None = None, *, ballots: BallotStore | None = None) -> None:
        """``ballots``: the ballot keys and the urn of open boxes (beside the event store by default)."""
        super().__init__(env)
        self.ballots = ballots if ballots is not None else ballot_store_for(dict(self.env))
        self.issuer = Issuer(self.ballots)

    def close(self) -> None:
        super().close()
        self.ballots.close()

    def audit_summary(self, aggregate: object) -> dict[str, Any] | None:
        """What the audit history shows of an open electronic box: how many ballots are in it, not one row
        per ballot (they become events only when the box closes, shuffled)."""
        if isinstance(aggregate, BallotBox) and aggregate.mode == ELECTRONIC and aggregate.status == "open":
            return {"ballots_in_box": self.ballots.count(str(aggregate.id))}
        return None

    # credentials ---------------------------------------------------------------------------
    def new_key(self, meta: Meta, vote: Vote) -> None:
        """The vote's first (or next) ballot key: the private half in the ballot store, the public in an event."""
        kid, jwk = self.issuer.make_key(str(vote.id), vote.issuance.generation + 1)
        vote.make_key(meta, kid, jwk)

    def sign_credential(self, meta: Meta, vote: Vote, blinded: str, kid: str) -> dict[str, Any]:
        """Sign the blinded token of the logged-in deputy (``meta.actor_id``), blinded by their device for the
        key ``kid``, and record that they received a ballot. The caller saves ``vote``."""
        deputy = meta.actor_id
        if not vote.issuance.kid:  # a vote begun before credentials existed
            self.new_key(meta, vote)
        if kid != vote.issuance.kid:
            raise RuleViolation(
                "选票密钥已更换，请刷新页面后重新领取 / the ballot key changed: fetch it again", reason="stale_key"
            )
        vote.issuance.check_can_issue(deputy, set(vote.present), reissue=False)
        try:
            blind_sig = self.issuer.sign(str(vote.id), vote.issuance.generation, b64url_decode(blinded))
        except ValueError as exc:
            raise RuleViolation(
                "不是有效的盲化选票 / not a blinded token of this key", reason="invalid_blinded"
            ) from exc
        vote.issue_credential(meta, deputy)
        return {
            "blind_sig": b64url_encode(blind_sig),
            "kid": vote.issuance.kid,
            "generation": vote.issuance.generation,
        }

    def revoke_unused(self, meta: Meta, vote: Vote, box_open: bool) -> dict[str, Any]:
        """The logged-in deputy takes their ballot again on another device: the vote moves to a new key, which
        voids every unused credential (theirs among them, without saying which), and every checked-in
        deputy's device takes a new one. Refused while a box is open. The caller saves ``vote``; the answer is
        the new public key."""
        if meta.actor_id not in vote.present:
            raise RuleViolation("签到后才能领取选票 / check in first", reason="not_checked_in")
        if meta.actor_id in vote.issuance.issued:
            vote.issuance.check_can_reissue(box_open=box_open)
            self.new_key(meta, vote)
        return vote.issuance.as_dict()

    # ballots -------------------------------------------------------------------------------
    def drop_ballot(
        self, vote: Vote, box: BallotBox, marks: dict[str, str], receipt: str, proof: Proof | None, code: str
    ) -> str:
        """An anonymous ballot into the open ``box``: shown with a credential's proof (or a printed code),
        spent once per box, kept in the urn with the voter's receipt until close. No event is recorded and
        nobody is named. Returns the receipt as given."""
        box.check_ballot(marks)
        spent = self._spend(vote.issuance, proof, code)
        mine = check_receipt(receipt)
        try:
            self.ballots.cast(str(box.id), nullifier(str(box.id), spent), mine, marks)
        except AlreadySpent as exc:
            raise RuleViolation("这张选票已经投过 / this ballot was cast already", reason="already_cast") from exc
        return mine

    @staticmethod
    def _spend(issuance: Issuance, proof: Proof | None, code: str) -> bytes:
        """What a cast spends: the token (a valid proof under the current key) or the code's digest."""
        try:
            if proof is not None:
                if not issuance.kid:
                    raise InvalidCredential("本次表决尚无选票密钥 / this vote has no ballot key")
                return proof.check(verifier(issuance.jwk))
            if not issuance.codes:
                raise InvalidCredential("这次表决没有投票码 / this vote has no printed codes")
            digest = code_digest(bytes.fromhex(issuance.code_salt), normalise_code(code))
            if digest not in issuance.codes:
                raise InvalidCredential("这不是本次表决的投票码 / not a code of this vote")
            return digest.encode()
        except InvalidCredential as exc:
            raise RuleViolation(str(exc), reason="invalid_credential") from exc

    def close_box(self, meta: Meta, vote: Vote, box: BallotBox) -> None:
        """Publish every ballot of the urn in the box's ``Closed`` event, shuffled, reconciled against the
        ballots issued: the credentials signed and code slips handed out (electronic), or a paper ballot to
        each deputy present when the vote opened (paper: nothing is recorded per ballot handed out). The
        caller saves ``box`` and then calls :meth:`empty_urn`."""
        issued = vote.issuance.count if box.mode == ELECTRONIC else box.issued
        box.close(meta, self.ballots.ballots(str(box.id)), issued, secrets.SystemRandom().shuffle)

    def empty_urn(self, box: BallotBox) -> None:
        self.ballots.empty(str(box.id))
