"""The read-model updater: follows a service's notification log and folds each event into the
:class:`~shared.views.store.ViewStore` with the service's projector, in batches, each in one transaction
together with its position; far behind (a rebuild, a first start on a large store) it folds in bulk
(``shared.views.bulk``). A read model is always exactly the fold of a prefix of the event log and can be
rebuilt from scratch (``rebuild``) with an identical result."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

import structlog

from shared.persistence.notifications import follow, next_batch
from shared.views.bulk import BulkWriteFailed, fold_in_bulk
from shared.views.store import ViewStore, ViewTx, collector_paused

log = structlog.get_logger("shishi.views")

Projector = Callable[[ViewTx, Any], None]


class ViewUpdater:
    """Follows the application's notification log and folds events into the ViewStore."""

    NAME = "views"

    BULK_MIN = 20_000  # notifications behind from which catching up writes through a child process
    BULK_BATCH = 20_000  # one transaction each: fewer, larger commits rewrite the key index less often

    def __init__(
        self,
        app: Any,
        views: ViewStore,
        project: Projector,
        *,
        batch: int = 500,
        poll_seconds: float = 0.05,
        topics: Sequence[str] | None = None,
        bulk_min: int | None = BULK_MIN,
        version: int = 1,
    ):
        """``topics``: the stored topics the projection handles (None: all); others are not decoded.
        ``version``: the fold's version (a service's ``projections.VERSION``), raised whenever what it
        writes changes; a read model folded by another version is emptied and folded again from the
        start when catching up first runs (a rebuild in bulk, ``shared.views.bulk``).
        ``bulk_min``: from this many notifications behind, ``catch_up`` folds in large batches and
        writes them from a child process (``shared.views.bulk``), on another core; None: never."""
        self.app = app
        self.bulk_min = bulk_min
        self.views = views
        self.project = project
        self.topics = topics
        self.batch = batch
        self.poll_seconds = poll_seconds
        self.version = version
        self._version_checked = False
        self.wakeup: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def check_version(self) -> None:
        """Once per updater: a read model folded by another version of the fold starts again empty."""
        if not self._version_checked:
            self.views.reset_unless_version(self.NAME, self.version)
            self._version_checked = True

    def catch_up_once(self) -> int:
        position = self.views.position(self.NAME)
        notifications, new_position = next_batch(self.app.recorder, position, self.batch, self.topics)
        if new_position == position:
            return 0
        events = [self.app.mapper.to_domain_event(n) for n in notifications]

        def fold(tx: ViewTx) -> None:
            for event in events:
                self.project(tx, event)

        if not self.views.apply(self.NAME, new_position, fold, after=position):
            return self.batch  # folded elsewhere meanwhile: read again from the new position
        return len(notifications)

    def catch_up_in_bulk(self, stop: Callable[[], bool] | None = None) -> int:
        """When ``bulk_min`` or more notifications behind (and the store can be opened by another
        process), fold the backlog writing through a child process; returns how many it wrote."""
        if self.bulk_min is None or not self.views.shareable:
            return 0
        if (self.app.recorder.max_notification_id() or 0) - self.views.position(self.NAME) < self.bulk_min:
            return 0
        log.info("views_bulk_catch_up", behind_from=self.views.position(self.NAME))
        try:
            return fold_in_bulk(self, self.BULK_BATCH, stop)
        except (BulkWriteFailed, OSError) as exc:  # the writer could not start or died: fold here instead
            log.warning("views_bulk_failed", error=str(exc))
            return 0

    def catch_up(self) -> None:
        self.check_version()
        self.catch_up_in_bulk()
        while self.catch_up_once() == self.batch:
            pass

    def step(self, stop: Callable[[], bool] | None = None) -> int:
        """One step of following the log: a bulk catch-up first when far behind (a first start
        on a large store), then one batch."""
        self.check_version()
        written = self.catch_up_in_bulk(stop)
        return written if stop is not None and stop() else written + self.catch_up_once()

    def rebuild(self) -> None:
        """Every read model from scratch. Python's cyclic garbage collector is paused meanwhile: the
        fold allocates millions of short-lived objects and no cycles worth collecting, and the
        collector's passes over them cost about half of a rebuild (measured, ``shishi bench replay``)."""
        with collector_paused():
            self.views.clear()
            self._version_checked = False  # the version is recorded again in the emptied store
            self.catch_up()

    def nudge(self) -> None:
        if self._loop is not None and self.wakeup is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self.wakeup.set)

    async def run(self, stopping: asyncio.Event) -> None:
        self._loop = asyncio.get_running_loop()
        self.wakeup = asyncio.Event()
        await follow(
            stopping,
            lambda: asyncio.to_thread(self.step, stopping.is_set),
            batch=self.batch,
            poll_seconds=self.poll_seconds,
            wakeup=self.wakeup,
            retry=lambda exc: log.error("view_update_failed", error=str(exc)),
        )
