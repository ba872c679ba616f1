"""The deputy's side of RFC 9474 in the browser (shared/web/static/ballots/blind.js), in headless Chromium:
the RFC's test vectors byte for byte, and a full round trip with the Python signer and verifier."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from shared.ballots import blind as bs

pytestmark = pytest.mark.browser
REPO_ROOT = Path(__file__).resolve().parents[2]
BLIND_JS = REPO_ROOT / "shared" / "web" / "static" / "ballots" / "blind.js"
VECTORS: list[dict[str, Any]] = json.loads((REPO_ROOT / "tests" / "unit" / "vectors" / "rfc9474.json").read_text())[
    "vectors"
]
# WebCrypto exists only in secure contexts, so the page is served (by Playwright itself) from an https origin.
ORIGIN = "https://shishi.test"
PAGE = "<!doctype html><meta charset='utf-8'><title>blind.js</title>"

HELPERS = """
  const B = window.ShishiBlind;
  const fromHex = (h) => new Uint8Array((h.match(/../g) || []).map((x) => parseInt(x, 16)));
  const toHex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  const b64 = B.base64url;
"""


@pytest.fixture
def blind_page(browser_page: Any) -> Iterator[Any]:
    """A secure page with blind.js loaded."""
    browser_page.route(f"{ORIGIN}/**", lambda route: route.fulfill(status=200, content_type="text/html", body=PAGE))
    browser_page.goto(f"{ORIGIN}/blind")
    browser_page.add_script_tag(path=str(BLIND_JS))
    assert browser_page.evaluate("window.isSecureContext && typeof window.ShishiBlind === 'object'")
    yield browser_page


@pytest.fixture(scope="module")
def signer() -> bs.BlindSigner:
    return bs.BlindSigner.generate()


def run(page: Any, body: str, arg: Any = None) -> Any:
    """Runs ``body`` (statements; ``arg`` in scope; may ``await`` and ``return``) in the page."""
    return page.evaluate(f"async (arg) => {{ {HELPERS} {body} }}", arg)


@pytest.mark.parametrize("vec", VECTORS, ids=[v["name"] for v in VECTORS])
def test_js_reproduces_the_rfc_vectors(blind_page: Any, vec: dict[str, Any]) -> None:
    got = run(
        blind_page,
        """
      const v = arg;
      const jwk = {kty: "RSA", n: b64.encode(fromHex(v.n)), e: b64.encode(fromHex(v.e))};
      const options = {saltLength: v.salt_length};
      const prefix = v.randomized ? fromHex(v.msg_prefix) : undefined;
      const prepared = await B.prepare(fromHex(v.msg), {randomized: v.randomized, prefix});
      const byInv = await B.blind(jwk, prepared, {...options, salt: fromHex(v.salt), inv: fromHex(v.inv)});
      const sig = await B.finalize(jwk, prepared, fromHex(v.blind_sig), byInv.inv, options);
      const tampered = prepared.slice();
      tampered[tampered.length - 1] ^= 1;
      return {prepared: toHex(prepared), blinded: toHex(byInv.blindedMsg), inv: toHex(byInv.inv), sig: toHex(sig),
              verifies: await B.verify(jwk, prepared, fromHex(v.sig), options),
              tampered: await B.verify(jwk, tampered, fromHex(v.sig), options)};
    """,
        vec,
    )
    assert got["prepared"] == vec["prepared_msg"]
    assert got["blinded"] == vec["blinded_msg"]
    assert got["inv"] == vec["inv"]
    assert got["sig"] == vec["sig"]
    assert got["verifies"] is True and got["tampered"] is False


def test_js_blinding_with_an_injected_r_matches_python(blind_page: Any) -> None:
    vec = VECTORS[0]
    n = int(vec["n"], 16)
    r = pow(int(vec["inv"], 16), -1, n)
    got = run(
        blind_page,
        """
      const [v, r] = arg;
      const jwk = {kty: "RSA", n: b64.encode(fromHex(v.n)), e: b64.encode(fromHex(v.e))};
      const out = await B.blind(jwk, fromHex(v.prepared_msg), {salt: fromHex(v.salt), r: fromHex(r)});
      return [toHex(out.blindedMsg), toHex(out.inv)];
    """,
        [vec, f"{r:01024x}"],
    )
    assert got == [vec["blinded_msg"], vec["inv"]]


def test_js_blinds_python_signs_js_finalizes_python_verifies(blind_page: Any, signer: bs.BlindSigner) -> None:
    jwk = signer.public_jwk()
    token = bytes(range(32))
    device = run(
        blind_page,
        """
      const [jwk, token] = arg;
      const prepared = await B.prepare(b64.decode(token));
      const first = await B.blind(jwk, prepared);
      const second = await B.blind(jwk, prepared);
      window.pending = {prepared, inv: first.inv};
      return {prepared: b64.encode(prepared), blinded: b64.encode(first.blindedMsg),
              other: b64.encode(second.blindedMsg), kid: await B.keyId(jwk)};
    """,
        [jwk, bs.b64url_encode(token)],
    )
    assert device["kid"] == signer.key_id  # the browser names the key as the server does
    blinded = bs.b64url_decode(device["blinded"])
    assert len(blinded) == 256 and blinded != bs.b64url_decode(device["other"])  # fresh r each time
    blind_sig = signer.blind_sign(blinded)

    sig = bs.b64url_decode(
        run(
            blind_page,
            """
      const [jwk, blindSig] = arg;
      const sig = await B.finalize(jwk, window.pending.prepared, b64.decode(blindSig), window.pending.inv);
      return b64.encode(sig);
    """,
            [jwk, bs.b64url_encode(blind_sig)],
        )
    )
    prepared = bs.b64url_decode(device["prepared"])
    assert prepared[bs.PREFIX_LEN :] == token
    assert bs.BlindVerifier(bs.public_key_from_jwk(jwk)).verify(prepared, sig)
    signer.public_key.verify(
        sig, prepared, padding.PSS(mgf=padding.MGF1(hashes.SHA384()), salt_length=48), hashes.SHA384()
    )
    assert sig != blind_sig and bs.blind(signer.public_key, prepared)[0] != blinded


def test_js_refuses_a_wrong_blind_signature_and_a_mislabelled_key(blind_page: Any, signer: bs.BlindSigner) -> None:
    jwk = signer.public_jwk()
    prepared = bs.prepare(b"token")
    blinded, inv = bs.blind(signer.public_key, prepared)
    blind_sig = bytearray(signer.blind_sign(blinded))
    blind_sig[-1] ^= 1
    errors = run(
        blind_page,
        """
      const [jwk, prepared, blindSig, inv] = arg;
      const attempt = async (f) => { try { await f(); return "accepted"; } catch (error) { return String(error); } };
      return [
        await attempt(() => B.finalize(jwk, b64.decode(prepared), b64.decode(blindSig), b64.decode(inv))),
        await attempt(() => B.blind({...jwk, kid: "00".repeat(32)}, b64.decode(prepared))),
        await attempt(() => B.blind(jwk, "a string, not bytes")),
        await attempt(() => B.blind({...jwk, n: jwk.n.slice(0, 170)}, b64.decode(prepared))),
      ];
    """,
        [jwk, bs.b64url_encode(prepared), bs.b64url_encode(bytes(blind_sig)), bs.b64url_encode(inv)],
    )
    assert "invalid signature" in errors[0]
    assert "kid does not name its key" in errors[1]
    assert "must be a Uint8Array" in errors[2]
    assert "at least 2048 bits" in errors[3]
