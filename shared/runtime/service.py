"""What runs beside a service's HTTP routes: NATS, the outbox relay, the read-model updater and
the inbound consumers. Started and stopped by the FastAPI lifespan of ``create_app``.

Every replica of a service connects, reads its share of the inbound consumers (shared durables:
each message is applied once, ``Consumer``) and serves HTTP. What is done once for all replicas runs
under leases (``shared.runtime.lease``), taken over by another replica when the holder dies:

* ``<service>:primary``: the periodic sweeps, and the followers: the outbox relay, the audit log and
  the journal (in the holder's companion process under ``SHISHI_FOLLOWERS=process``, which takes
  ``<service>:followers`` for them first);
* ``<service>:views@v<fold version>``: the read-model updater of that fold version. In the companion
  when there is one, else in a replica's own process (a replica without a companion contends for it).
  On PostgreSQL each fold version has its read models in a schema of its own (``views_v<version>``),
  so during a rolling upgrade to a release with another fold, a new replica folds the new read models
  beside the ones the old replicas serve, and says it is ready only once they have caught up.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Coroutine, Iterable
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
from shared.runtime.leased import Keeping, LeasedWork, finish, report
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
        fold's ``VERSION`` (a read model folded by another version is folded again; on PostgreSQL each
        version folds into its own schema). ``subscriptions``: the inbound flows. ``jobs``: periodic
        county sweeps, run with ``clock`` every ``job.every`` seconds (0: only on request). ``factory``:
        the service's composition root as ``module:function``, which the companion process builds the
        service with."""
        self.settings = settings
        self.factory = factory
        self.app = app
        self.views = views
        self.clock = clock
        self.fold = fold
        self.view_version = view_version
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
        self.on_following: Callable[[], None] | None = None  # in the companion: told when the followers run
        self.journal: JournalFollower | None = None
        self.add_follower("relay", self._run_relay)
        self.add_follower("journal", self._run_journal)
        self._stopping = asyncio.Event()
        self._tasks: list[asyncio.Task] = []
        # What runs under each lease: the primary work (relay, sweeps, followers or the companion) and
        # the folding (the read-model updater), each with its own keeper.
        self.keeper: LeaseKeeper | None = None
        self.lead = LeasedWork(app.after_save)
        self.folding = LeasedWork(app.after_save)
        self._primary: Keeping | None = None
        self._views: Keeping | None = None
        self._started = False
        self.views_ready = False
        self.ready = False
        self._was_ready = False  # ready once: from then on a companion need only be alive (is_ready)

    def use_fold(self, fold: Fold) -> None:
        """Fold with ``fold`` (the service's own and the audit's read models: ``with_auditor_reads``)."""
        self.fold = fold
        self.updater.project = self.fold
        self.updater.topics = self.fold.topics()

    def add_follower(self, name: str, run: Callable[[asyncio.Event], Any]) -> None:
        self.followers.append((name, run))

    def _run_relay(self, stopping: asyncio.Event) -> Coroutine[Any, Any, None]:
        """The outbox relay: a follower like the others (it reads the log and publishes), so under
        ``SHISHI_FOLLOWERS=process`` it runs in the companion, and the service's own process spends
        nothing on publishing while it answers requests. Made (and woken by saves here) as it is
        spawned, under the lease the followers run under (``lead``)."""
        assert self.js is not None
        self.relay = OutboxRelay(
            self.app,
            service=self.settings.service,
            translate=self.translate,
            js=self.js,
            poll_seconds=self.settings.relay_poll_seconds,
            topics=self.contract_topics,
        )
        self.lead.listen(self.relay.nudge)
        return self.relay.run(stopping)

    async def _run_journal(self, stopping: asyncio.Event) -> None:
        assert self.js is not None
        self.journal = JournalFollower(self.app, self.settings.service, self.js)
        self.app.after_save.append(self.journal.nudge)
        try:
            await self.journal.run(stopping)
        finally:
            with contextlib.suppress(ValueError):
                self.app.after_save.remove(self.journal.nudge)

    def _views_keeper(self) -> Keeping:
        """The keeper of this fold version's read-model lease: the holder folds (``_fold``)."""
        return Keeping(
            LeaseKeeper(
                make_lease(self.settings, f"views@v{self.view_version}"),
                poll_seconds=self.settings.lease_poll_seconds,
                on_acquired=self._fold,
                on_lost=self.folding.end,
            )
        )

    async def _fold(self) -> None:
        """The read models' lease is ours: catch up (in bulk when far behind), then follow the log."""
        stopping = self.folding.begin()
        await asyncio.to_thread(self.updater.catch_up)
        self.folding.listen(self.updater.nudge)
        self.folding.spawn(self.updater.run(stopping), "views")

    def _spawn_followers(self, stopping: asyncio.Event, work: LeasedWork) -> None:
        for name, run in self.followers:  # after NATS is up: the audit follower publishes checkpoints
            work.spawn(run(stopping), name)

    async def _connect(self) -> None:
        self.nc = await connect(self.settings)
        self.js = self.nc.jetstream(timeout=10)
        await ensure_streams(self.js, replicas=self.settings.nats_replicas)

    async def start(self) -> None:
        """Connect, subscribe the consumers (every replica), then the leases: the first replica up leads at
        once; the others stand by and take a lease over when it is free. Ready once the read models of this
        fold version have caught up with what was stored before start."""
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
        self._views = self._views_keeper()
        if self.settings.followers == "inline":  # one process folds what it stores before it serves (tests)
            await self._views.keeper.acquire_once()
            self._views.start()
        self.keeper = LeaseKeeper(
            make_lease(self.settings, "primary"),
            poll_seconds=self.settings.lease_poll_seconds,
            on_acquired=self._lead,
            on_lost=self._unlead,
        )
        await self.keeper.acquire_once()
        self._primary = Keeping(self.keeper)
        self._primary.start()
        if self.settings.followers == "process" and not self.leading:
            self._views.start()  # a replica without a companion contends for the read models' lease
        self._spawn(self._watch_views_ready(), "views-ready")
        self.ready = True
        log.info("runtime_started", consumers=[c.durable for c in self.consumers], leading=self.leading)

    @property
    def leading(self) -> bool:
        """Whether this replica holds the service's lease (runs the relay, the sweeps, the followers)."""
        return self.keeper is not None and self.keeper.held

    async def _lead(self) -> None:
        """The primary lease is ours: start the work done once for all replicas."""
        assert self.js is not None
        stopping = self.lead.begin()
        if self.settings.followers == "process":
            if self._views is not None:  # our companion folds from now on (once it has the lease)
                await self._views.stop()
            self.companion = FollowerProcess(self.settings, self.factory)
            self.companion.start()
            self.lead.listen(self.companion.nudge)
            self.lead.spawn(self.companion.supervise(stopping), "followers")
        else:
            self._spawn_followers(stopping, self.lead)
        for job in self.jobs:
            if job.every > 0:
                self.lead.spawn(run_periodically(job, self.clock, stopping, self.job_stats[job.name]), job.name)

    async def _unlead(self) -> None:
        """The primary lease is lost (or we stop): stop its work now, before another replica starts it."""
        if self.companion is not None:
            companion, self.companion = self.companion, None
            await asyncio.to_thread(companion.stop)
        await self.lead.end()
        self.relay = None
        if self.settings.followers == "process" and self._views is not None and not self._stopping.is_set():
            self._views.start()  # no companion here any more: contend for the read models' lease again

    async def _watch_views_ready(self) -> None:
        """Ready once this fold version's read models include what was stored before start (a release with
        a new fold: once they are folded, by whichever replica holds their lease)."""
        target = await asyncio.to_thread(lambda: self.app.recorder.max_notification_id() or 0)
        while not self._stopping.is_set():
            if await asyncio.to_thread(self.views.position, ViewUpdater.NAME) >= target:
                self.views_ready = True
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=0.25)

    def _spawn(self, coro: Any, name: str) -> None:
        task = asyncio.create_task(coro, name=name)
        task.add_done_callback(report)
        self._tasks.append(task)

    async def run_followers(self, stopping: asyncio.Event) -> None:
        """The companion process's whole life until ``stopping``: the read models under this fold version's
        lease, the relay, the audit log and the journal under the service's followers lease (a companion left behind
        by a replica that died ends its batch before the new holder's starts). Losing the followers lease
        ends the process (the service starts it again, and it waits for the lease)."""
        self._stopping = stopping
        self._started = True

        async def follow() -> None:
            stopping_followers = self.lead.begin()
            self.lead.spawn(self._connect_then_follow(stopping_followers), "connect")
            log.info("followers_running", followers=[name for name, _ in self.followers])

        async def lost() -> None:  # the followers end their batch before the lease is released
            stopping.set()
            await self.lead.end()

        self._views = self._views_keeper()
        self._views.start()  # the read models need no broker
        self.keeper = LeaseKeeper(
            make_lease(self.settings, "followers"),
            poll_seconds=min(self.settings.lease_poll_seconds, 0.5),
            on_acquired=follow,
            on_lost=lost,
        )
        self._primary = Keeping(self.keeper)
        self._primary.start()
        self.ready = True
        await stopping.wait()
        await self.stop()

    async def _connect_then_follow(self, stopping: asyncio.Event) -> None:
        """The followers that publish (the relay, audit checkpoints, the journal) start once NATS answers;
        then the service is told they run (``on_following``)."""
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
            self._spawn_followers(stopping, self.lead)
            if self.on_following is not None:
                self.on_following()

    def nudge_followers(self) -> None:
        """Wake the updater, the relay and the journal (any thread); in the companion, called for each
        wake-up the service sends."""
        self.updater.nudge()
        if self.relay is not None:
            self.relay.nudge()
        if self.journal is not None:
            self.journal.nudge()

    def settle_views(self, timeout: float = 5.0) -> None:
        """Return once the read models include every event stored so far (or after ``timeout``), so a
        page rendered next shows what its request just did. Folds here when no runtime runs (a test app);
        otherwise whoever holds the read models' lease folds (woken here when that is this process or its
        companion) and this one waits."""
        if not self._started:
            self.updater.catch_up()
            return
        target = self.app.recorder.max_notification_id() or 0
        companion = self.companion
        if companion is not None:
            companion.nudge(urgent=True)
        if self.folding.running:
            self.updater.nudge()
        deadline = time.monotonic() + timeout
        while self.views.position(ViewUpdater.NAME) < target and time.monotonic() < deadline:
            time.sleep(0.02)

    async def stop(self) -> None:
        """Stop contending for the leases (each stops its work, then is released), then the consumers."""
        self.ready = False
        self._stopping.set()
        for keeping in (self._primary, self._views):
            if keeping is not None:
                await keeping.stop()
        await self.lead.end()
        await self.folding.end()
        await finish(self._tasks)
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
        """Started, the read models caught up, NATS connected; and at start-up, the companion's followers
        running (what the replica stores from then on is published and folded). Once ready, a companion
        being restarted (or started on taking the primary lease over) needs only to be alive: the replica
        answers meanwhile, and what it stores goes out when the followers are back (the replica that
        takes over from a dead primary may be the only one left: it must not wait on its new companion)."""
        companion = self.companion  # _unlead may clear it meanwhile
        if companion is None:
            companion_ok = True
        elif self._was_ready:
            companion_ok = companion.alive
        else:
            companion_ok = companion.following
        connected = self.nc is not None and self.nc.is_connected
        ready = self.ready and self.views_ready and connected and companion_ok
        self._was_ready = self._was_ready or ready
        return ready

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
                    "following": self.companion.following,
                    "restarts": self.companion.restarts,
                }
            ),
            "nats": bool(self.nc and self.nc.is_connected),
            "lease": self.keeper.status() if self.keeper is not None else None,
            "views": {
                "version": self.view_version,
                "ready": self.views_ready,
                "folding": self.folding.running,
            },
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
