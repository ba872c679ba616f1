"""What runs under which lease (shared/runtime/service.py, shared/runtime/leased.py), on PostgreSQL
with a real NATS server, two replicas of one service in this process:

* the read models of a fold version have a lease and a schema of their own: during a rolling
  upgrade a replica of the new release (fold version 2) folds its read models beside the ones the
  old release (version 1) serves, says it is ready once they have caught up, and the old read
  models stay as they are and keep following; stopping the old replica hands its primary lease
  (relay, sweeps, followers) to the new one;
* losing the primary lease stops exactly its work (the relay, the followers, their save
  listeners): the read models go on being folded, and the lease is taken again once free."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator

import pytest

from shared.bus.translation import Translation
from shared.config import Settings
from shared.persistence.application import Inbound
from shared.runtime.jobs import Clock
from shared.runtime.lease import PostgresLease
from shared.runtime.service import ServiceRuntime
from shared.views.fold import Fold
from shared.views.store import ViewTx, make_views
from shared.views.updater import ViewUpdater
from tests.fixtures.backends import postgres_settings
from tests.integration.test_batch_tracking import COUNTY, Tally, TallyApplication, project_tallies

pytestmark = pytest.mark.postgres

FOLD_V1 = Fold("tally-v1")
FOLD_V2 = Fold("tally-v2")


@FOLD_V1.on(Tally.Opened, Tally.Counted)
def tallies_v1(tx: ViewTx, event: Tally.Opened | Tally.Counted) -> None:
    project_tallies(tx, event)


@FOLD_V2.on(Tally.Opened, Tally.Counted)
def tallies_v2(tx: ViewTx, event: Tally.Opened | Tally.Counted) -> None:
    """The new release's fold: the same tallies plus an index document per tally."""
    project_tallies(tx, event)
    if isinstance(event, Tally.Opened):
        tx.put("tally_index", event.name, COUNTY, {"id": str(event.originator_id)})


@pytest.fixture
def settings(postgres_env: dict[str, str], nats_server, tmp_path) -> Settings:  # noqa: ANN001
    base = postgres_settings(postgres_env, tmp_path / "data")
    return base.model_copy(
        update={
            "service": "supervision",
            "nats_url": nats_server.url,
            "followers": "inline",
            "lease_poll_seconds": 0.1,
            "relay_poll_seconds": 0.05,
        }
    )


class Replica:
    def __init__(self, settings: Settings, fold: Fold, version: int) -> None:
        self.app = TallyApplication(env=settings.eventsourcing_env())
        self.views = make_views(settings, version)
        self.runtime = ServiceRuntime(
            settings,
            self.app,
            views=self.views,
            fold=fold,
            view_version=version,
            outbound=Translation("tally"),
            clock=Clock(),
            factory="tests.integration.test_leased_work:unused",
        )

    def kinds(self) -> set[str]:
        return {kind for kind, *_ in self.views.dump()}

    def close(self) -> None:
        self.views.close()
        self.app.close()


@pytest.fixture
def replicas(settings: Settings) -> Iterator[list[Replica]]:
    made: list[Replica] = []
    yield made
    for replica in made:
        replica.close()


async def until(predicate: Callable[[], bool | Awaitable[bool]], timeout: float, what: str) -> float:
    started = time.monotonic()
    while True:
        result = predicate()
        if isinstance(result, Awaitable):
            result = await result
        if result:
            return time.monotonic() - started
        assert time.monotonic() - started < timeout, what
        await asyncio.sleep(0.05)


def folded(replica: Replica) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        head = await asyncio.to_thread(lambda: replica.app.recorder.max_notification_id() or 0)
        return await asyncio.to_thread(replica.views.position, ViewUpdater.NAME) >= head

    return check


def receive(replica: Replica, *amounts: tuple[str, int], start: int) -> None:
    replica.app.receive(*(Inbound("S", start + i, body) for i, body in enumerate(amounts)))


async def test_a_new_fold_version_folds_beside_the_old_one_and_takes_the_primary_lease_when_it_stops(
    settings: Settings, replicas: list[Replica]
) -> None:
    old = Replica(settings, FOLD_V1, 1)
    replicas.append(old)
    await asyncio.to_thread(receive, old, ("a", 1), ("b", 2), ("a", 3), start=1)
    await old.runtime.start()
    try:
        assert old.runtime.leading and old.runtime.folding.running
        await until(lambda: old.runtime.is_ready, 10, "the old replica ready")
        assert old.kinds() == {"tally"}
        before = old.views.dump()

        new = Replica(settings, FOLD_V2, 2)
        replicas.append(new)
        await new.runtime.start()
        try:
            assert not new.runtime.leading  # the old release still relays and sweeps
            await until(lambda: new.runtime.is_ready, 15, "the new replica's read models caught up")
            assert new.runtime.folding.running  # its own fold version: its own lease
            assert new.kinds() == {"tally", "tally_index"}
            assert old.views.dump() == before  # the read models the old release serves are untouched
            assert new.runtime.health()["views"] == {"version": 2, "ready": True, "folding": True}

            await asyncio.to_thread(receive, new, ("c", 4), start=4)  # stored by a replica of the new release
            await until(folded(new), 10, "the new fold follows")
            await until(folded(old), 10, "the old fold follows too")
            tally_c = str(Tally.create_id("c"))
            assert (
                old.views.get("tally", tally_c)
                == new.views.get("tally", tally_c)
                == {
                    "name": "c",
                    "county": COUNTY,
                    "total": 4,
                    "counted": [4],
                }
            )

            await old.runtime.stop()
            taken = await until(lambda: new.runtime.leading, 10, "the primary lease taken over")
            print(f"primary lease taken {taken:.2f} s after the old replica stopped")
            assert new.runtime.relay is not None and new.runtime.folding.running
        finally:
            await new.runtime.stop()
    finally:
        await old.runtime.stop()


async def test_losing_the_primary_lease_stops_its_work_and_not_the_read_models(
    settings: Settings, replicas: list[Replica], postgres_env: dict[str, str]
) -> None:
    replica = Replica(settings, FOLD_V1, 1)
    replicas.append(replica)
    runtime = replica.runtime
    await runtime.start()
    try:
        assert runtime.leading and runtime.folding.running and runtime.relay is not None
        leased = list(runtime.lead.listeners)
        assert leased and all(listener in replica.app.after_save for listener in leased)
        views_keeper = runtime._views.keeper if runtime._views is not None else None  # noqa: SLF001
        assert views_keeper is not None and views_keeper.held

        admin = PostgresLease(postgres_env, "admin")
        assert admin.try_acquire()
        try:  # what a failover or an administrator does to the holder's session
            admin._conn.execute(  # noqa: SLF001
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE %s",
                ("shishi-lease:supervision:primary:%",),
            )
        finally:
            admin.release()
        assert runtime.keeper is not None
        await until(lambda: runtime.keeper.losses == 1, 5, "the lost lease noticed")
        assert all(listener not in replica.app.after_save for listener in leased)
        assert runtime.folding.running and views_keeper.held and views_keeper.losses == 0
        assert runtime.updater.nudge in replica.app.after_save  # the read models' listener stays

        await asyncio.to_thread(receive, replica, ("d", 5), start=1)
        await until(folded(replica), 10, "folded while the primary lease was away")
        await until(lambda: runtime.leading, 5, "the free lease taken again")
        assert runtime.relay is not None and runtime.keeper.acquisitions == 2
    finally:
        await runtime.stop()
    assert not runtime.folding.running and not runtime.lead.running
