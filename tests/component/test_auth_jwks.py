"""RS256 tokens verified through a JWKS URL (an HTTP server serves the keys)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from shared.auth import Role, TokenVerifier


def test_rs256_tokens_are_verified_through_a_jwks_url() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update(kid="k1", use="sig", alg="RS256")
    body = json.dumps({"keys": [jwk]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        verifier = TokenVerifier(jwks_url=f"http://127.0.0.1:{server.server_port}/jwks.json")
        token = jwt.encode(
            {"sub": "ext", "roles": ["auditor"], "counties": ["4407*"], "iss": "shishi", "exp": int(time.time()) + 60},
            key,
            algorithm="RS256",
            headers={"kid": "k1"},
        )
        p = verifier.verify(token)
        assert p.roles == {Role.AUDITOR} and p.covers("440785")
    finally:
        server.shutdown()
