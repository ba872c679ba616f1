"""Durable pull consumers: batches in, one transaction per batch, exactly once in effect.

Each message is decoded (a decode error is poison), then the batch is applied through
``ServiceApplication.process_batch`` with one ``Tracking(<stream>, <stream sequence>)`` per
message in the same transaction as the events it causes, so a redelivery is recognised and
skipped. A handler that rejects a message (``Rejected``) makes it poison: it is sent to the
dead-letter stream with its reason and terminated. Any other error is transient: a batch of
several counties is applied again county by county, so one county's failure holds back only its own
messages (logged and counted per county); those are nak'ed with back-off, and after ``max_deliver``
attempts dead-lettered.

Replicas of a service share each durable consumer: the broker hands each message to one of them, and
again to another when the first does not ack within ``ack_wait`` (it died, or is slow). Should two
replicas then apply the same message at once, the second transaction fails on the tracking row the
first recorded (or on an aggregate version it wrote); it is applied again at once, finds the position
recorded and skips it: each message takes effect exactly once.

The next batch is fetched while the current one is applied. A consumer that is its stream's
only reader and must not leave applied messages in it (intake on HOTLINE) purges the stream
below its ack floor every second and when it stops: one purge instead of a deletion per message.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import structlog
from eventsourcing.persistence import IntegrityError
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from shared.bus.deadletter import Sealer, county_of_subject, send_to_deadletter
from shared.bus.patience import patiently
from shared.kernel.meta import RuleViolation
from shared.persistence.application import Inbound, ServiceApplication, UnitOfWork

log = structlog.get_logger("shishi.consumer")
MORE_SECONDS = 0.005  # after a batch's first message: how long more may take to come (they are there, or not)

Decoder = Callable[[Msg], Any]
Handler = Callable[[UnitOfWork, Inbound], None]
Prefetch = Callable[[UnitOfWork, Sequence[Inbound]], None]


class Rejected(RuleViolation):
    """A message that can never be processed (invalid, or refused by a domain rule)."""


@dataclass
class ConsumerStats:
    processed: int = 0
    skipped: int = 0
    dead_lettered: int = 0
    retried: int = 0
    batches: int = 0
    collisions: int = 0  # batches applied again after colliding with another replica's
    last_error: str = ""
    county_failures: dict[str, int] = field(default_factory=dict)  # county -> batches of it retried
    timings: list[float] = field(default_factory=list)


class Consumer:
    def __init__(
        self,
        *,
        js: JetStreamContext,
        app: ServiceApplication,
        service: str,
        stream: str,
        filter_subject: str,
        decode: Decoder,
        handle: Handler,
        prefetch: Prefetch | None = None,
        batch: int = 256,
        max_deliver: int = 5,
        ack_wait: float = 30.0,
        purge_processed: bool = False,
        seal_deadletter: Sealer | None = None,
        purge_seconds: float = 1.0,
    ) -> None:
        """``purge_processed``: this consumer is the stream's only reader, and what it has applied must
        not stay in the stream; every ``purge_seconds`` (and when it stops) the stream is purged below
        the consumer's ack floor, so only messages applied, dead-lettered or terminated go."""
        self.js = js
        self.app = app
        self.service = service
        self.stream = stream
        self.filter_subject = filter_subject
        self.decode = decode
        self.handle = handle
        self.prefetch = prefetch
        self.batch = batch
        self.max_deliver = max_deliver
        self.ack_wait = ack_wait
        self.durable = f"{service}-from-{stream.lower()}"
        self.stats = ConsumerStats()
        self._sub: JetStreamContext.PullSubscription | None = None
        self.purge_processed = purge_processed
        self.seal_deadletter = seal_deadletter  # bodies with personal details are sealed before they are stored
        self.purge_seconds = purge_seconds
        self._acked_upto = 0  # the highest stream sequence this consumer acked or terminated
        self._purged_below = 0
        self._purge: asyncio.Task[None] | None = None

    async def subscribe(self, patience: float = 60.0) -> None:
        """Create or find the durable and subscribe to it. A JetStream cluster that is still electing
        the stream's or the consumer's leader (replicas starting with it, a node just lost) answers
        nothing or "unavailable" for a few seconds: tried again with back-off for up to ``patience``
        seconds, so a replica starting then waits instead of failing its start."""
        await patiently(self._subscribe_once, f"consumer {self.durable}", patience)

    async def _subscribe_once(self) -> None:
        config = ConsumerConfig(
            durable_name=self.durable,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            filter_subject=self.filter_subject,
            # One more than our own limit: we dead-letter first. Unlimited on a stream we purge: the
            # server moves the ack floor past a message it stopped redelivering, and the purge would
            # then remove a message nobody applied; we dead-letter it ourselves (``process``).
            max_deliver=-1 if self.purge_processed else self.max_deliver + 1,
            ack_wait=self.ack_wait,
            max_ack_pending=max(self.batch * 4, 1000),
        )
        if self.purge_processed:  # a durable made by an earlier version keeps its limit unless updated
            with contextlib.suppress(NotFoundError):
                existing = await self.js.consumer_info(self.stream, self.durable)
                if existing.config.max_deliver != config.max_deliver:
                    await self.js.add_consumer(self.stream, config)  # create-or-update
                    log.info("consumer_updated", consumer=self.durable, max_deliver=config.max_deliver)
        self._sub = await self.js.pull_subscribe(
            self.filter_subject, durable=self.durable, stream=self.stream, config=config
        )

    def _note_done(self, msgs: Sequence[Msg]) -> None:
        """After acking or terminating ``msgs``: make sure the purge loop runs (when purging)."""
        if not self.purge_processed or not msgs:
            return
        self._acked_upto = max(self._acked_upto, *(m.metadata.sequence.stream for m in msgs))
        if self._purge is None or self._purge.done():
            self._purge = asyncio.create_task(self._purge_loop(), name=f"{self.durable}-purge")

    async def _purge_loop(self) -> None:
        """Every ``purge_seconds``, purge what was applied since the last purge."""
        while True:
            await asyncio.sleep(self.purge_seconds)
            if self._acked_upto >= self._purged_below:
                await self.purge_applied()

    async def purge_applied(self, wait: float = 0.0) -> int:
        """Purge the stream below the consumer's ack floor; returns the first sequence kept. With
        ``wait``, first give the broker up to that long to register the acks already sent."""
        try:
            await self.js._nc.flush(timeout=2)
            deadline = time.monotonic() + wait
            while True:
                floor = (await self.js.consumer_info(self.stream, self.durable)).ack_floor.stream_seq
                if floor >= self._acked_upto or time.monotonic() >= deadline:
                    break
                await asyncio.sleep(0.02)
            if floor + 1 > self._purged_below:
                await self.js.purge_stream(self.stream, seq=floor + 1)
                self._purged_below = floor + 1
                log.debug("stream_purged", stream=self.stream, below=floor + 1)
        except Exception as exc:  # noqa: BLE001 - the next purge catches up; nothing unprocessed is removed
            log.warning("stream_purge_failed", stream=self.stream, error=str(exc))
        return self._purged_below

    async def close(self) -> None:
        if self._purge is not None:
            self._purge.cancel()
            await asyncio.gather(self._purge, return_exceptions=True)
            self._purge = None
        if self.purge_processed and self._acked_upto >= self._purged_below:
            await self.purge_applied(wait=2.0)
        if self._sub is not None:
            with contextlib.suppress(Exception):  # closing anyway; the durable consumer stays on the server
                await self._sub.unsubscribe()
            self._sub = None

    async def run(self, stopping: asyncio.Event) -> None:
        """Fetch the next batch while the current one is applied (one batch queued, a second held by
        the fetcher until there is room), so the wait for the broker overlaps the work instead of
        adding to it. Batches fetched but not applied go back to the broker (nak) when stopping."""
        ahead: asyncio.Queue[list[Msg]] = asyncio.Queue(maxsize=1)
        fetcher = asyncio.create_task(self._fetch_ahead(ahead, stopping), name=f"{self.durable}-fetch")
        try:
            while not stopping.is_set():
                try:
                    msgs = await asyncio.wait_for(ahead.get(), timeout=0.5)
                except TimeoutError:
                    if fetcher.done():  # it only ends when stopping; anything else is a bug to surface
                        fetcher.result()
                    continue
                try:
                    await self.process(msgs)
                except Exception as exc:  # broker hiccup while acking: unacked messages come back
                    self.stats.last_error = str(exc)
                    log.warning("consumer_error", consumer=self.durable, error=str(exc))
                    await asyncio.sleep(1.0)
        finally:
            fetcher.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):  # stopping anyway
                await fetcher
            while not ahead.empty():  # fetched, not applied: back to the broker now, not after ack_wait
                for msg in ahead.get_nowait():
                    with contextlib.suppress(Exception):  # redelivered after ack_wait instead
                        await msg.nak()

    async def fetch_batch(self, sub: JetStreamContext.PullSubscription) -> list[Msg]:
        """The next batch, as soon as there is one message: that message and whatever else the stream
        holds for us right now (up to ``batch``). One ``fetch(batch)`` would wait, once a first message
        came, until the batch was full or half a second had passed: at a few hundred tickets a second
        that wait was most of a ticket's latency. Raises ``TimeoutError`` after half a second of nothing."""
        msgs = await sub.fetch(1, timeout=0.5)
        if self.batch > 1:
            with contextlib.suppress(TimeoutError):
                msgs += await sub.fetch(self.batch - 1, timeout=MORE_SECONDS)
        return msgs

    async def _fetch_ahead(self, ahead: asyncio.Queue[list[Msg]], stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            try:
                if self._sub is None:
                    await self.subscribe()
                assert self._sub is not None
                try:
                    msgs = await self.fetch_batch(self._sub)
                except TimeoutError:
                    continue
                try:
                    await ahead.put(msgs)
                except asyncio.CancelledError:  # stopping while a batch waits its turn: give it back
                    for msg in msgs:
                        with contextlib.suppress(Exception):  # redelivered after ack_wait instead
                            await msg.nak()
                    raise
            except Exception as exc:  # broker hiccup: nothing was acked, so nothing is lost
                self.stats.last_error = str(exc)
                log.warning("consumer_error", consumer=self.durable, error=str(exc))
                self._sub = None
                await asyncio.sleep(1.0)

    async def process(self, msgs: list[Msg]) -> None:
        started = time.perf_counter()
        good: list[tuple[Msg, Inbound]] = []
        for msg in msgs:
            if msg.metadata.num_delivered > self.max_deliver:  # every earlier attempt ended with the process
                await self._dead_letter(
                    msg,
                    f"delivered {msg.metadata.num_delivered} times without being "
                    "applied (the service stopped while applying it each time)",
                )
                continue
            try:
                body = self.decode(msg)
            except ValueError as exc:
                await self._dead_letter(msg, f"invalid message: {exc}")
                continue
            good.append((msg, Inbound(self.stream, msg.metadata.sequence.stream, body)))
        if good:
            await self._apply(good)
        self.stats.batches += 1
        self.stats.timings.append(time.perf_counter() - started)
        del self.stats.timings[:-1000]

    async def _process(self, inbound: list[Inbound], attempts: int = 3) -> None:
        """``process_batch`` in a thread; a batch that collided with another replica's (the same message
        given to both, or the same aggregate written by both) is applied again at once: positions the
        other recorded are skipped, aggregates reloaded."""
        for attempt in range(1, attempts + 1):
            try:
                await asyncio.to_thread(self.app.process_batch, inbound, self.handle, self.prefetch)
                return
            except IntegrityError as exc:
                if attempt == attempts:
                    raise
                self.stats.collisions += 1
                log.info("consumer_collision", consumer=self.durable, attempt=attempt, error=str(exc))

    async def _apply(self, good: list[tuple[Msg, Inbound]]) -> None:
        try:
            await self._process([i for _, i in good])
        except RuleViolation:
            # Find the poison one by one; the rest are applied individually.
            for msg, inbound in good:
                await self._apply_one(msg, inbound)
            return
        except Exception as exc:
            counties = {county_of_subject(msg.subject) for msg, _ in good}
            if len(counties) > 1:  # one county's failure must not hold back every other county's messages
                for county in sorted(counties):
                    await self._apply([(m, i) for m, i in good if county_of_subject(m.subject) == county])
                return
            (county,) = counties
            self.stats.county_failures[county] = self.stats.county_failures.get(county, 0) + 1
            log.error("consumer_county_failed", consumer=self.durable, county=county, error=repr(exc))
            await self._retry_later(good, exc)
            return
        for msg, _ in good:  # each ack is a write to the connection, not a round trip: no task each
            await msg.ack()
        self.stats.processed += len(good)
        self._note_done([msg for msg, _ in good])
        for msg, inbound in good:
            log.info(
                "message_handled",
                consumer=self.durable,
                subject=msg.subject,
                county=county_of_subject(msg.subject),
                stream_seq=inbound.sequence,
                event_id=getattr(inbound.body, "event_id", None) and str(inbound.body.event_id),
                correlation_id=getattr(inbound.body, "correlation_id", None),
            )

    async def _apply_one(self, msg: Msg, inbound: Inbound) -> None:
        try:
            await self._process([inbound])
        except RuleViolation as exc:
            await self._dead_letter(msg, f"rejected: {exc}")
            return
        except Exception as exc:
            await self._retry_later([(msg, inbound)], exc)
            return
        await msg.ack()
        self.stats.processed += 1
        self._note_done([msg])

    async def _retry_later(self, good: list[tuple[Msg, Inbound]], exc: Exception) -> None:
        self.stats.last_error = f"{type(exc).__name__}: {exc}"
        log.warning("batch_retry", consumer=self.durable, error=self.stats.last_error, size=len(good))
        for msg, _ in good:
            delivered = msg.metadata.num_delivered
            if delivered >= self.max_deliver:
                await self._dead_letter(
                    msg, f"exceeded {self.max_deliver} deliveries; last error: {self.stats.last_error}"
                )
            else:
                self.stats.retried += 1
                await msg.nak(delay=min(0.5 * 2 ** (delivered - 1), 30.0))

    async def _dead_letter(self, msg: Msg, reason: str) -> None:
        await send_to_deadletter(
            self.js, msg, service=self.service, consumer=self.durable, reason=reason, seal=self.seal_deadletter
        )
        await msg.term()
        self.stats.dead_lettered += 1
        self._note_done([msg])
        log.warning(
            "message_dead_lettered",
            consumer=self.durable,
            subject=msg.subject,
            county=county_of_subject(msg.subject),
            stream_seq=msg.metadata.sequence.stream,
            reason=reason,
        )
