"""The outbox relay: stored events -> contract envelopes -> JetStream, exactly once in effect.

It follows the service's notification log (polling on SQLite, woken by LISTEN/NOTIFY on
PostgreSQL and by in-process saves), publishes each contract with
``Nats-Msg-Id = <service>:<notification_id>[/<n>]`` (each batch as one JetStream atomic
batch, see ``shared.bus.batches``) and records its position in the service's own store. After a
crash it resumes from the larger of its recorded position and the last message of its stream, so
nothing is skipped and nothing is published twice.

While saves come one after another (residents submitting, hotline tickets) the relay publishes
at most every ``GATHER_SECONDS``, everything stored meanwhile together; a save on a quiet day goes out
at once. One publish per request would compete with the requests still coming (for the service's
interpreter and, through the broker's fsync, for the disk).

The position is recorded at most every ``RECORD_SECONDS`` (and when the relay stops), not after every
batch: each record is a durable write to the event store, competing with the service's own writes
(one per resident's demand at one demand at a time). Where it resumes does not depend on it while the
stream holds the last message; otherwise what it published since the record goes out again and
``Nats-Msg-Id`` drops it.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import structlog
from eventsourcing.persistence import Notification, Tracking
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from shared.bus.batches import BatchPublisher, Outgoing
from shared.contracts.envelope import Actor, Contract, Envelope
from shared.kernel.meta import Meta
from shared.persistence.application import ServiceApplication
from shared.persistence.notifications import follow, next_batch

POSITION = "outbox:nats"
RECORD_SECONDS = 0.25  # the longest a published position goes unrecorded while the relay runs
GATHER_SECONDS = 0.02  # saves one after another are published together, at most this long after the first
EVENT_NAMESPACE = uuid.UUID("6f1c1d8e-3c55-4b8e-9b51-6d0a6c3a0f10")

Translator = Callable[[Any], Iterable[Contract]]
log = structlog.get_logger("shishi.relay")


def envelope_for(service: str, notification_id: int, index: int, domain_event: Any, contract: Contract) -> Envelope:
    meta: Meta = domain_event.meta
    return Envelope(
        event_id=uuid.uuid5(EVENT_NAMESPACE, f"{service}:{notification_id}/{index}"),
        type=contract.type_name(),
        schema_version=contract.SCHEMA_VERSION,
        county=meta.county,
        occurred_at=meta.occurred_at,
        recorded_at=domain_event.timestamp,
        actor=Actor(role=meta.actor_role, id=meta.actor_id),
        correlation_id=meta.correlation_id,
        causation_id=meta.causation_id,
        payload=contract.model_dump(mode="json"),
    )


def msg_id(service: str, notification_id: int, index: int) -> str:
    return f"{service}:{notification_id}" if index == 0 else f"{service}:{notification_id}/{index}"


def notification_of_msg_id(value: str) -> int | None:
    _, _, rest = value.partition(":")
    try:
        return int(rest.split("/", 1)[0])
    except ValueError:
        return None


class OutboxRelay:
    def __init__(
        self,
        app: ServiceApplication,
        *,
        service: str,
        translate: Translator,
        js: JetStreamContext,
        batch: int = 500,
        poll_seconds: float = 0.05,
        topics: Sequence[str] | None = None,
        atomic: bool = True,
        gather_seconds: float = GATHER_SECONDS,
    ) -> None:
        """``topics``: the stored topics ``translate`` can publish (None: all); others are not decoded.
        ``atomic``: publish each batch as one JetStream atomic batch (turned off by itself when the
        server or the stream does not allow it). ``gather_seconds``: a batch published, the next waits
        this long after it began (``follow``): under a stream of saves, one publish per this interval."""
        self.app = app
        self.publisher = BatchPublisher(js, service.upper(), atomic=atomic)
        self.topics = topics
        self.service = service
        self.translate = translate
        self.js = js
        self.batch = batch
        self.poll_seconds = poll_seconds
        self.gather_seconds = gather_seconds
        self.stream = service.upper()
        self.wakeup = asyncio.Event()
        self.published = 0
        self._position: int | None = None
        self._recorded: int | None = None  # the position last written to the store
        self._recorded_at = 0.0  # its time (monotonic)

    @property
    def position(self) -> int | None:
        """The last notification id handled (published or skipped); None before the relay started."""
        return self._position

    def nudge(self) -> None:
        """Called (from any thread) after a save: publish without waiting for the next poll."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self.wakeup.set)

    _loop: asyncio.AbstractEventLoop | None = None
    _subscription: Any = None  # the PostgreSQL recorder's LISTEN subscription (untyped in the library)

    async def start_position(self) -> int:
        recorded = await asyncio.to_thread(self.app.recorder.max_tracking_id, POSITION) or 0
        self._recorded = recorded
        last_published = 0
        try:
            info = await self.js.stream_info(self.stream)
            if info.state.messages:
                last = await self.js.get_msg(self.stream, info.state.last_seq)
                value = (last.headers or {}).get("Nats-Msg-Id", "")
                last_published = notification_of_msg_id(value) or 0
        except NotFoundError:
            pass
        # The last stored message's notification is published again: had only part of its contracts
        # been stored (a failure between two of them), the rest go out now; Nats-Msg-Id drops the others.
        return max(recorded, last_published - 1)

    async def relay_once(self) -> int:
        """Publish the next batch of notifications; returns how many notifications were handled."""
        if self._position is None:
            self._position = await self.start_position()
        notifications: list[Notification]
        notifications, new_position = await asyncio.to_thread(
            next_batch, self.app.recorder, self._position, self.batch, self.topics
        )
        if new_position == self._position:
            await self.record(at_most_every=RECORD_SECONDS)
            return 0
        groups: list[list[Outgoing]] = []
        for n in notifications:
            domain_event = self.app.mapper.to_domain_event(n)
            groups.append(
                [
                    (env.subject(), env.model_dump_json().encode(), {"Nats-Msg-Id": msg_id(self.service, n.id, index)})
                    for index, env in (
                        (i, envelope_for(self.service, n.id, i, domain_event, c))
                        for i, c in enumerate(self.translate(domain_event))
                    )
                ]
            )
        await self.publisher.publish(groups)
        self._position = new_position
        self.published += sum(len(g) for g in groups)
        await self.record(at_most_every=RECORD_SECONDS)
        return len(notifications)

    async def record(self, at_most_every: float = 0.0) -> None:
        """Write the position reached to the store, unless it is written already or was written less
        than ``at_most_every`` seconds ago."""
        position = self._position
        now = time.monotonic()
        if position is None or position <= (self._recorded or 0) or now - self._recorded_at < at_most_every:
            return
        await asyncio.to_thread(self.app.recorder.insert_tracking, Tracking(POSITION, position))
        self._recorded, self._recorded_at = position, now

    async def run(self, stopping: asyncio.Event) -> None:
        self._loop = asyncio.get_running_loop()
        listener = self._start_listener(stopping)

        def retry(exc: Exception) -> None:  # broker or store unavailable: resume from what is recorded
            log.warning("relay_retry", error=str(exc), stream=self.stream)
            self._position = None

        await follow(
            stopping,
            self.relay_once,
            batch=self.batch,
            poll_seconds=self.poll_seconds,
            wakeup=self.wakeup,
            retry=retry,
            gather_seconds=self.gather_seconds,
        )
        with contextlib.suppress(Exception):  # the store is gone: the next start resumes from the stream
            await self.record()
        if listener is not None:
            subscription = self._subscription
            if subscription is not None:
                subscription.stop()  # unblocks the LISTEN thread
            listener.join(timeout=2)

    def _start_listener(self, stopping: asyncio.Event) -> threading.Thread | None:
        """On PostgreSQL, LISTEN/NOTIFY wakes the relay as soon as any writer commits."""
        subscribe = getattr(self.app.recorder, "subscribe", None)
        if subscribe is None or "Postgres" not in type(self.app.recorder).__name__:
            return None

        def listen() -> None:
            try:
                with subscribe(gt=self.app.recorder.max_notification_id()) as subscription:
                    self._subscription = subscription
                    for _ in subscription:
                        self.nudge()
                        if stopping.is_set():
                            break
            except Exception as exc:  # the poll loop still runs
                log.warning("relay_listen_stopped", error=str(exc))

        thread = threading.Thread(target=listen, name=f"{self.service}-listen", daemon=True)
        thread.start()
        return thread
