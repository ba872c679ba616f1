"""Publishing tickets to JetStream: as fast as the broker acknowledges them (windows of concurrent
publishes), or at a fixed offered rate (``shishi bench pipeline --rate R``).

At a fixed rate each ticket has its due moment (``i / rate`` after the first); every tick the ones
due are sent without waiting for the broker's acknowledgement of the earlier ones, so a slow
acknowledgement does not slow the offer. Should more than ``MAX_IN_FLIGHT`` publishes wait for
their acknowledgement, the publisher waits too, and the achieved rate shows it fell behind.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

from nats.js import JetStreamContext

TICK_SECONDS = 0.002
MAX_IN_FLIGHT = 2000


async def publish_windowed(
    js: JetStreamContext, subject: str, bodies: Sequence[bytes], window: int, sent: list[float] | None = None
) -> None:
    """Windows of ``window`` concurrent publishes, each window acknowledged before the next."""

    async def one(index: int, body: bytes) -> None:
        if sent is not None:
            sent[index] = time.perf_counter()
        await js.publish(subject, body)

    for start in range(0, len(bodies), window):
        await asyncio.gather(*(one(start + i, b) for i, b in enumerate(bodies[start : start + window])))


async def publish_at_rate(
    js: JetStreamContext, subject: str, bodies: Sequence[bytes], rate: float, sent: list[float] | None = None
) -> None:
    """Offer ``bodies`` at ``rate`` a second; ``sent[i]`` is when body i went out."""
    in_flight: set[asyncio.Task] = set()
    started = time.perf_counter()
    for index, body in enumerate(bodies):
        due = started + index / rate
        now = time.perf_counter()
        if due > now + TICK_SECONDS:
            await asyncio.sleep(due - now)
        while len(in_flight) >= MAX_IN_FLIGHT:
            await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
        if sent is not None:
            sent[index] = time.perf_counter()
        task = asyncio.ensure_future(js.publish(subject, body))
        in_flight.add(task)
        task.add_done_callback(in_flight.discard)
    if in_flight:
        await asyncio.gather(*in_flight)


async def publish(
    js: JetStreamContext,
    subject: str,
    bodies: Sequence[bytes],
    *,
    rate: float | None,
    window: int,
    sent: list[float] | None = None,
) -> None:
    if rate is None:
        await publish_windowed(js, subject, bodies, window, sent)
    else:
        await publish_at_rate(js, subject, bodies, rate, sent)
