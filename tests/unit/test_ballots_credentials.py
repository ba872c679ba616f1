"""Ballot credentials (pure): blind-signed tokens, printed codes, nullifiers, receipts only the device can
compute, and who may take a credential (``Issuance``)."""

from __future__ import annotations

import pytest

from shared.ballots import blind
from shared.ballots.credentials import (
    CODE_ALPHABET,
    InvalidCredential,
    Proof,
    check_receipt,
    code_digest,
    new_code,
    normalise_code,
    nullifier,
    receipt,
    spaced,
)
from shared.ballots.device import Credential, ballot, take_credential
from shared.ballots.issuance import Issuance
from shared.kernel.meta import RuleViolation


@pytest.fixture(scope="module")
def signer() -> blind.BlindSigner:
    return blind.BlindSigner.generate()


def credential_from(signer: blind.BlindSigner) -> Credential:
    return take_credential(
        signer.public_jwk(), lambda b: blind.b64url_encode(signer.blind_sign(blind.b64url_decode(b)))
    )


def test_a_blind_signed_token_proves_itself_without_the_signer_seeing_it(signer: blind.BlindSigner) -> None:
    seen: list[str] = []

    def sign(blinded: str) -> str:
        seen.append(blinded)
        return blind.b64url_encode(signer.blind_sign(blind.b64url_decode(blinded)))

    held = take_credential(signer.public_jwk(), sign)
    verifier = blind.BlindVerifier(blind.public_key_from_jwk(signer.public_jwk()))
    proof = Proof(**held.proof())
    assert proof.check(verifier) == held.msg
    # what the issuer saw is not the token, nor its signature
    assert blind.b64url_encode(held.msg) not in seen and blind.b64url_encode(held.sig) not in seen


def test_a_proof_under_another_key_or_tampered_is_refused(signer: blind.BlindSigner) -> None:
    held = credential_from(signer)
    other = blind.BlindSigner.generate()
    with pytest.raises(InvalidCredential):
        Proof(**held.proof()).check(blind.BlindVerifier(blind.public_key_from_jwk(other.public_jwk())))
    verifier = blind.BlindVerifier(blind.public_key_from_jwk(signer.public_jwk()))
    forged = bytearray(held.msg)
    forged[-1] ^= 1
    with pytest.raises(InvalidCredential):
        Proof(msg=blind.b64url_encode(bytes(forged)), sig=held.proof()["sig"]).check(verifier)
    with pytest.raises(InvalidCredential):
        Proof(msg="!!", sig="??").check(verifier)


def test_codes_avoid_letters_that_look_alike_and_are_read_forgivingly() -> None:
    code = new_code()
    assert len(code) == 10 and set(code) <= set(CODE_ALPHABET)
    assert not set("01OIL") & set(CODE_ALPHABET)
    assert normalise_code(spaced(code).lower()) == code
    assert normalise_code(" " + code[:5] + " " + code[5:]) == code
    with pytest.raises(InvalidCredential):
        normalise_code("ABCDE0FGHJ")
    with pytest.raises(InvalidCredential):
        normalise_code("ABC")
    salt = b"s" * 16
    assert code_digest(salt, code) == code_digest(salt, code) != code_digest(b"t" * 16, code)


def test_the_nullifier_is_one_per_credential_and_box() -> None:
    assert nullifier("box-1", b"token") == nullifier("box-1", b"token")
    assert nullifier("box-1", b"token") != nullifier("box-2", b"token")
    assert nullifier("box-1", b"token") != nullifier("box-1", b"other")


def test_the_receipt_needs_the_device_secret_which_never_leaves_the_device(signer: blind.BlindSigner) -> None:
    held = credential_from(signer)
    body, mine = ballot("box-1", held, {"p": "yes"})
    assert body["receipt"] == mine and check_receipt(mine.lower()) == mine
    # the server knows the box and sees the token at the cast, but not the device's secret
    assert all(receipt("box-1", held.msg, guess) != mine for guess in (b"", b"\0" * 32, held.sig, held.msg))
    _, mine_again = ballot("box-1", held, {"p": "yes"})
    assert mine_again != mine  # a new secret per ballot
    assert set(body) == {"marks", "receipt", "proof"} and "code" not in body
    with pytest.raises(InvalidCredential):
        check_receipt("ABCD-EFGH")


def test_a_code_ballot_carries_the_code_and_no_proof() -> None:
    body, _ = ballot("box-1", None, {"p": "no"}, code="ABCDE23456")
    assert body["code"] == "ABCDE23456" and "proof" not in body


def test_who_may_take_a_credential() -> None:
    issuance = Issuance()
    with pytest.raises(RuleViolation) as refused:
        issuance.check_can_issue("d1", {"d1"}, reissue=False)
    assert refused.value.reason == "no_ballot_key"
    issuance.key_made(1, "kid-1", {"kty": "RSA"})
    with pytest.raises(RuleViolation) as refused:
        issuance.check_can_issue("d2", {"d1"}, reissue=False)
    assert refused.value.reason == "not_checked_in"
    issuance.check_can_issue("d1", {"d1"}, reissue=False)
    issuance.issued.add("d1")
    with pytest.raises(RuleViolation) as refused:
        issuance.check_can_issue("d1", {"d1"}, reissue=False)
    assert refused.value.reason == "already_issued"
    with pytest.raises(RuleViolation) as refused:
        issuance.check_can_reissue(box_open=True)
    assert refused.value.reason == "reissue_while_open"
    issuance.check_can_reissue(box_open=False)
    issuance.key_made(2, "kid-2", {"kty": "RSA"})
    assert issuance.issued == set() and issuance.count == 0  # every unused credential of key 1 is void


def test_a_code_slip_is_one_per_deputy_and_never_beside_a_device_credential() -> None:
    issuance = Issuance(kid="k", codes={"h1", "h2"})
    with pytest.raises(RuleViolation) as refused:
        issuance.check_can_hand_slip("d1", set())
    assert refused.value.reason == "not_checked_in"
    issuance.check_can_hand_slip("d1", {"d1", "d2", "d3"})
    issuance.slips.add("d1")
    with pytest.raises(RuleViolation) as refused:
        issuance.check_can_issue("d1", {"d1"}, reissue=False)
    assert refused.value.reason == "slip_taken"
    issuance.issued.add("d2")
    with pytest.raises(RuleViolation) as refused:
        issuance.check_can_hand_slip("d2", {"d1", "d2", "d3"})
    assert refused.value.reason == "already_issued"
    issuance.slips.add("d3")
    with pytest.raises(RuleViolation) as refused:
        issuance.check_can_hand_slip("d4", {"d4"})
    assert refused.value.reason == "no_codes_left"
    assert issuance.count == 3 and issuance.as_dict()["slips"] == 2
