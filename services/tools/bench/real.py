"""The real path: hotline tickets -> intake consumer -> event store -> outbox relay -> hotline.accepted.

Tickets are published as fast as the broker acknowledges them (pipelined windows); each
ticket's ``hotline.accepted`` event is read back from the INTAKE stream by an ordered consumer,
so only events the broker has stored count, and matched to its ticket by ``payload.ticket_id``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from dataclasses import dataclass, field
from datetime import datetime

from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import DeliverPolicy

from services.tools.bench.pacing import publish
from services.tools.bench.report import Phase
from shared.contracts import HotlineTicket
from shared.contracts.intake import HotlineTicketAccepted

PUBLISH_WINDOW = 256
STALL_SECONDS = 30.0  # no new accepted event for this long: the run has failed
INTAKE_STREAM = "INTAKE"
WALL_MINUS_PERF = time.time() - time.perf_counter()  # to place intake's recorded_at (wall clock) on perf_counter


@dataclass
class Arrivals:
    """Send and arrival times (perf_counter seconds) per ticket id, and when intake recorded each
    ticket's event (the envelope's ``recorded_at``, as perf_counter seconds of this process)."""

    expected: set[str]
    sent: dict[str, float] = field(default_factory=dict)
    arrived: dict[str, float] = field(default_factory=dict)
    recorded: dict[str, float] = field(default_factory=dict)
    duplicates: int = 0
    complete: asyncio.Event = field(default_factory=asyncio.Event)

    async def on_accepted(self, msg: Msg) -> None:
        now = time.perf_counter()
        envelope = json.loads(msg.data)
        ticket_id = envelope["payload"]["ticket_id"]
        if ticket_id not in self.expected:
            return  # an earlier run's ticket, in a kept --data-dir
        if ticket_id in self.arrived:
            self.duplicates += 1
            return
        self.arrived[ticket_id] = now
        recorded_at = datetime.fromisoformat(envelope["recorded_at"]).timestamp()
        self.recorded[ticket_id] = recorded_at - WALL_MINUS_PERF
        if len(self.arrived) == len(self.expected):
            self.complete.set()

    def latencies_ms(self) -> list[float]:
        return [(self.arrived[t] - self.sent[t]) * 1000 for t in self.arrived]

    def to_recorded_ms(self) -> list[float]:
        """Publish -> intake recorded the ticket's event (consumer, batch, domain)."""
        return [(self.recorded[t] - self.sent[t]) * 1000 for t in self.arrived]


@dataclass(frozen=True)
class RealResult:
    phase: Phase
    latencies_ms: list[float]
    recorded_ms: list[float]
    accepted: int


async def accepted_count(js: JetStreamContext, subject: str) -> int:
    info = await js.stream_info(INTAKE_STREAM, subjects_filter=subject)
    return int((info.state.subjects or {}).get(subject, 0))


async def publish_tickets(
    js: JetStreamContext,
    subject: str,
    tickets: list[tuple[str, bytes]],
    sent: dict[str, float],
    rate: float | None = None,
) -> None:
    times = [0.0] * len(tickets)
    try:
        await publish(js, subject, [body for _, body in tickets], rate=rate, window=PUBLISH_WINDOW, sent=times)
    finally:
        sent.update((ticket_id, at) for (ticket_id, _), at in zip(tickets, times, strict=True) if at)


async def wait_for_all(arrivals: Arrivals) -> None:
    """Wait while accepted events keep arriving; fail after STALL_SECONDS without progress."""
    seen = -1
    while not arrivals.complete.is_set():
        if len(arrivals.arrived) == seen:
            missing = len(arrivals.expected) - seen
            raise RuntimeError(
                f"{missing} of {len(arrivals.expected)} tickets produced no hotline.accepted "
                f"event within {STALL_SECONDS:.0f}s (see the intake log)"
            )
        seen = len(arrivals.arrived)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(arrivals.complete.wait(), timeout=STALL_SECONDS)


async def measure_real(
    js: JetStreamContext, county: str, tickets: list[tuple[str, bytes]], rate: float | None = None
) -> RealResult:
    """Publish ``tickets`` (ticket id, body) to a running intake service (as fast as the broker takes
    them, or offered at ``rate`` a second) and time their acceptance."""
    accepted_subject = HotlineTicketAccepted.subject(county)
    arrivals = Arrivals(expected={t for t, _ in tickets})
    if len(arrivals.expected) != len(tickets):
        raise ValueError("ticket ids must be distinct")
    before = await accepted_count(js, accepted_subject)
    sub = await js.subscribe(
        accepted_subject, cb=arrivals.on_accepted, ordered_consumer=True, deliver_policy=DeliverPolicy.NEW
    )
    try:
        await publish_tickets(js, HotlineTicket.subject(county), tickets, arrivals.sent, rate)
        await wait_for_all(arrivals)
    finally:
        await sub.unsubscribe()
    first_sent, last_arrived = min(arrivals.sent.values()), max(arrivals.arrived.values())
    stored = await accepted_count(js, accepted_subject) - before
    if arrivals.duplicates or stored != len(tickets):
        raise RuntimeError(
            f"expected exactly one hotline.accepted per ticket: {len(tickets)} tickets, "
            f"{stored} stored in {INTAKE_STREAM}, {arrivals.duplicates} duplicate deliveries"
        )
    return RealResult(
        Phase(len(tickets), last_arrived - first_sent),
        arrivals.latencies_ms(),
        arrivals.to_recorded_ms(),
        len(arrivals.arrived),
    )
