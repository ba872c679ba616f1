"""The demand queue marks a demand whose resident's details were erased, however the erasure was
recorded: an erasure names its demand (the read models keep no index from contacts to demands),
and an erasure stored before it named one (version 1 of the event) is matched to its demand by
the demand's ``contact_id``, on SQLite and PostgreSQL, folded in this process or in bulk (where
the demand may still be in a batch the writer process has not confirmed)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import pytest
from pydantic_core import from_json, to_json

from services.intake.app.application import IntakeApplication, NewDemand
from services.intake.domain.contact import ResidentContact
from services.intake.read.projections import TOPICS, project
from shared.kernel.meta import Meta
from shared.views.store import ViewStore
from shared.views.updater import ViewUpdater

COUNTY = "440781"


def meta(reason: str = "") -> Meta:
    return Meta(COUNTY, "congress_staff", "staff-1", datetime(2026, 3, 1, 9, tzinfo=UTC), reason=reason)


@pytest.fixture
def app(backend_env: dict[str, str]) -> Iterator[IntakeApplication]:
    application = IntakeApplication(env=backend_env)
    try:
        yield application
    finally:
        application.close()


def submit(app: IntakeApplication, n: int) -> list[UUID]:
    return [
        app.submit(
            meta(),
            NewDemand(
                channel="web",
                town="台城街道",
                category="roads",
                text=f"路灯不亮 {i}",
                name="陈先生",
                phone="13800000000",
            ),
        ).id
        for i in range(n)
    ]


def erase_as_version_1(app: IntakeApplication, demand_id: UUID) -> None:
    """An erasure as the previous release stored it: no ``demand_id``, no ``class_version``."""
    contact = app.repository.get(app.demand(demand_id).contact_id)
    contact.erase(meta("群众申请删除"), demand_id)
    [event] = contact.collect_events()
    stored = app.mapper.to_stored_event(event)
    state = from_json(stored.state)
    assert state.pop("demand_id") == {"_type_": "uuid_hex", "_data_": demand_id.hex}
    assert state.pop("class_version") == 2
    app.recorder.insert_events(
        [
            type(stored)(
                originator_id=stored.originator_id,
                originator_version=stored.originator_version,
                topic=stored.topic,
                state=to_json(state),
            )
        ]
    )


def folded(app: IntakeApplication, views: ViewStore, *, bulk: bool) -> dict[str, bool]:
    updater = ViewUpdater(app, views, project, batch=2, topics=TOPICS, bulk_min=3 if bulk else None)
    updater.BULK_BATCH = 3  # the erasures' demands in confirmed, in-flight and current batches
    updater.rebuild()
    return {doc["id"]: doc["contact_erased"] for doc in views.list("demand")}


def in_memory() -> ViewStore:
    return ViewStore(sqlite_path=Path(":memory:"))


def test_erasures_old_and_new_mark_exactly_their_demands(app: IntakeApplication, views: ViewStore) -> None:
    demands = submit(app, 8)
    app.erase_contact(meta("群众申请删除"), demands[1])  # names its demand
    erase_as_version_1(app, demands[0])  # long before: in the store when its erasure folds
    later = submit(app, 1)  # three folded events before its old-style erasure: in the batch before it,
    demands += later + [
        app.submit(
            meta(),
            NewDemand(
                channel="web",
                town="台城街道",
                category="roads",  # still
                text=f"井盖缺失 {i}",
            ),
        ).id
        for i in range(2)
    ]  # unconfirmed
    erase_as_version_1(app, later[0])
    old = [
        e
        for e in (app.mapper.to_domain_event(n) for n in app.recorder.select_notifications(0, 1000))
        if isinstance(e, ResidentContact.Erased)
    ]
    assert [e.demand_id for e in old] == [demands[1], None, None]  # version 1 is read with no demand
    contact = app.repository.get(app.demand(demands[0]).contact_id)  # and replays as erased
    assert contact.erased and contact.version == 2
    contact.erase(meta("再次申请"), demands[0])
    assert contact.collect_events() == []  # erasing again records nothing
    folds = [n.originator_id for n in app.recorder.select_notifications(0, 1000, None, list(TOPICS))]
    assert len(folds) - folds.index(later[0]) == 4  # its Submitted, two others, its erasure

    expected = {str(d): d in (demands[0], demands[1], later[0]) for d in demands}
    ordinary = in_memory()
    try:
        assert folded(app, ordinary, bulk=False) == expected
        assert folded(app, views, bulk=True) == expected
        assert views.dump() == ordinary.dump()
    finally:
        ordinary.close()
    assert not [doc for doc in views.dump() if doc[0] != "demand"]  # no index documents beside them


def test_find_sees_this_transactions_changes_before_the_store(views: ViewStore) -> None:
    def put(tx) -> None:
        for i, contact in enumerate(["c1", "c2", "c1"]):
            tx.put("demand", f"d{i}", COUNTY, {"id": f"d{i}", "contact_id": contact})
        tx.put("demand", "x0", "440703", {"id": "x0", "contact_id": "c1"})  # another county's: never found

    views.apply("views", 1, put)
    found: list[list[str]] = []

    def change(tx) -> None:
        found.append(tx.find("demand", COUNTY, "contact_id", "c1"))
        tx.update("demand", "d0", lambda doc: doc.update(contact_id="c9"))  # no longer a match
        tx.put("demand", "d3", COUNTY, {"id": "d3", "contact_id": "c1"})  # not stored yet: a match
        tx.put("demand", "x1", "440703", {"id": "x1", "contact_id": "c1"})  # nor another county's new one
        found.append(tx.find("demand", COUNTY, "contact_id", "c1"))
        found.append(tx.find("demand", COUNTY, "contact_id", 'x"); DROP TABLE view_docs; --'))

    views.apply("views", 2, change)
    assert found == [["d0", "d2"], ["d2", "d3"], []]
    assert sorted(views.search("demand", COUNTY, "contact_id", "c1")) == ["d2", "d3"]


def test_find_in_a_bulk_fold_sees_unconfirmed_batches_before_the_store(views: ViewStore) -> None:
    from shared.views.bulk import OverlayTx

    views.apply("views", 1, lambda tx: tx.put("demand", "d0", COUNTY, {"id": "d0", "contact_id": "c1"}))
    pending = [
        {
            ("demand", "d0"): (COUNTY, {"id": "d0", "contact_id": "c9"}),  # changed, not yet written
            ("demand", "d1"): (COUNTY, {"id": "d1", "contact_id": "c1"}),
        }
    ]  # new, not yet written
    reader = views.peer()
    try:
        tx = OverlayTx(reader, pending)
        assert tx.find("demand", COUNTY, "contact_id", "c1") == ["d1"]
        assert tx.find("demand", COUNTY, "contact_id", "c9") == ["d0"]
        with pytest.raises(ValueError, match="not a document field name"):
            tx.find("demand", COUNTY, "contact_id') OR 1=1 --", "c1")
    finally:
        reader.close()
