"""The staff queue pages: through the JSON API (``page``, ``limit``; ``total``, ``pages``) and on the
staff page (50 a page, previous/next links), in the queue's order (overdue consultations first, then by
deadline, then the newest), with filters and counts over the whole county; the store chooses the page
(``queue_page``), and gives what ordering every document in Python gives (``queue``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from services.intake.read.projections import DEMAND
from services.intake.read.queue import QueueFilter, queue, queue_page
from shared.views.paging import Paging
from tests.fixtures.service import InProcessService

A = "440781"
T0 = datetime(2025, 3, 1, 9, tzinfo=UTC)


class Desk(InProcessService):
    def __init__(self, tmp_path: Path) -> None:
        super().__init__("intake", tmp_path, county=A, now=T0)

    def submit(self, n: int, category: str = "roads", town: str = "台城街道") -> dict:
        # from a department's list (staff): more than the 30 anonymous submissions a minute one address may make
        body = {"county": A, "town": town, "category": category, "text": f"第{n}件：路灯不亮，请维修"}
        return self.call(
            "POST", "/intake/api/demands", "congress_staff", json={**body, "channel": "department_list"}, expect=201
        )


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    d = Desk(tmp_path)
    yield d
    d.client.close()


def fill(desk: Desk, count: int) -> list[dict]:
    made = []
    for n in range(count):
        desk.at(T0 + timedelta(minutes=n))
        made.append(
            desk.submit(n, category="water" if n % 3 == 0 else "roads", town="北陡镇" if n % 4 == 0 else "台城街道")
        )
    return made


def test_the_api_pages_through_the_whole_queue_newest_first(desk: Desk) -> None:
    made = fill(desk, 23)
    seen, page = [], 1
    while True:
        body = desk.call("GET", f"/intake/api/counties/{A}/demands?limit=10&page={page}", "congress_staff", expect=200)
        assert (body["total"], body["pages"], body["page"], body["per_page"]) == (23, 3, page, 10)
        assert body["counts"]["status"] == {"received": 23}  # counts cover the county, not the page
        seen += [item["id"] for item in body["items"]]
        if page == body["pages"]:
            break
        page += 1
    assert seen == [d["id"] for d in reversed(made)]  # every demand once, newest first
    beyond = desk.call("GET", f"/intake/api/counties/{A}/demands?limit=10&page=9", "congress_staff", expect=200)
    assert beyond["items"] == [] and beyond["total"] == 23


def test_filters_apply_before_paging(desk: Desk) -> None:
    fill(desk, 12)
    body = desk.call(
        "GET", f"/intake/api/counties/{A}/demands?category=water&limit=3&page=2", "congress_staff", expect=200
    )
    assert body["total"] == 4 and body["pages"] == 2
    assert [item["category"] for item in body["items"]] == ["water"]
    town = desk.call("GET", f"/intake/api/counties/{A}/demands?town=北陡镇&q=第4件", "congress_staff", expect=200)
    assert [item["text"] for item in town["items"]] == ["第4件：路灯不亮，请维修"]


def test_consultations_awaiting_a_reply_come_first_overdue_before_the_rest(desk: Desk) -> None:
    made = fill(desk, 6)
    staff = {"kind": "consultation", "scope": "household", "estimate": 0}
    for demand in (made[1], made[4]):  # consultations: to be answered within 24 hours
        desk.call("POST", f"/intake/api/demands/{demand['id']}/triage", "congress_staff", json=staff, expect=200)
    desk.at(T0 + timedelta(hours=30))  # both overdue now; made[1]'s deadline is the earlier
    first = desk.call("GET", f"/intake/api/counties/{A}/demands?limit=2", "congress_staff", expect=200)
    assert [item["id"] for item in first["items"]] == [made[1]["id"], made[4]["id"]]
    assert all(item["overdue"] for item in first["items"])
    assert first["counts"]["overdue"] == {"overdue": 2}
    overdue = desk.call("GET", f"/intake/api/counties/{A}/demands?overdue=true", "congress_staff", expect=200)
    assert overdue["total"] == 2
    rest = desk.call("GET", f"/intake/api/counties/{A}/demands?limit=2&page=2", "congress_staff", expect=200)
    assert [item["id"] for item in rest["items"]] == [made[5]["id"], made[3]["id"]]


def test_the_store_gives_the_order_python_gives(desk: Desk) -> None:
    made = fill(desk, 9)
    staff = {"kind": "consultation", "scope": "household", "estimate": 0}
    desk.call("POST", f"/intake/api/demands/{made[2]['id']}/triage", "congress_staff", json=staff, expect=200)
    views, now = desk.api.state.views, T0 + timedelta(hours=3)
    for wanted in (QueueFilter(), QueueFilter(category="roads"), QueueFilter(overdue=False), QueueFilter(text="第2")):
        every = queue(views.list(DEMAND, A), wanted, now, 1000)
        paged = [d for p in (1, 2, 3) for d in queue_page(views, A, wanted, now, Paging(p, 4))["items"]]
        assert [d["id"] for d in paged] == [d["id"] for d in every["items"]], wanted
        assert queue_page(views, A, wanted, now, Paging(1, 4))["total"] == every["total"]
        assert queue_page(views, A, wanted, now, Paging(1, 4))["counts"] == every["counts"]


def test_the_staff_page_shows_fifty_a_page_with_links_to_the_others(desk: Desk) -> None:
    fill(desk, 55)
    desk.login("congress_staff")
    first = desk.client.get(f"/intake/queue?county={A}")
    assert first.status_code == 200
    assert first.text.count("<tr data-id=") == 50
    assert "第 1 / 2 页" in first.text or "1 / 2" in first.text
    assert "page=2" in first.text
    second = desk.client.get(f"/intake/queue?county={A}&page=2")
    assert second.text.count("<tr data-id=") == 5
    assert "page=1" in second.text
