"""Keeps a service's Merkle log up to date and signs checkpoints regularly.

Runs beside the service (started and stopped with its FastAPI lifespan): appends a leaf for
every newly stored event, signs a checkpoint every ``audit_checkpoint_events`` new events or
every ``audit_checkpoint_seconds`` when anything new was logged, and at shutdown; publishes each
checkpoint on NATS (stream ``AUDIT``, subject ``audit.<service>.checkpoints``) and keeps it in
the sidecar. Checkpoints belong to a service's log, not to a county, hence their own stream
outside ``shishi.<county>.>``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from datetime import UTC, datetime
from typing import Any

import structlog
from nats.js import JetStreamContext
from nats.js.api import StreamConfig

from shared.audit.log import MerkleLog
from shared.audit.signing import Checkpoint, Signer, public_key_text
from shared.bus.streams import AUDIT, CHECKPOINT_ADDRESS, audit_stream, ensure_stream

AUDIT_STREAM = AUDIT
log = structlog.get_logger("shishi.audit")


def checkpoint_subject(service: str) -> str:
    return CHECKPOINT_ADDRESS.format(service=service)


def audit_stream_config(replicas: int = 1) -> StreamConfig:
    return audit_stream().config(replicas)


async def ensure_audit_stream(js: JetStreamContext, replicas: int = 1) -> None:
    await ensure_stream(js, audit_stream_config(replicas))


def checkpoint_message(checkpoint: Checkpoint, signer: Signer) -> bytes:
    return json.dumps({**checkpoint.as_dict(), "public_key": public_key_text(signer.public)}).encode()


class AuditFollower:
    def __init__(
        self,
        merkle: MerkleLog,
        app: Any,
        signer: Signer,
        *,
        every_events: int,
        every_seconds: float,
        poll_seconds: float = 0.5,
    ) -> None:
        self.log = merkle
        self.app = app
        self.signer = signer
        self.every_events = every_events
        self.every_seconds = every_seconds
        self.poll_seconds = poll_seconds
        self._last_checkpoint_at = time.monotonic()

    def catch_up(self) -> int:
        return self.log.follow(self.app.recorder)

    def step(self, now: float | None = None) -> Checkpoint | None:
        """Append what is new; sign when enough events or enough time have passed."""
        self.catch_up()
        latest = self.log.latest_checkpoint()
        pending = self.log.size() - (latest.size if latest else 0)
        now = time.monotonic() if now is None else now
        if pending <= 0:
            return None
        if pending >= self.every_events or now - self._last_checkpoint_at >= self.every_seconds:
            self._last_checkpoint_at = now
            return self.log.checkpoint(self.signer, datetime.now(UTC))
        return None

    async def publish(self, js: JetStreamContext | None) -> int:
        if js is None:
            return 0
        published = 0
        for cp in await asyncio.to_thread(self.log.unpublished):
            await js.publish(
                checkpoint_subject(cp.service),
                checkpoint_message(cp, self.signer),
                headers={"Nats-Msg-Id": f"audit:{cp.service}:{cp.size}:{cp.root[:16]}"},
            )
            await asyncio.to_thread(self.log.mark_published, cp)
            published += 1
        return published

    async def run(self, stopping: asyncio.Event, runtime: Any) -> None:
        stream_ready = False
        while not stopping.is_set():
            try:
                await asyncio.to_thread(self.step)
                js = getattr(runtime, "js", None)
                if js is not None and not stream_ready:
                    await ensure_audit_stream(js, getattr(getattr(runtime, "settings", None), "nats_replicas", 1))
                    stream_ready = True
                await self.publish(js if stream_ready else None)
            except Exception as exc:  # noqa: BLE001 - store or NATS unavailable: retry on the next tick
                log.warning("audit_follow_retry", error=str(exc))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), timeout=self.poll_seconds)
        try:
            await asyncio.to_thread(self.catch_up)
            await asyncio.to_thread(self.log.checkpoint, self.signer, datetime.now(UTC))
            if stream_ready:
                await self.publish(getattr(runtime, "js", None))
        except Exception as exc:  # noqa: BLE001 - shutting down: the next start signs it
            log.warning("audit_final_checkpoint_failed", error=str(exc))
