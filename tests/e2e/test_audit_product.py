"""The running product (`shishi up`) keeps its audit logs by itself: a resident's demand gets an
inclusion proof under a signed checkpoint through the one origin, the checkpoint reaches the
NATS `AUDIT` stream, and `shishi audit verify` — against the live data directory and the
published checkpoints — finds every service's history intact."""

from __future__ import annotations

import asyncio
import base64
import time

import httpx

from services.tools.cli.main import main
from shared.audit.merkle import leaf_hash, verify_inclusion
from shared.audit.signing import Checkpoint, public_key_from_text, verify_signature
from shared.audit.witness import published_checkpoints


def test_demand_is_provably_logged_and_the_product_verifies(running_product) -> None:
    with httpx.Client(base_url=running_product.origin, timeout=30) as client:
        r = client.post(
            "/intake/api/demands",
            json={"county": "440783", "town": "三埠街道", "category": "water", "text": "自来水水压不足，高层住户无水"},
        )
        assert r.status_code == 201, r.text
        demand_id = r.json()["id"]
        auditor = {"authorization": f"Bearer {running_product.token('auditor', '440783')}"}
        proof = client.get(
            "/intake/api/audit/proofs/inclusion", headers=auditor, params={"aggregate_id": demand_id, "version": 1}
        ).json()
        key = public_key_from_text(client.get("/intake/api/audit/public-key").json()["public_key"])
        checkpoint = Checkpoint.from_dict(proof["checkpoint"])
        assert verify_signature(checkpoint, key)
        leaf = leaf_hash(base64.b64decode(proof["leaf_data"]))
        assert verify_inclusion(
            proof["leaf_index"],
            checkpoint.size,
            leaf,
            [bytes.fromhex(p) for p in proof["proof"]],
            bytes.fromhex(checkpoint.root),
        )
        page = client.get("/intake/audit", headers=auditor)
        assert page.status_code == 200 and checkpoint.root in page.text

    deadline = time.monotonic() + 30
    while True:
        published = asyncio.run(published_checkpoints(running_product.nats_url)).get("intake", [])
        if any(c.size >= checkpoint.size for c in published):
            break
        assert time.monotonic() < deadline, "the checkpoint was not published on NATS"
        time.sleep(0.5)
    assert (
        main(["audit", "verify", "--data-dir", str(running_product.data_dir), "--nats", running_product.nats_url]) == 0
    )
