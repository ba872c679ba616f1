"""``follow`` with ``gather_seconds`` (the outbox relay's): a save after a quiet spell is handled at
once; saves one after another are handled together, no more than one step per interval; a full batch
(a backlog) goes on at once; stopping is not held up by the interval."""

from __future__ import annotations

import asyncio

from shared.persistence.notifications import follow


class Log:
    """A notification log the test appends to; each step takes everything new (at most ``batch``)."""

    def __init__(self, batch: int = 100) -> None:
        self.stored = 0
        self.handled = 0
        self.batch = batch
        self.steps: list[tuple[float, int]] = []  # (loop time, handled)
        self.wakeup = asyncio.Event()

    def save(self, n: int = 1) -> None:
        self.stored += n
        self.wakeup.set()

    async def step(self) -> int:
        n = min(self.stored - self.handled, self.batch)
        self.handled += n
        self.steps.append((asyncio.get_running_loop().time(), n))
        return n


def run(log: Log, scenario, gather: float) -> None:  # type: ignore[no-untyped-def]
    async def main() -> None:
        stopping = asyncio.Event()

        def retry(exc: Exception) -> None:
            raise AssertionError(exc)

        follower = asyncio.create_task(
            follow(
                stopping,
                log.step,
                batch=log.batch,
                poll_seconds=30.0,  # only wake-ups move it in these tests
                wakeup=log.wakeup,
                retry=retry,
                gather_seconds=gather,
            )
        )
        await asyncio.sleep(0.01)
        await scenario()
        began = asyncio.get_running_loop().time()
        stopping.set()
        log.wakeup.set()  # otherwise the wait for a wake-up (not the interval) ends at the next poll, 30 s here
        await asyncio.wait_for(follower, timeout=1.0)
        assert asyncio.get_running_loop().time() - began < 0.5  # the interval does not hold stopping up

    asyncio.run(main())


def test_a_save_after_a_quiet_spell_is_handled_at_once() -> None:
    log = Log()

    async def scenario() -> None:
        at = asyncio.get_running_loop().time()
        log.save()
        while log.handled < 1:
            await asyncio.sleep(0.001)
        assert asyncio.get_running_loop().time() - at < 0.5  # not a gather interval of 5 s

    run(log, scenario, gather=5.0)


def test_saves_one_after_another_are_handled_together_once_per_interval() -> None:
    log = Log()

    async def scenario() -> None:
        for _ in range(100):  # a save every 2 ms for 0.2 s
            log.save()
            await asyncio.sleep(0.002)
        while log.handled < log.stored:
            await asyncio.sleep(0.01)

    run(log, scenario, gather=0.05)
    busy = [(t, n) for t, n in log.steps if n]
    assert sum(n for _, n in busy) == 100  # nothing lost
    assert len(busy) <= 8  # about 0.2 s / 0.05 s, not one step per save
    assert all(b[0] - a[0] >= 0.049 for a, b in zip(busy, busy[1:], strict=False))


def test_without_gathering_each_save_is_its_own_step() -> None:
    log = Log()

    async def scenario() -> None:
        for _ in range(20):
            log.save()
            await asyncio.sleep(0.005)
        while log.handled < log.stored:
            await asyncio.sleep(0.01)

    run(log, scenario, gather=0.0)
    assert len([n for _, n in log.steps if n]) >= 15


def test_a_full_batch_goes_on_at_once() -> None:
    log = Log(batch=10)

    async def scenario() -> None:
        at = asyncio.get_running_loop().time()
        log.save(95)  # a backlog of ten batches
        while log.handled < log.stored:
            await asyncio.sleep(0.001)
        assert asyncio.get_running_loop().time() - at < 2.0  # not nine intervals of 5 s

    run(log, scenario, gather=5.0)
