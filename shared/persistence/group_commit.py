"""Group commit: requests that arrive while a transaction is being written share the next one.

Each caller (a route's worker thread) queues its item and either becomes the leader, which takes
every item queued so far and commits them with one ``commit_batch`` call (one transaction, one
fsync), or waits while another leader commits, and leads the next batch if its own item is still
waiting. Alone, a caller commits its own item at once (no added wait); under load, the time one
commit takes gathers the next batch. ``commit_batch`` answers each item with its result or the
exception that item alone raised, so one refused item never fails the others. ``submit_async`` does
the same for async callers on one event loop, one commit at a time in a worker thread.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar, cast

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class _Waiting(Generic[T, R]):
    item: T
    done: bool = False
    result: R | None = None
    error: BaseException | None = None


class GroupCommit(Generic[T, R]):
    """``commit_batch(items)`` returns one result (or exception) per item, in order."""

    def __init__(
        self, commit_batch: Callable[[Sequence[T]], Sequence[R | BaseException]], max_batch: int = 256
    ) -> None:
        self._commit_batch = commit_batch
        self._max_batch = max_batch
        self._queue: list[_Waiting[T, R]] = []
        self._busy = False
        self._cond = threading.Condition()
        self.batches = 0  # commits made, and items in them: the mean batch size is items / batches
        self.items = 0
        self._waiting_async: list[tuple[T, asyncio.Future[R]]] = []
        self._draining = False

    async def submit_async(self, item: T) -> R:
        """The same from an async route: the caller's task waits (no thread of its own); one commit at
        a time runs in a worker thread, taking every item that came meanwhile."""
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._waiting_async.append((item, future))
        if not self._draining:
            self._draining = True
            asyncio.get_running_loop().create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        try:
            while self._waiting_async:
                batch = self._waiting_async[: self._max_batch]
                self._waiting_async = self._waiting_async[self._max_batch :]
                try:
                    answers = list(await asyncio.to_thread(self._commit_batch, [item for item, _ in batch]))
                    if len(answers) != len(batch):
                        raise RuntimeError(f"commit_batch answered {len(answers)} of {len(batch)} items")
                except Exception as exc:  # noqa: BLE001 - the batch failed as a whole: every item gets the error
                    answers = [exc] * len(batch)
                self.batches += 1
                self.items += len(batch)
                for (_, future), answer in zip(batch, answers, strict=True):
                    if future.done():  # its request was cancelled (the client went away): saved all the same
                        continue
                    if isinstance(answer, BaseException):
                        future.set_exception(answer)
                    else:
                        future.set_result(answer)
        finally:
            self._draining = False

    def submit(self, item: T) -> R:
        waiting: _Waiting[T, R] = _Waiting(item)
        with self._cond:
            self._queue.append(waiting)
        while True:
            with self._cond:
                while not waiting.done and self._busy:
                    self._cond.wait()
                if waiting.done:
                    break
                self._busy = True  # this caller leads: it takes what is queued (its own item first in line or not)
                batch, self._queue = self._queue[: self._max_batch], self._queue[self._max_batch :]
            try:
                self._lead(batch)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()
        if waiting.error is not None:
            raise waiting.error
        return cast(R, waiting.result)

    def _lead(self, batch: list[_Waiting[T, R]]) -> None:
        try:
            answers = list(self._commit_batch([w.item for w in batch]))
            if len(answers) != len(batch):
                raise RuntimeError(f"commit_batch answered {len(answers)} of {len(batch)} items")
        except BaseException as exc:  # noqa: BLE001 - the batch failed as a whole: every item gets the error
            answers = [exc] * len(batch)
        self.batches += 1
        self.items += len(batch)
        for waiting, answer in zip(batch, answers, strict=True):
            if isinstance(answer, BaseException):
                waiting.error = answer
            else:
                waiting.result = answer
            waiting.done = True
