"""A read model folded by another version of its fold (a service's ``projections.VERSION``)
is emptied and folded again from the start (in bulk when long) the first time an updater catches
up, on SQLite and PostgreSQL; the same version keeps what is there, and a store folded before
versions were recorded counts as version 1; an empty store only records the version."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.persistence.application import Inbound
from shared.views.store import ViewStore, ViewTx
from shared.views.updater import ViewUpdater
from tests.integration.test_batch_tracking import TallyApplication, project_tallies


@pytest.fixture
def app(backend_env: dict[str, str]) -> Iterator[TallyApplication]:
    application = TallyApplication(env=backend_env)
    application.receive(*(Inbound("S", n, (f"t{n % 3}", n)) for n in range(1, 10)))
    try:
        yield application
    finally:
        application.close()


def project_with_index(tx: ViewTx, event: object) -> None:
    """An earlier fold: the same tallies plus an index document each."""
    project_tallies(tx, event)
    if type(event).__name__ == "Opened":
        tx.put("tally_index", event.name, "440781", {"id": str(event.originator_id)})


def kinds(views: ViewStore) -> set[str]:
    return {kind for kind, *_ in views.dump()}


def version_of(views: ViewStore) -> int:
    return views.position(f"{ViewUpdater.NAME}@version")


def test_a_new_fold_version_folds_again_from_the_start(app: TallyApplication, views: ViewStore) -> None:
    ViewUpdater(app, views, project_with_index, bulk_min=None, version=1).catch_up()
    assert kinds(views) == {"tally", "tally_index"} and version_of(views) == 1
    tallies = [doc for doc in views.dump() if doc[0] == "tally"]

    ViewUpdater(app, views, project_tallies, bulk_min=None, version=2).catch_up()

    assert kinds(views) == {"tally"}  # what only the old fold wrote is gone
    assert [doc for doc in views.dump() if doc[0] == "tally"] == tallies  # folded again, once
    assert version_of(views) == 2 and views.position(ViewUpdater.NAME) == app.recorder.max_notification_id()


def test_the_same_version_keeps_the_read_model(app: TallyApplication, views: ViewStore) -> None:
    ViewUpdater(app, views, project_with_index, bulk_min=None, version=3).catch_up()
    before = views.dump()
    updater = ViewUpdater(app, views, project_tallies, bulk_min=None, version=3)  # same number: trusted
    updater.catch_up()
    assert views.dump() == before


def test_a_read_model_folded_before_versions_were_recorded_counts_as_version_1(
    app: TallyApplication, views: ViewStore
) -> None:
    updater = ViewUpdater(app, views, project_with_index, bulk_min=None)
    updater._version_checked = True  # as a release without versions folded it: no version recorded
    updater.catch_up()
    before = views.dump()
    assert version_of(views) == 0 and "tally_index" in kinds(views)

    ViewUpdater(app, views, project_with_index, bulk_min=None).catch_up()  # version 1: kept as it is
    assert views.dump() == before and version_of(views) == 1

    ViewUpdater(app, views, project_tallies, bulk_min=None, version=2).catch_up()
    assert kinds(views) == {"tally"} and version_of(views) == 2


def test_a_reset_read_model_is_folded_again_in_bulk(app: TallyApplication, views: ViewStore) -> None:
    ViewUpdater(app, views, project_with_index, bulk_min=None, version=1).catch_up()
    ordinary = ViewStore(sqlite_path=Path(":memory:"))
    try:
        ViewUpdater(app, ordinary, project_tallies, bulk_min=None, version=2).catch_up()
        bulk = ViewUpdater(app, views, project_tallies, batch=4, bulk_min=5, version=2)
        bulk.BULK_BATCH = 4
        bulk.catch_up()
        assert views.dump() == ordinary.dump() and version_of(views) == 2
    finally:
        ordinary.close()


def test_an_empty_store_only_records_the_version(views: ViewStore) -> None:
    assert views.reset_unless_version(ViewUpdater.NAME, 5) is False
    assert version_of(views) == 5
    assert views.reset_unless_version(ViewUpdater.NAME, 5) is False
    assert views.dump() == []


def test_read_models_commit_without_waiting_for_the_disk(views: ViewStore) -> None:
    """Folded again from the event store after a crash, with their position in the same transaction:
    a commit of the read models does not wait for an fsync (the event store's always does)."""
    with views.transaction() as c:
        if views._p == "?":
            c.execute("PRAGMA synchronous")
            assert c.fetchone()[0] == 1  # NORMAL: in WAL mode, consistent after a crash, not synced per commit
        else:
            c.execute("SHOW synchronous_commit")
            assert c.fetchone()[0] == "off"
