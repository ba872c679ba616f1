"""Work that runs only while a lease is held, and the keeper of that lease as a task of its own.

``LeasedWork`` gathers what the holder runs (its tasks, a stop signal, the listeners it adds after
each save), so losing the lease stops exactly that work, before the lease is released, and nothing
else. ``Keeping`` runs a ``LeaseKeeper`` as a task that can be started and stopped on its own (a
replica stops contending for the read models' lease when its own companion takes over).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine
from typing import Any

import structlog

from shared.runtime.lease import LeaseKeeper

log = structlog.get_logger("shishi.runtime")


def report(task: asyncio.Task) -> None:
    """Log a background task that ended with an error (the others end quietly)."""
    if not task.cancelled() and task.exception() is not None:
        log.error("background_task_failed", task=task.get_name(), error=repr(task.exception()))


async def finish(tasks: list[asyncio.Task], timeout: float = 5.0) -> None:
    """Wait for each task (``timeout`` each), cancel the ones that do not end; empties ``tasks``."""
    for task in tasks:
        try:
            await asyncio.wait_for(task, timeout=timeout)
        except (TimeoutError, asyncio.CancelledError):
            task.cancel()
    tasks.clear()


class LeasedWork:
    """The tasks, stop signal and save listeners of one piece of leased work."""

    def __init__(self, after_save: list[Callable[[], None]]) -> None:
        self.after_save = after_save
        self.stopping = asyncio.Event()
        self.tasks: list[asyncio.Task] = []
        self.listeners: list[Callable[[], None]] = []
        self.running = False

    def begin(self) -> asyncio.Event:
        """A fresh stop signal for the work starting now."""
        self.stopping = asyncio.Event()
        self.running = True
        return self.stopping

    def listen(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` after every save while the work runs."""
        self.after_save.append(listener)
        self.listeners.append(listener)

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> None:
        task = asyncio.create_task(coro, name=name)
        task.add_done_callback(report)
        self.tasks.append(task)

    async def end(self) -> None:
        """Stop the work: its listeners removed, its tasks finished."""
        self.running = False
        self.stopping.set()
        for listener in self.listeners:
            with contextlib.suppress(ValueError):
                self.after_save.remove(listener)
        self.listeners.clear()
        await finish(self.tasks)


class Keeping:
    """A ``LeaseKeeper`` run as a task that can be stopped and started again."""

    def __init__(self, keeper: LeaseKeeper) -> None:
        self.keeper = keeper
        self._stop = asyncio.Event()
        self._task: asyncio.Task | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        if self.running:
            return
        self._stop = asyncio.Event()
        self._task = asyncio.create_task(self.keeper.run(self._stop), name=f"lease {self.keeper.lease.name}")
        self._task.add_done_callback(report)

    async def stop(self, timeout: float = 60.0) -> None:
        """Stop contending; the work stops and the lease is released (``LeaseKeeper.run``) before this returns."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stop.set()
        try:
            await asyncio.wait_for(task, timeout=timeout)
        except (TimeoutError, asyncio.CancelledError):
            task.cancel()
