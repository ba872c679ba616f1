"""The companion wakes its followers at once after a quiet spell, gathers the service's wake-ups that
follow close behind (one fold, one audit transaction, one journal message for the saves between
them), wakes them at once for a page waiting on the read models, and stops when its input ends."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from shared.runtime.companion import NUDGE, URGENT, _watch_input


class Runtime:
    def __init__(self) -> None:
        self.nudges = 0
        self.changed = threading.Condition()

    def nudge_followers(self) -> None:
        with self.changed:
            self.nudges += 1
            self.changed.notify_all()

    def wait_for(self, nudges: int, timeout: float) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: self.nudges >= nudges, timeout=timeout)


class Loop:
    def call_soon_threadsafe(self, callback: Any, *args: Any) -> None:
        callback(*args)


class Watched:
    def __init__(self, gather: float) -> None:
        self.read, self.write = os.pipe()
        self.runtime, self.stopping = Runtime(), threading.Event()
        self.thread = threading.Thread(
            target=_watch_input, args=(Loop(), self.runtime, self.stopping, self.read, gather), daemon=True
        )
        self.thread.start()

    def send(self, byte: bytes = NUDGE) -> None:
        os.write(self.write, byte)

    def end(self) -> None:
        os.close(self.write)
        self.thread.join(timeout=5)


@pytest.fixture
def watched() -> Iterator[Any]:
    made: list[Watched] = []

    def make(gather: float) -> Watched:
        made.append(Watched(gather))
        return made[-1]

    yield make
    for w in made:
        if w.thread.is_alive():
            w.end()
        os.close(w.read)


def test_a_wake_up_after_a_quiet_spell_wakes_at_once(watched: Any) -> None:
    w = watched(60.0)  # a minute's gathering would show
    w.send()
    assert w.runtime.wait_for(1, timeout=2.0)


def test_wake_ups_close_behind_are_gathered_into_one(watched: Any) -> None:
    w = watched(0.2)
    w.send()
    assert w.runtime.wait_for(1, timeout=2.0)
    began = time.monotonic()
    for _ in range(20):  # twenty saves close behind the first
        w.send()
        time.sleep(0.002)
    assert w.runtime.wait_for(2, timeout=2.0)
    assert time.monotonic() - began >= 0.15  # it waited out the interval
    time.sleep(0.3)
    assert w.runtime.nudges == 2  # one wake-up for all twenty


def test_an_urgent_wake_up_does_not_wait(watched: Any) -> None:
    w = watched(60.0)
    w.send()
    assert w.runtime.wait_for(1, timeout=2.0)
    w.send()  # gathered: would wait a minute
    assert not w.runtime.wait_for(2, timeout=0.2)
    w.send(URGENT)  # a page waits on the read models
    assert w.runtime.wait_for(2, timeout=2.0)


def test_the_end_of_input_stops_it_even_while_gathering(watched: Any) -> None:
    w = watched(60.0)
    w.send()
    assert w.runtime.wait_for(1, timeout=2.0)
    w.send()
    w.end()
    assert w.stopping.is_set() and not w.thread.is_alive()
    assert w.runtime.nudges == 1


def test_the_companion_says_when_its_followers_run() -> None:
    """The status pipe: the service's reader sets ``following`` on the companion's word and stops at the
    pipe's end (the companion gone); what else comes on it is ignored."""
    from shared.runtime.companion import _say_following, _watch_status

    read, write = os.pipe()
    following = threading.Event()
    reader = threading.Thread(target=_watch_status, args=(read, following), daemon=True)
    reader.start()
    os.write(write, b"something else\n")
    assert not following.wait(0.2)
    _say_following(write)
    assert following.wait(2.0)
    os.close(write)
    reader.join(timeout=5)
    assert not reader.is_alive()


def test_a_page_waiting_on_the_read_models_wakes_the_companion_urgently(tmp_path: Any) -> None:
    """``settle_views`` (a page about to show what its request stored) sends the urgent wake-up: the
    companion does not gather it with the saves around it."""
    from services.intake.main import create_app
    from shared.config import Settings

    runtime = create_app(Settings(service="intake", data_dir=tmp_path), start_runtime=False).state.runtime

    class Companion:
        def __init__(self) -> None:
            self.nudges: list[bool] = []

        def nudge(self, urgent: bool = False) -> None:
            self.nudges.append(urgent)

    companion = Companion()
    runtime.companion = companion
    runtime._started = True  # noqa: SLF001 - as the runtime is once started; nothing stored: nothing to wait for
    try:
        runtime.settle_views(timeout=1.0)
    finally:
        runtime.companion = None
        runtime.app.close()
    assert companion.nudges == [True]


def test_a_stopped_companion_is_never_started_again(tmp_path: Any) -> None:
    """The service stops its companion when it loses the primary lease; the supervisor, still checking
    until the lease's work ends, must not start another (it would follow without the lease's holder)."""
    import asyncio

    from shared.config import Settings
    from shared.runtime.companion import FollowerProcess

    companion = FollowerProcess(Settings(service="intake", data_dir=tmp_path), "no.such.module:create_app")
    companion.stop()  # (never started here: as one whose process was already gone)

    async def supervise() -> None:
        await asyncio.wait_for(companion.supervise(asyncio.Event(), check_seconds=0.05), timeout=5.0)

    asyncio.run(supervise())
    assert companion.process is None and companion.restarts == 0
