"""JetStream streams, declared idempotently at start-up by every process that needs them.

What the code owns in a stream's configuration, and restores when it differs: its subjects, its
retention and storage, the atomic-batch and direct-get flags, and a duplicate window at least as long
as ``DUPLICATE_WINDOW_SECONDS`` (the outbox relay's exactly-once rests on it). Everything else is the
operator's once the stream exists, and is never reverted on start: replicas (created with
``SHISHI_NATS_REPLICAS``), limits (max bytes, age, messages), the discard policy, sources and mirrors,
placement, compression (``deploy/nats/cluster/streams.yaml`` and ``apply_stream_limits.py`` set them).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace

import nats.errors
import structlog
from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import APIError, NotFoundError

from shared.bus.patience import patiently
from shared.config import SERVICES

log = structlog.get_logger("shishi.streams")

DUPLICATE_WINDOW_SECONDS = 2 * 3600
DEADLETTER = "DEADLETTER"
HOTLINE = "HOTLINE"
JOURNAL = "JOURNAL"
AUDIT = "AUDIT"
JOURNAL_ADDRESS = "journal.{service}"  # every stored event of the service, as stored (shared.runtime.journal)
CHECKPOINT_ADDRESS = "audit.{service}.checkpoints"  # its signed Merkle-log checkpoints (shared.audit.follower)


@dataclass(frozen=True)
class StreamSpec:
    name: str
    subjects: tuple[str, ...]
    retention: RetentionPolicy = RetentionPolicy.LIMITS
    atomic: bool = False  # accepts atomic batch publishes (nats-server >= 2.12)
    direct: bool = False  # answers direct gets (a service reads its own subject's last message only)
    # When the stream is full (an operator's limits): refuse what comes (the publisher retries and the
    # operator is alerted) rather than drop the oldest, wherever a dropped message would be a lost
    # ticket, event or checkpoint. Only dead letters drop their oldest.
    discard: DiscardPolicy = DiscardPolicy.NEW

    def config(self, replicas: int = 1) -> StreamConfig:
        """The configuration the stream is created with; ``replicas``: ``SHISHI_NATS_REPLICAS``."""
        return StreamConfig(
            allow_atomic=self.atomic or None,
            allow_direct=self.direct or None,
            name=self.name,
            subjects=list(self.subjects),
            storage=StorageType.FILE,
            retention=self.retention,
            discard=self.discard,
            duplicate_window=DUPLICATE_WINDOW_SECONDS,
            num_replicas=replicas,
        )


def service_stream(service: str) -> StreamSpec:
    """The stream of one producing service's contract events: ``shishi.<county>.<service>.>``."""
    return StreamSpec(service.upper(), (f"shishi.*.{service}.>",), atomic=True)  # the relay publishes in batches


def all_streams() -> list[StreamSpec]:
    return [
        *(service_stream(s) for s in SERVICES),
        # Tickets are purged once intake has applied them (its consumer purges up to its ack floor, see
        # ``Consumer(purge_processed=True)``), so the caller's details (in clear in the hotline's own
        # message) live on only in intake's sealed, erasable contact store. One purge per second
        # instead of a work queue's deletion per message: a sixth of the real path's time.
        StreamSpec(HOTLINE, ("hotline.*.tickets",)),
        StreamSpec(DEADLETTER, ("shishi.*.deadletter.>",), discard=DiscardPolicy.OLD),
        # Every stored event of each service, as stored (shared.runtime.journal): NATS alone rebuilds every store.
        StreamSpec(JOURNAL, ("journal.*",), atomic=True, direct=True),
    ]


def audit_stream() -> StreamSpec:
    """Checkpoints belong to a service's log, not to a county: their own stream outside ``shishi.<county>.>``,
    declared by the audit follower (``shared.audit.follower``), not with the others."""
    return StreamSpec(AUDIT, (CHECKPOINT_ADDRESS.format(service="*"),))


OWNERS = {**{s.upper(): s for s in SERVICES}, HOTLINE: "intake"}  # who may change each stream's configuration
# DEADLETTER, JOURNAL and AUDIT are shared (every service writes its own subjects there): no
# service may change them; an operator applies a changed configuration (see deploy/nats).


def same_config(existing: StreamConfig, declared: StreamConfig) -> bool:
    """Whether a stream already has every setting the code owns (module docstring); the rest (replicas,
    limits, discard, sources ...) is the operator's and never compared."""
    return (
        sorted(existing.subjects or []) == sorted(declared.subjects or [])
        and existing.retention == declared.retention
        and existing.storage == declared.storage
        and (existing.duplicate_window or 0) >= (declared.duplicate_window or 0) - 1
        and bool(existing.allow_atomic) == bool(declared.allow_atomic)
        and bool(existing.allow_direct) == bool(declared.allow_direct)
    )


def merged_config(existing: StreamConfig, declared: StreamConfig) -> StreamConfig:
    """``existing`` with the settings the code owns taken from ``declared``: what an update sends, so
    that nothing an operator set is lost (an update replaces the whole configuration)."""
    metadata = {k: v for k, v in (existing.metadata or {}).items() if not k.startswith("_nats.")}
    return replace(
        existing,
        subjects=declared.subjects,
        retention=declared.retention,
        storage=declared.storage,
        duplicate_window=max(existing.duplicate_window or 0, declared.duplicate_window or 0),
        allow_atomic=declared.allow_atomic,
        allow_direct=declared.allow_direct,
        metadata=metadata or None,
    )


async def ensure_stream(js: JetStreamContext, config: StreamConfig) -> None:
    """Create the stream if missing (with ``config``, replicas included); else update it only if a
    setting the code owns differs, keeping every other setting as it is (``merged_config``).

    Under the deploy configuration only a stream's owner may update it (``OWNERS``): a service
    cannot loosen or tighten another's stream, nor a shared one. An update refused (not the
    owner, or a change the server cannot apply in place, such as another retention policy of a
    stream an older version created) is logged and the existing stream is used as it is.
    """
    name = config.name or ""
    try:
        existing = (await js.stream_info(name)).config
    except NotFoundError:
        try:
            await js.add_stream(config)
            return
        except Exception:  # noqa: BLE001 - another process created it first
            existing = (await js.stream_info(name)).config
    if (existing.num_replicas or 1) != (config.num_replicas or 1):
        log.info("stream_replicas_kept", stream=name, replicas=existing.num_replicas, configured=config.num_replicas)
    if same_config(existing, config):
        return
    try:
        await js.update_stream(merged_config(existing, config))
    except (APIError, TimeoutError, nats.errors.TimeoutError) as exc:  # a refused publish times out
        log.warning(
            "stream_not_updated",
            stream=config.name,
            owner=OWNERS.get(str(config.name), "operator"),
            reason=str(exc) or type(exc).__name__,
        )


async def ensure_streams(js: JetStreamContext, specs: list[StreamSpec] | None = None, *, replicas: int = 1) -> None:
    """Every stream declared (``ensure_stream``), new ones with ``replicas``; safe to run concurrently."""
    for spec in specs or all_streams():
        config = spec.config(replicas)
        await patiently(functools.partial(ensure_stream, js, config), f"stream {config.name}")
