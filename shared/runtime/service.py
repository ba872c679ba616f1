"""What runs beside a service's HTTP routes: NATS, the outbox relay, the read-model updater and
the inbound consumers. Started and stopped by the FastAPI lifespan of ``create_app``.

Every replica of a service connects, reads its share of the inbound consumers (shared durables:
each message is applied once, ``Consumer``) and serves HTTP. The work done once for all replicas
(the outbox relay, the periodic sweeps and the read-side followers: read-model updater, audit log,
journal) runs only on the replica holding the service's lease (``shared.runtime.lease``); another
replica takes it over when the holder dies."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterable
from typing import Any

import structlog
from nats.aio.client import Client
from nats.js import JetStreamContext

from shared.bus.connection import connect
from shared.bus.consumer import Consumer
from shared.bus.messages import Subscription
from shared.bus.relay import POSITION as RELAY_POSITION
from shared.bus.relay import OutboxRelay
from shared.bus.streams import ensure_streams
from shared.bus.translation import Translation
from shared.config import Settings
from shared.persistence.application import ServiceApplication
from shared.runtime.companion import FollowerProcess
from shared.runtime.jobs import Clock, CountySweep, JobStats, run_periodically
from shared.runtime.journal import JournalFollower
from shared.runtime.lease import LeaseKeeper, make_lease
from shared.views.fold import Fold
from shared.views.store import ViewStore
from shared.views.updater import ViewUpdater

log = structlog.get_logger("shishi.runtime")


class ServiceRuntime:
    def __init__(
        self,
        settings: Settings,
        app: ServiceApplication,
        *,
        views: ViewStore,
        fold: Fold,
        view_version: int,
        outbound: Translation,
        subscriptions: Iterable[Subscription] = (),
        jobs: Iterable[CountySweep] = (),
        clock: Clock,
        factory: str,
    ) -> None:
        """Every service builds its runtime the same way (its ``main.create_app``):

        ``fold`` / ``outbound``: the read models' fold and the translation to contracts (typed dispatch
        tables); the updater and the relay decode only the topics they handle. ``view_version``: the
        fold's ``VERSION`` (a read model folded by another version is folded again). ``subscriptions``:
        the inbound flows. ``jobs``: periodic county sweeps, run with ``clock`` every ``job.every``
        seconds (0: only on request). ``factory``: the service's composition root as
        ``module:function``, which the companion process builds the service with."""
        self.settings = settings
        self.factory = factory
        self.app = app
        self.views = views
        self.clock = clock
        self.fold = fold
        self.updater = ViewUpdater(
            app, views, fold, poll_seconds=settings.relay_poll_seconds, topics=fold.topics(), version=view_version
        )
        self.translate = outbound
        self.contract_topics = outbound.topics()
        self.subscriptions = list(subscriptions)
        self.jobs = list(jobs)
        self.job_stats = {job.name: JobStats() for job in self.jobs}
        self.nc: Client | None = None
        self.js: JetStreamContext | None = None
        self.relay: OutboxRelay | None = None
        self.consumers: list[Consumer] = []
        # Read-side followers beside the updater (the audit log's), each a coroutine function
        # given the stopping event: run here ("inline") or in the companion process ("process").
        self.followers: list[tuple[str, Callable[[asyncio.Event], Any]]] = []
        self.companion: FollowerProcess | None = None
        self.journal: JournalFollower | None = None
        self.add_follower("journal", self._run_journal)
        self._stopping = asyncio.Event()
        self._tasks: list[asyncio.Task] = []
        # The leased work (``_lead``): its own stop signal, tasks and save listeners, so losing the lease
        # stops exactly that and nothing else.
        self.keeper: LeaseKeeper | None = None
        self._leading = asyncio.Event()
        self._lead_tasks: list[asyncio.Task] = []
        self._lead_listeners: list[Callable[[], None]] = []
        self._keeping: asyncio.Task | None = None
        self._started = False
        self.ready = False

    def add_fold(self, extra: Fold) -> None:
        """Fold ``extra``'s events too (the audit's read models beside the service's own)."""
        self.fold = self.fold.merged(extra)
        self.updater.project = self.fold
        self.updater.topics = self.fold.topics()

    def add_follower(self, name: str, run: Callable[[asyncio.Event], Any]) -> None:
        self.followers.append((name, run))

    async def _run_journal(self, stopping: asyncio.Event) -> None:
        assert self.js is not None
        self.journal = JournalFollower(self.app, self.settings.service, self.js)
        self.app.after_save.append(self.journal.nudge)
        try:
            await self.journal.run(stopping)
        finally:
            with contextlib.suppress(ValueError):
                self.app.after_save.remove(self.journal.nudge)

    def _listen(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` after every save while leading."""
        self.app.after_save.append(listener)
        self._lead_listeners.append(listener)

    async def _start_followers(self, stopping: asyncio.Event) -> None:
        await asyncio.to_thread(self.updater.catch_up)
        self._listen(self.updater.nudge)
        self._spawn(self.updater.run(stopping), "views", self._lead_tasks)

    def _spawn_followers(self, stopping: asyncio.Event) -> None:
        for name, run in self.followers:  # after NATS is up: the audit follower publishes checkpoints
            self._spawn(run(stopping), name, self._lead_tasks)

    async def _connect(self) -> None:
        self.nc = await connect(self.settings)
        self.js = self.nc.jetstream(timeout=10)
        await ensure_streams(self.js, replicas=self.settings.nats_replicas)

    async def start(self) -> None:
        """Connect, subscribe the consumers (every replica), then try the lease: the first replica up leads
        at once; the others stand by and take the lease over when it is free (``LeaseKeeper``)."""
        self._stopping = asyncio.Event()
        self._started = True
        await self._connect()
        assert self.js is not None  # connected
        for sub in self.subscriptions:
            consumer = Consumer(
                js=self.js,
                app=self.app,
                service=self.settings.service,
                stream=sub.stream,
                filter_subject=sub.filter_subject,
                decode=sub.decode,
                handle=sub.handle,
                prefetch=sub.prefetch,
                purge_processed=sub.purge_processed,
                seal_deadletter=sub.seal_deadletter,
                batch=self.settings.consumer_batch,
                max_deliver=self.settings.max_deliver,
                ack_wait=self.settings.consumer_ack_wait,
            )
            await consumer.subscribe()
            self.consumers.append(consumer)
            self._spawn(consumer.run(self._stopping), consumer.durable)
        self.keeper = LeaseKeeper(
            make_lease(self.settings, "primary"),
            poll_seconds=self.settings.lease_poll_seconds,
            on_acquired=self._lead,
            on_lost=self._unlead,
        )
        if await self.keeper.acquire_once() and self.companion is not None:
            await self._views_caught_up(timeout=60.0)
        self._keeping = asyncio.create_task(self.keeper.run(self._stopping), name="lease")
        self._keeping.add_done_callback(self._report)
        self.ready = True
        log.info("runtime_started", consumers=[c.durable for c in self.consumers], leading=self.leading)

    @property
    def leading(self) -> bool:
        """Whether this replica holds the service's lease (runs the relay, the sweeps, the followers)."""
        return self.keeper is not None and self.keeper.held

    async def _lead(self) -> None:
        """The lease is ours: start the work done once for all replicas."""
        assert self.js is not None
        stopping = self._leading = asyncio.Event()
        if self.settings.followers == "inline":
            await self._start_followers(stopping)
        else:
            self.companion = FollowerProcess(self.settings, self.factory)
            self.companion.start()
            self._listen(self.companion.nudge)
            self._spawn(self.companion.supervise(stopping), "followers", self._lead_tasks)
        self.relay = OutboxRelay(
            self.app,
            service=self.settings.service,
            translate=self.translate,
            js=self.js,
            poll_seconds=self.settings.relay_poll_seconds,
            topics=self.contract_topics,
        )
        self._listen(self.relay.nudge)
        self._spawn(self.relay.run(stopping), "relay", self._lead_tasks)
        if self.companion is None:
            self._spawn_followers(stopping)
        for job in self.jobs:
            if job.every > 0:
                self._spawn(
                    run_periodically(job, self.clock, stopping, self.job_stats[job.name]), job.name, self._lead_tasks
                )

    async def _unlead(self) -> None:
        """The lease is lost (or we stop): stop the leased work now, before another replica starts it."""
        self._leading.set()
        for listener in self._lead_listeners:
            with contextlib.suppress(ValueError):
                self.app.after_save.remove(listener)
        self._lead_listeners.clear()
        if self.companion is not None:
            companion, self.companion = self.companion, None
            await asyncio.to_thread(companion.stop)
        await self._finish(self._lead_tasks)
        self.relay = None

    async def _finish(self, tasks: list[asyncio.Task]) -> None:
        for task in tasks:
            try:
                await asyncio.wait_for(task, timeout=5)
            except (TimeoutError, asyncio.CancelledError):
                task.cancel()
        tasks.clear()

    def _spawn(self, coro: Any, name: str, tasks: list[asyncio.Task] | None = None) -> None:
        task = asyncio.create_task(coro, name=name)
        task.add_done_callback(self._report)
        (self._tasks if tasks is None else tasks).append(task)

    @staticmethod
    def _report(task: asyncio.Task) -> None:
        if not task.cancelled() and task.exception() is not None:
            log.error("background_task_failed", task=task.get_name(), error=repr(task.exception()))

    async def run_followers(self, stopping: asyncio.Event) -> None:
        """The companion process's whole life: the updater and the other followers until ``stopping``. It
        takes the service's followers lease first: a companion left behind by a replica that died ends its
        batch before the new holder's companion starts; losing the lease ends the process (the service
        starts it again, and it waits for the lease)."""
        self._stopping = stopping

        async def follow() -> None:
            await self._start_followers(stopping)  # the read models need no broker
            self._spawn(self._connect_then_follow(stopping), "connect", self._lead_tasks)
            self.ready = True
            log.info("followers_running", followers=["views", *(name for name, _ in self.followers)])

        async def lost() -> None:  # the followers end their batch before the lease is released
            stopping.set()
            await self._finish(self._lead_tasks)

        self.keeper = LeaseKeeper(
            make_lease(self.settings, "followers"),
            poll_seconds=min(self.settings.lease_poll_seconds, 0.5),
            on_acquired=follow,
            on_lost=lost,
        )
        self._keeping = asyncio.create_task(self.keeper.run(stopping), name="lease")
        await stopping.wait()
        await self.stop()

    async def _connect_then_follow(self, stopping: asyncio.Event) -> None:
        """The followers that publish (audit checkpoints, the journal) start once NATS answers."""
        delay = 0.5
        while not stopping.is_set():
            try:
                await self._connect()
                break
            except Exception as exc:  # noqa: BLE001 - not up yet: the read models keep following meanwhile
                log.warning("followers_nats_unavailable", error=str(exc), retry_in=delay)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stopping.wait(), timeout=delay)
                delay = min(delay * 2, 10.0)
        if not stopping.is_set():
            self._spawn_followers(stopping)

    async def _views_caught_up(self, timeout: float) -> None:
        """With the companion: wait (up to ``timeout``) until the read models include every event
        stored before start, so pages do not show an older state after a restart."""
        target = await asyncio.to_thread(lambda: self.app.recorder.max_notification_id() or 0)
        deadline = time.monotonic() + timeout
        while await asyncio.to_thread(self.views.position, ViewUpdater.NAME) < target:
            if time.monotonic() > deadline:
                log.warning("views_behind_at_start", target=target)
                return
            await asyncio.sleep(0.1)

    def nudge_followers(self) -> None:
        """Wake the updater (any thread); in the companion, called for each wake-up the service sends."""
        self.updater.nudge()
        if self.journal is not None:
            self.journal.nudge()

    def settle_views(self, timeout: float = 3.0) -> None:
        """Return once the read models include every event stored so far (or after ``timeout``), so a
        page rendered next shows what its request just did. Folds here when no runtime runs (a test app);
        otherwise the leading replica folds (woken here when that is this one) and this one waits."""
        if not self._started:
            self.updater.catch_up()
            return
        target = self.app.recorder.max_notification_id() or 0
        if self.companion is not None:
            self.companion.nudge()
        elif self.leading:
            self.updater.nudge()
        deadline = time.monotonic() + timeout
        while self.views.position(ViewUpdater.NAME) < target and time.monotonic() < deadline:
            time.sleep(0.02)

    async def stop(self) -> None:
        self.ready = False
        self._stopping.set()
        if self._keeping is not None:  # as it ends, the keeper stops the leased work, then releases the lease
            keeping, self._keeping = self._keeping, None
            try:
                await asyncio.wait_for(keeping, timeout=60)
            except (TimeoutError, asyncio.CancelledError):
                keeping.cancel()
        await self._finish(self._tasks)
        await self._finish(self._lead_tasks)
        for consumer in self.consumers:
            await consumer.close()
        self.consumers.clear()
        if self.nc is not None:
            # Everything is acked or will be redelivered: close without waiting for a drain.
            await self.nc.flush(timeout=2) if self.nc.is_connected else None
            await self.nc.close()
        self.views.close()

    @property
    def is_ready(self) -> bool:
        companion_ok = self.companion is None or self.companion.alive
        return self.ready and self.nc is not None and self.nc.is_connected and companion_ok

    def _positions(self) -> tuple[int, int, int]:
        """(the notification log's head, the read models' position, the relay's position). The relay's is
        the one it recorded in the shared store, so every replica tells the same lag."""
        head = self.app.recorder.max_notification_id() or 0
        relay = self.relay.position if self.relay is not None else None
        if relay is None:
            relay = self.app.recorder.max_tracking_id(RELAY_POSITION) or 0
        return head, self.views.position(ViewUpdater.NAME), relay

    async def observe(self) -> dict[str, Any]:
        """A snapshot for ``/metrics``: consumer lag (JetStream consumer info), relay and read-model lag,
        dead letters, retries, per-county failures, job runs, the companion's memory. Also the log head
        (``head``), for the audit log's lag."""
        pending: dict[tuple[str, ...], int] = {}
        ack_pending: dict[tuple[str, ...], int] = {}
        if self.js is not None:
            for c in self.consumers:
                try:
                    info = await asyncio.wait_for(self.js.consumer_info(c.stream, c.durable), timeout=2.0)
                except Exception:  # noqa: BLE001 - the broker is away: no lag figure this scrape (ready says so)
                    continue
                pending[(c.durable,)] = info.num_pending or 0
                ack_pending[(c.durable,)] = info.num_ack_pending or 0
        head, views_position, relay_position = await asyncio.to_thread(self._positions)
        snapshot: dict[str, Any] = {
            "head": head,
            "ready": int(self.is_ready),
            "consumer_pending_messages": pending,
            "consumer_ack_pending_messages": ack_pending,
            "consumer_processed": {(c.durable,): c.stats.processed for c in self.consumers},
            "consumer_dead_letters": {(c.durable,): c.stats.dead_lettered for c in self.consumers},
            "consumer_retries": {(c.durable,): c.stats.retried for c in self.consumers},
            "consumer_county_failures": {
                (c.durable, county): n for c in self.consumers for county, n in c.stats.county_failures.items()
            },
            "relay_lag_notifications": max(0, head - relay_position) if self._started else 0,
            "lease_held": int(self.leading),
            "views_lag_notifications": max(0, head - views_position),
            "job_runs": {(name,): s.runs for name, s in self.job_stats.items()},
            "job_county_failures": {(name,): s.county_failures for name, s in self.job_stats.items()},
        }
        if self.companion is not None:
            rss = self.companion.resident_memory()
            if rss is not None:
                snapshot["companion_resident_memory_bytes"] = rss
        return snapshot

    def health(self) -> dict[str, Any]:
        """What ``/healthz`` tells anyone: states and counts, never an error's text (that goes to the log)."""
        return {
            "ready": self.is_ready,
            "service": self.settings.service,
            "followers": (
                {"mode": self.settings.followers, "running": self.leading}
                if self.companion is None
                else {
                    "mode": "process",
                    "running": True,
                    "alive": self.companion.alive,
                    "restarts": self.companion.restarts,
                }
            ),
            "nats": bool(self.nc and self.nc.is_connected),
            "lease": self.keeper.status() if self.keeper is not None else None,
            "relay_published": self.relay.published if self.relay else 0,
            "views_position": self.views.position(ViewUpdater.NAME),
            "jobs": {
                name: {"runs": s.runs, "county_failures": s.county_failures, "failing": sorted(s.last_failures)}
                for name, s in self.job_stats.items()
            },
            "consumers": {
                c.durable: {
                    "processed": c.stats.processed,
                    "dead_lettered": c.stats.dead_lettered,
                    "retried": c.stats.retried,
                    "failing_counties": sorted(c.stats.county_failures),
                }
                for c in self.consumers
            },
        }


def make_views(settings: Settings) -> ViewStore:
    if settings.persistence == "postgres":
        return ViewStore(postgres=settings.eventsourcing_env())
    return ViewStore(sqlite_path=settings.service_dir / "views.sqlite")
