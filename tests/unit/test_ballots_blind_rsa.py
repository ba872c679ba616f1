"""RSA blind signatures (RFC 9474): the published test vectors, and the protocol with a fresh 2048-bit key."""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from shared.ballots import blind as bs

VECTORS: list[dict[str, Any]] = json.loads((Path(__file__).parent / "vectors" / "rfc9474.json").read_text())["vectors"]
NAMES = [v["name"] for v in VECTORS]


def vector(name: str) -> dict[str, Any]:
    return next(v for v in VECTORS if v["name"] == name)


def h(vec: dict[str, Any], key: str) -> bytes:
    return bytes.fromhex(vec[key])


def i(vec: dict[str, Any], key: str) -> int:
    return int(vec[key], 16)


def vector_key(name: str) -> rsa.RSAPrivateKey:
    vec = vector(name)
    return _private_key(i(vec, "p"), i(vec, "q"), i(vec, "d"), i(vec, "e"))


@functools.cache
def _private_key(p: int, q: int, d: int, e: int) -> rsa.RSAPrivateKey:
    """The vectors share one 4096-bit key, loaded once; OpenSSL's slow key check is skipped (it costs a
    quarter of a second), since `test_vector_is_self_consistent` checks p * q == n and the signatures."""
    public = rsa.RSAPublicNumbers(e, p * q)
    return rsa.RSAPrivateNumbers(
        p, q, d, rsa.rsa_crt_dmp1(d, p), rsa.rsa_crt_dmq1(d, q), rsa.rsa_crt_iqmp(p, q), public
    ).private_key(unsafe_skip_rsa_key_validation=True)


@pytest.fixture(scope="module")
def signer() -> bs.BlindSigner:
    return bs.BlindSigner.generate()  # the module's only fresh key: 2048 bits


# ---------------------------------------------------------------- RFC 9474 Appendix A


def test_the_file_holds_every_sha384_variant_of_the_rfc() -> None:
    assert sorted(NAMES) == sorted(bs.VARIANTS)


@pytest.mark.parametrize("name", NAMES)
def test_vector_is_self_consistent(name: str) -> None:
    vec = vector(name)
    n, e = i(vec, "n"), i(vec, "e")
    assert i(vec, "p") * i(vec, "q") == n
    assert pow(i(vec, "sig"), e, n) == i(vec, "encoded_msg")  # the signature opens to the encoded message
    assert vector_key(name).key_size == 4096


@pytest.mark.parametrize("name", NAMES)
def test_prepare_matches_the_vector(name: str) -> None:
    vec, variant = vector(name), bs.VARIANTS[name]
    prefix = h(vec, "msg_prefix") if variant.randomized else None
    assert bs.prepare(h(vec, "msg"), variant.randomized, prefix=prefix) == h(vec, "prepared_msg")


@pytest.mark.parametrize("name", NAMES)
def test_emsa_pss_encode_matches_the_vector(name: str) -> None:
    vec = vector(name)
    em_bits = i(vec, "n").bit_length() - 1
    assert bs.emsa_pss_encode(h(vec, "prepared_msg"), em_bits, h(vec, "salt")) == h(vec, "encoded_msg")


@pytest.mark.parametrize("name", NAMES)
def test_blind_matches_the_vector(name: str) -> None:
    vec = vector(name)
    public_key = vector_key(name).public_key()
    blinded, inv = bs.blind(
        public_key, h(vec, "prepared_msg"), salt=h(vec, "salt"), r_inv=h(vec, "inv"), variant=bs.VARIANTS[name]
    )
    assert blinded == h(vec, "blinded_msg")
    assert inv == h(vec, "inv")


@pytest.mark.parametrize("name", NAMES)
def test_blind_sign_matches_the_vector(name: str) -> None:
    vec = vector(name)
    assert bs.BlindSigner(vector_key(name)).blind_sign(h(vec, "blinded_msg")) == h(vec, "blind_sig")


@pytest.mark.parametrize("name", NAMES)
def test_finalize_matches_the_vector(name: str) -> None:
    vec = vector(name)
    public_key = vector_key(name).public_key()
    sig = bs.finalize(public_key, h(vec, "prepared_msg"), h(vec, "blind_sig"), h(vec, "inv"), variant=bs.VARIANTS[name])
    assert sig == h(vec, "sig")


@pytest.mark.parametrize("name", NAMES)
def test_vector_signature_is_a_standard_rsassa_pss_signature(name: str) -> None:
    vec, variant = vector(name), bs.VARIANTS[name]
    public_key = vector_key(name).public_key()
    public_key.verify(
        h(vec, "sig"),
        h(vec, "prepared_msg"),
        padding.PSS(mgf=padding.MGF1(hashes.SHA384()), salt_length=variant.salt_length),
        hashes.SHA384(),
    )
    assert bs.verify(public_key, h(vec, "prepared_msg"), h(vec, "sig"), variant=variant)
    assert not bs.verify(public_key, h(vec, "msg") + b"!", h(vec, "sig"), variant=variant)


# ---------------------------------------------------------------- the protocol with a fresh key


def run_protocol(signer: bs.BlindSigner, token: bytes) -> tuple[bytes, bytes]:
    """Device prepares and blinds, server signs, device finalizes: ``(prepared_msg, sig)``."""
    public_key = bs.public_key_from_pem(signer.public_key_pem())
    prepared = bs.prepare(token)
    blinded, inv = bs.blind(public_key, prepared)
    return prepared, bs.finalize(public_key, prepared, signer.blind_sign(blinded), inv)


def test_round_trip_gives_a_standard_pss_signature(signer: bs.BlindSigner) -> None:
    token = b"\x07" * 32
    prepared, sig = run_protocol(signer, token)
    assert signer.public_key.key_size == bs.DEFAULT_KEY_BITS
    assert len(prepared) == bs.PREFIX_LEN + len(token) and prepared.endswith(token)
    assert len(sig) == 256
    signer.public_key.verify(
        sig, prepared, padding.PSS(mgf=padding.MGF1(hashes.SHA384()), salt_length=48), hashes.SHA384()
    )
    assert bs.BlindVerifier.from_pem(signer.public_key_pem()).verify(prepared, sig)


def test_a_tampered_message_or_signature_fails(signer: bs.BlindSigner) -> None:
    prepared, sig = run_protocol(signer, b"token")
    verifier = bs.BlindVerifier(signer.public_key)
    assert verifier.verify(prepared, sig)
    assert not verifier.verify(prepared[:-1] + bytes([prepared[-1] ^ 1]), sig)
    assert not verifier.verify(prepared, sig[:-1] + bytes([sig[-1] ^ 1]))
    assert not verifier.verify(prepared, sig[1:])
    assert not verifier.verify(prepared[bs.PREFIX_LEN :], sig)  # the prefix is part of what is signed
    with pytest.raises(InvalidSignature):
        signer.public_key.verify(
            sig, prepared + b"x", padding.PSS(mgf=padding.MGF1(hashes.SHA384()), salt_length=48), hashes.SHA384()
        )


def test_finalize_refuses_a_bad_blind_signature(signer: bs.BlindSigner) -> None:
    public_key = signer.public_key
    prepared = bs.prepare(b"token")
    blinded, inv = bs.blind(public_key, prepared)
    blind_sig = signer.blind_sign(blinded)
    with pytest.raises(ValueError, match="invalid signature"):
        bs.finalize(public_key, prepared, blind_sig[:-1] + bytes([blind_sig[-1] ^ 1]), inv)
    with pytest.raises(ValueError, match="invalid signature"):
        bs.finalize(public_key, bs.prepare(b"another token"), blind_sig, inv)
    with pytest.raises(ValueError, match="unexpected input size"):
        bs.finalize(public_key, prepared, blind_sig[1:], inv)


def test_blind_sign_refuses_out_of_range_or_wrong_length_input(signer: bs.BlindSigner) -> None:
    n = signer.public_key.public_numbers().n
    with pytest.raises(ValueError, match="not below the modulus"):
        signer.blind_sign(bs.int_to_bytes(n, 256))
    with pytest.raises(ValueError, match="not below the modulus"):
        signer.blind_sign(b"\xff" * 256)
    with pytest.raises(ValueError, match="exactly 256 bytes"):
        signer.blind_sign(b"\x01" * 255)
    with pytest.raises(ValueError, match="exactly 256 bytes"):
        signer.blind_sign(b"\x00" + bs.int_to_bytes(n - 1, 256))
    assert len(signer.blind_sign(bs.int_to_bytes(n - 1, 256))) == 256


def test_two_blindings_of_one_message_are_unlinkable(signer: bs.BlindSigner) -> None:
    prepared = bs.prepare(b"the same token")
    first, inv1 = bs.blind(signer.public_key, prepared)
    second, inv2 = bs.blind(signer.public_key, prepared)
    assert first != second and inv1 != inv2
    sig1 = bs.finalize(signer.public_key, prepared, signer.blind_sign(first), inv1)
    sig2 = bs.finalize(signer.public_key, prepared, signer.blind_sign(second), inv2)
    assert sig1 != sig2  # fresh PSS salts
    assert {first, second}.isdisjoint({sig1, sig2})
    assert bs.verify(signer.public_key, prepared, sig1) and bs.verify(signer.public_key, prepared, sig2)


def test_prepare_draws_a_fresh_prefix() -> None:
    one, two = bs.prepare(b"m"), bs.prepare(b"m")
    assert len(one) == len(two) == bs.PREFIX_LEN + 1 and one != two
    assert bs.prepare(b"m", randomized=False) == b"m"
    with pytest.raises(ValueError):
        bs.prepare(b"m", prefix=b"short")


def test_blind_refuses_a_salt_of_the_wrong_length(signer: bs.BlindSigner) -> None:
    with pytest.raises(ValueError, match="salt of 48 bytes"):
        bs.blind(signer.public_key, b"m", salt=b"\x00" * 47)


def test_keys_serialize_and_are_named_by_their_der_digest(signer: bs.BlindSigner) -> None:
    der = signer.public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert signer.key_id == hashlib.sha256(der).hexdigest()
    restored = bs.BlindSigner.from_pem(signer.private_key_pem())
    assert restored.key_id == signer.key_id
    locked = signer.private_key_pem(password=b"correct horse")
    assert b"ENCRYPTED" in locked
    assert bs.BlindSigner.from_pem(locked, password=b"correct horse").key_id == signer.key_id
    assert bs.key_id(bs.public_key_from_pem(signer.public_key_pem())) == signer.key_id


def test_public_jwk_round_trips(signer: bs.BlindSigner) -> None:
    jwk = signer.public_jwk()
    assert jwk["kty"] == "RSA" and jwk["alg"] == "PS384" and jwk["e"] == "AQAB" and jwk["kid"] == signer.key_id
    assert "=" not in jwk["n"]
    assert bs.key_id(bs.public_key_from_jwk(jwk)) == signer.key_id
    with pytest.raises(ValueError, match="kid"):
        bs.public_key_from_jwk({**jwk, "kid": "0" * 64})


def test_keys_below_2048_bits_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 2048"):
        bs.generate_private_key(1024)


def test_base64url_is_unpadded_and_strict() -> None:
    assert bs.b64url_encode(b"\xff\xfe") == "__4"
    assert bs.b64url_decode("__4") == b"\xff\xfe" and bs.b64url_decode("AQAB") == b"\x01\x00\x01"
    for bad in ("a+b/", "AQAB=", "A", "AQ AB"):
        with pytest.raises(ValueError):
            bs.b64url_decode(bad)


def test_blind_sign_checks_its_result_before_returning_it(
    signer: bs.BlindSigner, monkeypatch: pytest.MonkeyPatch
) -> None:
    blinded, _ = bs.blind(signer.public_key, bs.prepare(b"token"))
    faulty = bs.BlindSigner.from_pem(signer.private_key_pem())
    monkeypatch.setattr(faulty, "_rsasp1", lambda m: 2)  # a fault in the RSA computation
    with pytest.raises(RuntimeError, match="signing failure"):
        faulty.blind_sign(blinded)
