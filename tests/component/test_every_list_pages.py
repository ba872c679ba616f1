"""Every list pages (issue 18): the shared paging over the read-model store (a count and a
``LIMIT``/``OFFSET`` select; ordered parts one after the other; nested fields, numbers and booleans
compared alike), and lists of the services a page at a time through their APIs and pages — page 2 of N
holds the right items, ``total`` and ``pages`` count the whole list, and what is summed over the list
(the supervision board's summary) is summed over every page. Which routes page at all:
``tests/contract/test_every_list_pages.py``."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from functools import partial
from pathlib import Path
from uuid import uuid4

import httpx
import pytest

from services.decision.app import roll
from services.evaluation.app import deputy_names
from shared.contracts import decision as d
from shared.views.paging import MAX_LIMIT, Paging, every_page, of_year, page_across, page_in_store, page_of
from shared.views.query import Condition, DocQuery
from shared.views.store import ViewStore, ViewTx
from tests.component.decision_flow import Flow
from tests.fixtures.service import InProcessService

A = "440781"


THINGS = [
    {
        "id": f"t{n:02d}",
        "year": 2020 + n % 3,
        "name": f"第{n:02d}项",
        "active": n % 4 != 0,
        "wish": {"claimed": {"by": "dep"}} if n % 5 == 0 else {},
        "due": f"2026-0{1 + n % 9}-01",
        "flagged": f"2026-01-{1 + n:02d}" if n % 6 == 0 else None,
        "seen": [f"2026-0{n % 3}"] if n % 3 else [],
    }
    for n in range(23)
]


def stored(views: ViewStore, docs: list[dict]) -> ViewStore:
    def put(tx: ViewTx) -> None:
        for doc in docs:
            tx.put("thing", doc["id"], A, doc)

    views.apply("test", 1, put)
    return views


@pytest.fixture
def views() -> ViewStore:
    """SQLite here; ``tests/integration/test_views_paging_postgres.py`` runs the same checks on PostgreSQL."""
    return stored(ViewStore(sqlite_path=Path(":memory:")), THINGS)


def test_a_page_of_the_store_is_the_slice_of_the_whole_ordered_list(views: ViewStore) -> None:
    query = DocQuery("thing", A, order=(("year", True), ("name", False)))
    whole = sorted(THINGS, key=lambda t: (-t["year"], t["name"]))
    second = page_in_store(views, query, Paging(2, 10))
    assert (second["total"], second["page"], second["per_page"], second["pages"]) == (23, 2, 10, 3)
    assert [t["id"] for t in second["items"]] == [t["id"] for t in whole[10:20]]
    assert page_in_store(views, query, Paging(9, 10))["items"] == []
    walked = every_page(lambda p: page_in_store(views, query, p), limit=4)
    assert [t["id"] for t in walked] == [t["id"] for t in whole]  # page after page, every item once
    shaped = page_in_store(views, query, Paging(1, 2), lambda t: {"id": t["id"]})
    assert shaped["items"] == [{"id": t["id"]} for t in whole[:2]]


def test_numbers_booleans_and_nested_fields_are_compared_as_the_documents_hold_them(views: ViewStore) -> None:
    of_2021 = page_in_store(views, DocQuery("thing", A, of_year(2021)), Paging(1, MAX_LIMIT))
    assert of_2021["total"] == sum(1 for t in THINGS if t["year"] == 2021) > 0
    active = views.count(DocQuery("thing", A, (Condition("active", "=", True),)))
    assert active == sum(1 for t in THINGS if t["active"])
    unclaimed = DocQuery("thing", A, (Condition("wish.claimed", "is null"),), order=(("name", False),))
    assert [t["id"] for t in views.select(unclaimed)] == [t["id"] for t in THINGS if "claimed" not in t["wish"]]
    unseen = DocQuery("thing", A, (Condition("seen", "=", "[]"),))  # an empty list, as evaluation's look-backs
    assert views.count(unseen) == sum(1 for t in THINGS if not t["seen"])
    claimed_by = DocQuery("thing", A, (Condition("wish.claimed.by", "=", "dep"),))
    assert views.count(claimed_by) == sum(1 for t in THINGS if t["wish"])
    with pytest.raises(ValueError):
        views.count(DocQuery("thing", A, (Condition("wish.claimed;drop", "is null"),)))


def test_ordered_parts_page_as_one_list(views: ViewStore) -> None:
    """Flagged things first, then the rest: a page that straddles the two reads each part's share."""
    order = (("name", False),)
    parts = [
        DocQuery("thing", A, (Condition("flagged", "is not null"),), order=order),
        DocQuery("thing", A, (Condition("flagged", "is null"),), order=order),
    ]
    whole = sorted(THINGS, key=lambda t: (t["flagged"] is None, t["name"]))
    for paging in (Paging(1, 3), Paging(2, 3), Paging(1, 30), Paging(4, 5), Paging(6, 5)):
        got = page_across(views, parts, paging)
        assert [t["id"] for t in got["items"]] == [t["id"] for t in page_of(whole, paging)["items"]], paging
        assert got["total"] == 23


def test_a_page_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError):
        Paging(0, 10)
    with pytest.raises(ValueError):
        Paging(1, MAX_LIMIT + 1)


# -- the services' lists through their APIs ---------------------------------------------------------------
def test_the_deputies_registry_pages_by_town_and_name_without_the_retired(tmp_path: Path) -> None:
    intake = InProcessService("intake", tmp_path, county=A)
    try:
        for n in range(7):
            town = "台城街道" if n % 2 else "北陡镇"
            body = {"deputy_id": f"dep-{n}", "name": f"代表{n}", "level": "county", "town": town}
            intake.call("POST", f"/counties/{A}/deputies", "congress_staff", json=body, expect=201)
        intake.call("POST", f"/counties/{A}/deputies/dep-0/retire", "congress_staff", json={"reason": "任期届满"})
        whole = intake.call("GET", f"/counties/{A}/deputies?include_retired=true", None)["items"]
        assert [x["deputy_id"] for x in whole] == [
            x["deputy_id"] for x in sorted(whole, key=lambda x: (x["town"], x["name"]))
        ]
        second = intake.call("GET", f"/counties/{A}/deputies?limit=2&page=2", None)
        assert (second["total"], second["pages"], second["page"], second["per_page"]) == (6, 3, 2, 2)
        active = [x for x in whole if x["active"]]
        assert [x["deputy_id"] for x in second["items"]] == [x["deputy_id"] for x in active[2:4]]
        assert "phone" not in second["items"][0]  # still the public view of each deputy
        refused = intake.call("GET", f"/counties/{A}/deputies?limit=1001", None, expect=422)
        assert refused["status"] == 422
    finally:
        intake.client.close()


def test_the_pool_pages_newest_first(tmp_path: Path) -> None:
    flow = Flow(tmp_path)
    try:
        flow.pooled_demands(7)
        flow.sync()
        whole = flow.call("GET", f"/counties/{A}/pool?limit=1000", "congress_staff")
        page = flow.call("GET", f"/counties/{A}/pool?limit=3&page=3", "congress_staff")
        assert (whole["total"], page["total"], page["pages"]) == (7, 7, 3)
        assert page["items"] == whole["items"][6:]
        assert [x["pooled_at"] for x in whole["items"]] == sorted(
            (x["pooled_at"] for x in whole["items"]), reverse=True
        )
    finally:
        flow.client.close()


class Board(InProcessService):
    def __init__(self, tmp_path: Path) -> None:
        super().__init__("supervision", tmp_path, county=A, now=datetime(2026, 1, 15, 9, tzinfo=UTC))

    def adopt(self, n: int, year: int = 2026, session: datetime | None = None) -> None:
        """decision.project-adopted arrives (the session closed on ``session``: 15 January by default)."""
        payload = d.ProjectAdopted(
            project_id=uuid4(),
            candidate_id=uuid4(),
            year=year,
            tier="major",
            name=f"项目{n:02d}",
            content="内容",
            implementing_body="住建局",
            investment=Decimal(100_000 * (n + 1)),
            deadline=date(year, 12, 31),
            demand_ids=[uuid4()],
        )
        self.deliver(payload, at=session or datetime(year, 1, 15, 9, tzinfo=UTC))


def test_the_project_board_pages_and_its_summary_covers_every_page(tmp_path: Path) -> None:
    board = Board(tmp_path)
    try:
        for n in range(52):
            board.adopt(n, year=2025 if n < 2 else 2026)
        third = board.call("GET", f"/counties/{A}/projects?limit=20&page=3", None)
        assert (third["total"], third["pages"], len(third["items"])) == (52, 3, 12)
        assert third["summary"]["projects"] == 52  # the county's figures, not the page's
        assert [x["name"] for x in third["items"]] == [f"项目{n:02d}" for n in range(40, 52)]  # by year, then name
        of_2026 = board.call("GET", f"/counties/{A}/projects?year=2026&limit=5", None)
        assert (of_2026["total"], of_2026["summary"]["projects"]) == (50, 50)
        whole = board.call("GET", f"/counties/{A}/summary?year=2026", "congress_staff")  # from every document
        assert of_2026["summary"] == {name: whole[name] for name in of_2026["summary"]}
        first = board.client.get(f"/supervision/?county={A}")  # the public board: 50 a page, the latest year first
        assert first.status_code == 200
        assert first.text.count("<tr data-project=") == 50
        assert "第 1 / 2 页" in first.text and "page=2" in first.text
        second = board.client.get(f"/supervision/?county={A}&page=2")
        assert second.text.count("<tr data-project=") == 2 and "项目00" in second.text  # 2025's two come last
        assert "第 2 / 2 页" in second.text
    finally:
        board.client.close()


def test_the_warnings_page_escalated_ones_first_and_count_them_over_every_page(tmp_path: Path) -> None:
    board = Board(tmp_path)
    try:
        staff = "congress_staff"
        for n in range(3):
            board.adopt(n)  # session closed 2026-01-15: plans due in 30 days
        board.call("POST", f"/counties/{A}/sweep", staff, params={"now": "2026-02-15"})  # three raised
        for n in range(3, 5):
            board.adopt(n, session=datetime(2026, 2, 1, 9, tzinfo=UTC))
        board.call("POST", f"/counties/{A}/sweep", staff, params={"now": "2026-03-02"})  # the first three escalated
        board.call("POST", f"/counties/{A}/sweep", staff, params={"now": "2026-03-04"})  # the later two raised
        whole = board.call("GET", f"/counties/{A}/warnings?limit=1000", staff)
        assert [bool(w["escalated_on"]) for w in whole["items"]] == [True, True, True, False, False]
        second = board.call("GET", f"/counties/{A}/warnings?limit=2&page=2", staff)
        assert (second["total"], second["pages"], second["escalated"]) == (5, 3, 3)
        assert second["items"] == whole["items"][2:4]  # the page straddles the escalated and the rest
    finally:
        board.client.close()


def test_the_audit_reads_page_newest_first(tmp_path: Path) -> None:
    intake = InProcessService("intake", tmp_path, county=A, now=datetime(2026, 3, 1, 9, tzinfo=UTC))
    try:
        for n in range(5):
            intake.at(datetime(2026, 3, 1, 9 + n, tzinfo=UTC))
            intake.call("GET", f"/counties/{A}/deputies?town=镇{n}", "auditor", subject="auditor-7")
        whole = intake.call("GET", f"/audit/counties/{A}/reads?limit=1000", "congress_staff")["items"]
        assert [r["at"] for r in whole] == sorted((r["at"] for r in whole), reverse=True)
        second = intake.call("GET", f"/audit/counties/{A}/reads?limit=2&page=2", "congress_staff")
        assert (second["total"], second["pages"]) == (5, 3)
        assert second["items"] == whole[2:4]
        assert [r["path"] for r in second["items"]] == [f"/intake/api/counties/{A}/deputies"] * 2
    finally:
        intake.client.close()


def test_the_registry_page_shows_fifty_deputies_a_page_serving_ones_first(tmp_path: Path) -> None:
    intake = InProcessService("intake", tmp_path, county=A)
    try:
        for n in range(52):
            body = {"deputy_id": f"dep-{n:02d}", "name": f"代表{n:02d}", "level": "county", "town": "台城街道"}
            intake.call("POST", f"/counties/{A}/deputies", "congress_staff", json=body, expect=201)
        intake.call("POST", f"/counties/{A}/deputies/dep-00/retire", "congress_staff", json={"reason": "任期届满"})
        intake.login("congress_staff")
        first = intake.client.get(f"/intake/registry?county={A}")
        assert first.status_code == 200
        assert first.text.count("<tr data-deputy=") == 50 and 'data-deputy="dep-00"' not in first.text
        assert "第 1 / 2 页" in first.text and "page=2" in first.text
        assert first.text.count('name="deputy" value=') == 51  # the new station's form offers every serving deputy
        second = intake.client.get(f"/intake/registry?county={A}&page=2")
        assert second.text.count("<tr data-deputy=") == 2
        assert second.text.index('data-deputy="dep-51"') < second.text.index('data-deputy="dep-00"')  # retired last
    finally:
        intake.client.close()


def test_decision_and_evaluation_read_the_whole_registry_page_after_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The roll of a vote (decision) and the names of deputies (evaluation) need every deputy of
    intake's registry: they walk its pages (here two deputies a page)."""
    intake = InProcessService("intake", tmp_path, county=A)
    try:
        for n in range(5):
            body = {"deputy_id": f"dep-{n}", "name": f"代表{n}", "level": "county", "town": "台城街道"}
            intake.call("POST", f"/counties/{A}/deputies", "congress_staff", json=body, expect=201)
        intake.call("POST", f"/counties/{A}/deputies/dep-4/retire", "congress_staff", json={"reason": "任期届满"})
        asked: list[dict] = []

        def get(url: str, params: dict, timeout: float) -> httpx.Response:
            asked.append(params)
            return intake.client.get(url.removeprefix("http://intake"), params=params)

        monkeypatch.setattr(httpx, "get", get)
        for module in (roll, deputy_names):
            monkeypatch.setattr(module, "every_page", partial(every_page, limit=2))
        found = roll.intake_deputies("http://intake")(A)
        assert found is not None and [x["deputy_id"] for x in found] == ["dep-0", "dep-1", "dep-2", "dep-3"]
        assert [p["page"] for p in asked] == [1, 2]
        names = deputy_names.intake_deputy_names("http://intake")(A)  # retired deputies too
        assert names == {f"dep-{n}": f"代表{n}" for n in range(5)}
        assert roll.intake_deputies("http://intake")("110101") == []  # a county without deputies: none
    finally:
        intake.client.close()
