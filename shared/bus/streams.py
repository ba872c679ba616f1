"""JetStream streams, declared idempotently at start-up by every process that needs them."""

from __future__ import annotations

from dataclasses import dataclass

from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
import structlog
from nats.js.errors import APIError, NotFoundError

from shared.config import SERVICES

log = structlog.get_logger("shishi.streams")

DUPLICATE_WINDOW_SECONDS = 2 * 3600
DEADLETTER = "DEADLETTER"
HOTLINE = "HOTLINE"
JOURNAL = "JOURNAL"


@dataclass(frozen=True)
class StreamSpec:
    name: str
    subjects: tuple[str, ...]
    retention: RetentionPolicy = RetentionPolicy.LIMITS
    atomic: bool = False  # accepts atomic batch publishes (nats-server >= 2.12)
    direct: bool = False  # answers direct gets (a service reads its own subject's last message only)

    def config(self) -> StreamConfig:
        return StreamConfig(
            allow_atomic=self.atomic or None,
            allow_direct=self.direct or None,
            name=self.name,
            subjects=list(self.subjects),
            storage=StorageType.FILE,
            retention=self.retention,
            discard=DiscardPolicy.OLD,
            duplicate_window=DUPLICATE_WINDOW_SECONDS,
            num_replicas=1,
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
        StreamSpec(DEADLETTER, ("shishi.*.deadletter.>",)),
        # Every stored event of each service, as stored (shared.journal): NATS alone rebuilds every store.
        StreamSpec(JOURNAL, ("journal.*",), atomic=True, direct=True),
    ]


async def ensure_streams(js: JetStreamContext, specs: list[StreamSpec] | None = None) -> None:
    """Create each stream, or update it to the declared config; safe to run concurrently.

    A change the server cannot apply in place (a stream created by an older version with another
    retention policy) is reported in the log and the existing stream is used as it is.
    """
    for spec in specs or all_streams():
        config = spec.config()
        try:
            await js.stream_info(spec.name)
        except NotFoundError:
            try:
                await js.add_stream(config)
                continue
            except Exception:  # another process created it first: fall through to update
                pass
        try:
            await js.update_stream(config)
        except APIError as exc:
            log.warning("stream_not_updated", stream=spec.name, reason=str(exc))
