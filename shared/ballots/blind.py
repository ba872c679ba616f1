"""RSA blind signatures (RFC 9474, RSABSSA-SHA384) for the secret ballot: pure, no I/O.

What the protocol gives us:

* The signer never sees the token. The deputy's device *prepares* a message (RFC 9474 §4.1: a
  32-byte random prefix followed by the token), *blinds* it (§4.2: EMSA-PSS encodes it and
  multiplies it by ``r^e mod n`` for a uniformly random ``r``), and sends only the blinded value.
  To the signer that value is uniformly distributed, whatever the token: signing it
  (:meth:`BlindSigner.blind_sign`, §4.3) records "deputy X received a signature" and nothing
  that can later be matched with the ballot.
* The device *finalizes* (§4.4) by multiplying the blind signature by ``r^-1 mod n``. The result
  is an ordinary RSASSA-PSS signature (SHA-384, MGF1-SHA-384, 48-byte salt) of the prepared
  message under the signer's public key: anybody verifies it with a stock RSA-PSS
  implementation, and :func:`verify` does exactly that with the ``cryptography`` package.
  Because ``r`` is fresh and random, the signer cannot link the finalized ``(message,
  signature)`` with the blinded message it signed; the ballot box then verifies the signature
  and spends the token once.
* The randomized preparation (the default, variant RSABSSA-SHA384-PSS-Randomized) makes the
  message actually signed unpredictable to the signer even when the caller's message is not:
  RFC 9474 §7.3 shows that a signer publishing a malformed key can learn something about a
  low-entropy message from its blinded form, and the random prefix closes that door. The
  48-byte PSS salt makes every signature of the same message different. The deterministic
  variants (no prefix) and the PSSZERO variants (no salt) are here for the RFC's test vectors
  and for interoperability; the ballot uses :data:`RSABSSA_SHA384_PSS_RANDOMIZED`.

Unlinkability holds only if every deputy blinds for the same key: the device must check that the
key it is served is the one published for the session (by :func:`key_id`), since a key of its
own for one deputy would let the signer recognize that deputy's ballot.

Keys are generated, serialized and used for verification by ``cryptography``. The RSA private
operation of :meth:`BlindSigner.blind_sign` works on integers, so it is done here with ``pow``
and the CRT parameters of the ``cryptography`` key; the input is blinded once more by the
signer (so its timing does not depend on the client's value) and the result is checked
(``s^e mod n == m``, RFC 9474 §4.3) before it leaves, to catch faults.

Encodings: every message, salt, blinded message, blind signature, inverse and signature is
``bytes``; every value tied to the modulus (blinded message, blind signature, inverse,
signature) is exactly ``modulus_len(public_key)`` bytes, big-endian. Public keys travel as PEM
(SubjectPublicKeyInfo) or as a JWK ``{"kty": "RSA", "n", "e", "alg": "PS384", "kid"}``, and are
named by :func:`key_id`, the hex SHA-256 of the DER SubjectPublicKeyInfo.
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
import secrets
from dataclasses import dataclass

import gmpy2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

HASH_LEN = 48  # SHA-384
PREFIX_LEN = 32  # RFC 9474 §4.1: the randomized preparation's prefix
PUBLIC_EXPONENT = 65537
DEFAULT_KEY_BITS = 2048
MIN_KEY_BITS = 2048
JWK_ALG = "PS384"
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")


@dataclass(frozen=True)
class Variant:
    """One RSABSSA variant of RFC 9474 §5: the PSS salt length and whether messages get a prefix."""

    name: str
    salt_length: int
    randomized: bool


RSABSSA_SHA384_PSS_RANDOMIZED = Variant("RSABSSA-SHA384-PSS-Randomized", HASH_LEN, True)
RSABSSA_SHA384_PSSZERO_RANDOMIZED = Variant("RSABSSA-SHA384-PSSZERO-Randomized", 0, True)
RSABSSA_SHA384_PSS_DETERMINISTIC = Variant("RSABSSA-SHA384-PSS-Deterministic", HASH_LEN, False)
RSABSSA_SHA384_PSSZERO_DETERMINISTIC = Variant("RSABSSA-SHA384-PSSZERO-Deterministic", 0, False)
VARIANTS = {
    v.name: v
    for v in (
        RSABSSA_SHA384_PSS_RANDOMIZED,
        RSABSSA_SHA384_PSSZERO_RANDOMIZED,
        RSABSSA_SHA384_PSS_DETERMINISTIC,
        RSABSSA_SHA384_PSSZERO_DETERMINISTIC,
    )
}
DEFAULT_VARIANT = RSABSSA_SHA384_PSS_RANDOMIZED


# ---------------------------------------------------------------- keys


def generate_private_key(bits: int = DEFAULT_KEY_BITS) -> rsa.RSAPrivateKey:
    """A fresh RSA key pair for blind signing (``cryptography``; e = 65537)."""
    if bits < MIN_KEY_BITS:
        raise ValueError(f"RSA blind signature keys must have at least {MIN_KEY_BITS} bits, not {bits}")
    return rsa.generate_private_key(public_exponent=PUBLIC_EXPONENT, key_size=bits)


def private_key_from_pem(pem: bytes, password: bytes | None = None) -> rsa.RSAPrivateKey:
    """The RSA private key in a PEM (PKCS#8 or PKCS#1) document."""
    key = serialization.load_pem_private_key(pem, password=password)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("the PEM document does not hold an RSA private key")
    _check_public_key(key.public_key())
    return key


def private_key_to_pem(private_key: rsa.RSAPrivateKey, password: bytes | None = None) -> bytes:
    """PKCS#8 PEM, encrypted with ``password`` when one is given."""
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    )
    return private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)


def public_key_from_pem(pem: bytes) -> rsa.RSAPublicKey:
    """The RSA public key in a PEM SubjectPublicKeyInfo document."""
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("the PEM document does not hold an RSA public key")
    _check_public_key(key)
    return key


def public_key_to_pem(public_key: rsa.RSAPublicKey) -> bytes:
    """PEM SubjectPublicKeyInfo."""
    return public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def key_id(public_key: rsa.RSAPublicKey) -> str:
    """The key's name on published ballot lists: hex SHA-256 of the DER SubjectPublicKeyInfo."""
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


def public_jwk(public_key: rsa.RSAPublicKey) -> dict[str, str]:
    """The public key as the JWK the deputy's browser imports (``n`` and ``e`` base64url, unpadded)."""
    numbers = public_key.public_numbers()
    return {
        "kty": "RSA",
        "n": b64url_encode(int_to_bytes(numbers.n, modulus_len(public_key))),
        "e": b64url_encode(int_to_bytes(numbers.e, (numbers.e.bit_length() + 7) // 8)),
        "alg": JWK_ALG,
        "kid": key_id(public_key),
    }


def public_key_from_jwk(jwk: dict[str, str]) -> rsa.RSAPublicKey:
    """The RSA public key of a JWK such as :func:`public_jwk` returns; a ``kid``, if any, must match."""
    if jwk.get("kty") != "RSA":
        raise ValueError("the JWK is not an RSA key")
    if jwk.get("alg", JWK_ALG) != JWK_ALG:
        raise ValueError(f"the JWK is for {jwk.get('alg')}, not {JWK_ALG}")
    n = bytes_to_int(b64url_decode(jwk["n"]))
    e = bytes_to_int(b64url_decode(jwk["e"]))
    public_key = rsa.RSAPublicNumbers(e, n).public_key()
    _check_public_key(public_key)
    if "kid" in jwk and jwk["kid"] != key_id(public_key):
        raise ValueError("the JWK's kid does not name its key")
    return public_key


def modulus_len(public_key: rsa.RSAPublicKey) -> int:
    """The modulus length in bytes: the length of every blinded message, blind signature and signature."""
    return (public_key.key_size + 7) // 8


# ---------------------------------------------------------------- the signer (server)


class BlindSigner:
    """The server's side (RFC 9474 §4.3): signs blinded messages, which reveal nothing of the message."""

    def __init__(self, private_key: rsa.RSAPrivateKey) -> None:
        _check_public_key(private_key.public_key())
        self._private_key = private_key
        self._numbers = private_key.private_numbers()
        self._n = self._numbers.public_numbers.n
        self._e = self._numbers.public_numbers.e
        # GMP's constant-time modular exponentiation (mpz_powm_sec): 0.8 ms per signature with a 2048-bit
        # key, where Python's pow took 6.6 ms (and is not constant-time)
        numbers = self._numbers
        self._crt = tuple(gmpy2.mpz(v) for v in (numbers.p, numbers.q, numbers.dmp1, numbers.dmq1, numbers.iqmp))

    @classmethod
    def generate(cls, bits: int = DEFAULT_KEY_BITS) -> BlindSigner:
        """A signer with a fresh key."""
        return cls(generate_private_key(bits))

    @classmethod
    def from_pem(cls, pem: bytes, password: bytes | None = None) -> BlindSigner:
        """A signer with the key stored as :meth:`private_key_pem` wrote it."""
        return cls(private_key_from_pem(pem, password))

    @property
    def public_key(self) -> rsa.RSAPublicKey:
        return self._private_key.public_key()

    @property
    def key_id(self) -> str:
        return key_id(self.public_key)

    def private_key_pem(self, password: bytes | None = None) -> bytes:
        """The private key (PKCS#8 PEM, encrypted with ``password`` when one is given), to store it."""
        return private_key_to_pem(self._private_key, password)

    def public_key_pem(self) -> bytes:
        return public_key_to_pem(self.public_key)

    def public_jwk(self) -> dict[str, str]:
        return public_jwk(self.public_key)

    def blind_sign(self, blinded_msg: bytes) -> bytes:
        """BlindSign: the RSA signature of the blinded message, ``modulus_len`` bytes.

        Refuses (ValueError) a value of the wrong length or not below the modulus. The result
        is checked against the public key before it is returned (RFC 9474 §4.3 step 4); a
        mismatch, which only a fault can cause, raises RuntimeError and returns nothing.
        """
        k = modulus_len(self.public_key)
        if not isinstance(blinded_msg, bytes | bytearray) or len(blinded_msg) != k:
            raise ValueError(f"a blinded message must be exactly {k} bytes")
        m = bytes_to_int(blinded_msg)
        if m >= self._n:
            raise ValueError("the blinded message is not below the modulus")
        s = self._rsasp1(m)
        if pow(s, self._e, self._n) != m:
            raise RuntimeError("signing failure: the signature does not verify (fault in the RSA operation)")
        return int_to_bytes(s, k)

    def _rsasp1(self, m: int) -> int:
        """``m^d mod n`` by the CRT, on ``m`` blinded with a fresh random ``u`` (``m * u^e``), then unblinded."""
        n = self._n
        u = _random_unit(n)
        c = (m * pow(u, self._e, n)) % n
        p, q, dp, dq, qinv = self._crt
        s1 = gmpy2.powmod_sec(c, dp, p)
        s2 = gmpy2.powmod_sec(c, dq, q)
        h = (qinv * (s1 - s2)) % p
        return int(((s2 + q * h) * pow(u, -1, n)) % n)


# ---------------------------------------------------------------- the client (deputy's device) and verification


def prepare(msg: bytes, randomized: bool = True, *, prefix: bytes | None = None) -> bytes:
    """Prepare (RFC 9474 §4.1): ``prefix || msg`` with 32 random bytes, or ``msg`` itself if not randomized.

    ``prefix`` injects the prefix (test vectors); normally it is drawn here.
    """
    if not randomized:
        if prefix:
            raise ValueError("a deterministic preparation takes no prefix")
        return bytes(msg)
    if prefix is None:
        prefix = secrets.token_bytes(PREFIX_LEN)
    if len(prefix) != PREFIX_LEN:
        raise ValueError(f"the message prefix must be {PREFIX_LEN} bytes")
    return bytes(prefix) + bytes(msg)


def blind(
    public_key: rsa.RSAPublicKey,
    prepared_msg: bytes,
    *,
    salt: bytes | None = None,
    r_inv: bytes | None = None,
    variant: Variant = DEFAULT_VARIANT,
) -> tuple[bytes, bytes]:
    """Blind (RFC 9474 §4.2): ``(blinded_msg, inv)``, both ``modulus_len`` bytes.

    ``blinded_msg`` goes to the signer; ``inv`` (``r^-1 mod n``) stays on the device for
    :func:`finalize`. ``salt`` and ``r_inv`` inject the PSS salt and the inverse (test vectors);
    normally both are drawn here, ``r`` uniformly in [1, n) and coprime with n.
    """
    _check_public_key(public_key)
    n, e = _public_numbers(public_key)
    k = modulus_len(public_key)
    if salt is None:
        salt = secrets.token_bytes(variant.salt_length)
    if len(salt) != variant.salt_length:
        raise ValueError(f"{variant.name} takes a salt of {variant.salt_length} bytes")
    m = bytes_to_int(emsa_pss_encode(prepared_msg, n.bit_length() - 1, salt))
    if math.gcd(m, n) != 1:
        raise ValueError("invalid input: the encoded message is not coprime with the modulus")
    if r_inv is None:
        r = _random_unit(n)
        inv = pow(r, -1, n)
    else:
        inv = bytes_to_int(r_inv)
        if not 0 < inv < n or math.gcd(inv, n) != 1:
            raise ValueError("the injected inverse is not a unit modulo n")
        r = pow(inv, -1, n)
    blinded = (m * pow(r, e, n)) % n
    return int_to_bytes(blinded, k), int_to_bytes(inv, k)


def finalize(
    public_key: rsa.RSAPublicKey,
    prepared_msg: bytes,
    blind_sig: bytes,
    inv: bytes,
    *,
    variant: Variant = DEFAULT_VARIANT,
) -> bytes:
    """Finalize (RFC 9474 §4.4): the RSASSA-PSS signature of ``prepared_msg``; ValueError if it does not verify."""
    n, _ = _public_numbers(public_key)
    k = modulus_len(public_key)
    if len(blind_sig) != k or len(inv) != k:
        raise ValueError(f"unexpected input size: the blind signature and the inverse must be {k} bytes")
    z = bytes_to_int(blind_sig)
    if z >= n:
        raise ValueError("the blind signature is not below the modulus")
    sig = int_to_bytes((z * bytes_to_int(inv)) % n, k)
    if not verify(public_key, prepared_msg, sig, variant=variant):
        raise ValueError("invalid signature: the signer's answer does not finalize to a valid signature")
    return sig


def verify(public_key: rsa.RSAPublicKey, msg: bytes, sig: bytes, *, variant: Variant = DEFAULT_VARIANT) -> bool:
    """Whether ``sig`` is a valid RSASSA-PSS signature (SHA-384, MGF1-SHA-384) of ``msg``, checked by ``cryptography``.

    ``msg`` is the prepared message (prefix and token for the randomized variants).
    """
    if len(sig) != modulus_len(public_key):
        return False
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA384()), salt_length=variant.salt_length)
    try:
        public_key.verify(sig, msg, pss, hashes.SHA384())
    except InvalidSignature:
        return False
    return True


class BlindVerifier:
    """Verifies finalized signatures under one published key (the ballot box's side)."""

    def __init__(self, public_key: rsa.RSAPublicKey, variant: Variant = DEFAULT_VARIANT) -> None:
        _check_public_key(public_key)
        self.public_key = public_key
        self.variant = variant
        self.key_id = key_id(public_key)

    @classmethod
    def from_pem(cls, pem: bytes, variant: Variant = DEFAULT_VARIANT) -> BlindVerifier:
        return cls(public_key_from_pem(pem), variant)

    def verify(self, msg: bytes, sig: bytes) -> bool:
        return verify(self.public_key, msg, sig, variant=self.variant)


# ---------------------------------------------------------------- EMSA-PSS (RFC 8017 §9.1.1) and primitives


def emsa_pss_encode(msg: bytes, em_bits: int, salt: bytes) -> bytes:
    """EMSA-PSS-ENCODE with SHA-384 and MGF1-SHA-384 (RFC 8017 §9.1.1); ``em_bits`` is ``modBits - 1``."""
    em_len = (em_bits + 7) // 8
    if em_len < HASH_LEN + len(salt) + 2:
        raise ValueError("encoding error: the modulus is too short for this hash and salt")
    m_hash = hashlib.sha384(msg).digest()
    h = hashlib.sha384(bytes(8) + m_hash + salt).digest()
    db = bytes(em_len - len(salt) - HASH_LEN - 2) + b"\x01" + salt
    masked_db = bytearray(a ^ b for a, b in zip(db, mgf1_sha384(h, len(db)), strict=True))
    masked_db[0] &= 0xFF >> (8 * em_len - em_bits)
    return bytes(masked_db) + h + b"\xbc"


def mgf1_sha384(seed: bytes, length: int) -> bytes:
    """MGF1 with SHA-384 (RFC 8017 §B.2.1)."""
    blocks = (length + HASH_LEN - 1) // HASH_LEN
    return b"".join(hashlib.sha384(seed + counter.to_bytes(4, "big")).digest() for counter in range(blocks))[:length]


def bytes_to_int(data: bytes) -> int:
    """OS2IP: big-endian bytes to a non-negative integer."""
    return int.from_bytes(data, "big")


def int_to_bytes(value: int, length: int) -> bytes:
    """I2OSP: a non-negative integer to exactly ``length`` big-endian bytes (OverflowError if too large)."""
    return value.to_bytes(length, "big")


def _random_unit(n: int) -> int:
    """Uniformly random in [1, n) and coprime with n."""
    while True:
        r = secrets.randbelow(n - 1) + 1
        if math.gcd(r, n) == 1:
            return r


def _public_numbers(public_key: rsa.RSAPublicKey) -> tuple[int, int]:
    numbers = public_key.public_numbers()
    return numbers.n, numbers.e


def _check_public_key(public_key: rsa.RSAPublicKey) -> None:
    if public_key.key_size < MIN_KEY_BITS:
        raise ValueError(f"RSA blind signature keys must have at least {MIN_KEY_BITS} bits, not {public_key.key_size}")


def b64url_encode(data: bytes) -> str:
    """Base64url without padding (RFC 4648 §5), as in JWKs and on the wire to blind.js."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """The bytes of unpadded base64url; ValueError on anything else."""
    if not _BASE64URL.fullmatch(text):
        raise ValueError("not unpadded base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
