"""The companion takes the service's wake-ups that arrive close together as one (one fold, one audit
transaction, one journal message for the saves between them) and stops when its input ends."""

from __future__ import annotations

import os
import threading
from typing import Any

from shared.runtime.companion import _watch_input


class Runtime:
    def __init__(self) -> None:
        self.nudges = 0

    def nudge_followers(self) -> None:
        self.nudges += 1


class Loop:
    def call_soon_threadsafe(self, callback: Any, *args: Any) -> None:
        callback(*args)


def test_wake_ups_close_together_are_one_and_the_end_stops() -> None:
    read, write = os.pipe()
    runtime, stopping = Runtime(), threading.Event()
    watcher = threading.Thread(target=_watch_input, args=(Loop(), runtime, stopping, read), daemon=True)
    watcher.start()
    for _ in range(20):  # twenty saves at once
        os.write(write, b"\x01")
    deadline = threading.Event()
    deadline.wait(0.2)
    assert runtime.nudges == 1 and not stopping.is_set()
    os.write(write, b"\x01")  # a later save: a wake-up of its own
    deadline.wait(0.2)
    assert runtime.nudges == 2
    os.close(write)
    watcher.join(timeout=5)
    assert stopping.is_set() and not watcher.is_alive()
    os.close(read)
