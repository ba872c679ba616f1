"""The checkpoints published on NATS are a witness outside the data directory: even someone who
holds the signing key, edits an event, rebuilds the audit log and re-signs it, is caught by
`shishi audit verify --nats`, because the published tree heads tell the earlier history."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import nats

from services.tools.cli.main import main
from shared.audit.follower import AuditFollower, ensure_audit_stream
from shared.audit.log import MerkleLog, sidecar_path
from shared.audit.signing import load_or_create_signer
from shared.audit.stores import open_store
from shared.config import Settings
from shared.kernel.meta import Meta

SERVICE = "decision"


async def publish(follower: AuditFollower, url: str) -> int:
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        await ensure_audit_stream(js)
        return await follower.publish(js)
    finally:
        await nc.close()


def test_a_rewritten_and_re_signed_history_is_caught_by_the_published_checkpoints(tmp_path: Path, fresh_nats) -> None:
    settings = Settings(service=SERVICE, data_dir=tmp_path)
    app = open_store(settings)
    for n in range(4):
        app.revise_rules(
            SERVICE,
            Meta("440781", "congress_staff", "staff-1", datetime(2025, 3, 1 + n, tzinfo=UTC), reason=f"第{n}次修订"),
            {"quorum": 0.5 + n / 100},
            {"quorum": 0.5},
        )
    signer = load_or_create_signer(tmp_path, SERVICE)
    log = MerkleLog(sidecar_path(settings.service_dir), SERVICE)
    follower = AuditFollower(log, app, signer, every_events=1, every_seconds=60)
    assert follower.step() is not None
    assert asyncio.run(publish(follower, fresh_nats.url)) == 1
    log.close()

    # Someone with the data directory and the key rewrites one event and everything that covers it.
    db = sqlite3.connect(settings.service_dir / "events.sqlite", isolation_level=None)
    (state,) = db.execute("SELECT state FROM stored_events WHERE rowid=3").fetchone()
    forged = bytes(state).replace("第1次修订".encode(), "依法修订".encode())
    assert forged != bytes(state)
    db.execute("UPDATE stored_events SET state=? WHERE rowid=3", (forged,))
    db.close()
    sidecar_path(settings.service_dir).unlink()
    rebuilt = MerkleLog(sidecar_path(settings.service_dir), SERVICE)
    rebuilt.follow(app.recorder)
    rebuilt.checkpoint(signer)
    rebuilt.close()

    assert main(["audit", "verify", "--data-dir", str(tmp_path)]) == 0  # locally it all looks consistent
    assert main(["audit", "verify", "--data-dir", str(tmp_path), "--nats", fresh_nats.url]) == 1
