"""Each role lands on its own worklist, and no link it is shown answers 401, 403, 404, a server error
or a bounce to the login: the home and the menu of congress staff, a government office, a deputy, an
auditor, a province viewer, a resident and a visitor are crawled on one county with work waiting for
every one of them (``tests/fixtures/county_site.py``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.fixtures.county_site import COUNTY, Site, build_site, links_of

WHO = ("congress_staff", "gov_unit", "deputy", "auditor", "province_viewer", "resident", None)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    return build_site(tmp_path_factory.mktemp("county"))


@pytest.fixture
def client(site: Site) -> Iterator[TestClient]:
    with TestClient(site.gateway) as c:
        yield c


def home_of(client: TestClient, site: Site, who: str | None) -> tuple[str, str]:
    """(the page a person lands on after signing in, its HTML)."""
    client.cookies.clear()
    if who:
        client.cookies.set("shishi_token", site.token(who))
    r = client.get("/", follow_redirects=True)
    assert r.status_code == 200, r.text
    return r.url.path, r.text


def tasks_of(html: str) -> set[str]:
    import re

    return set(re.findall(r'data-task="([a-z_]+)"', html))


def test_each_role_lands_on_its_own_worklist(client: TestClient, site: Site) -> None:
    path, staff = home_of(client, site, "congress_staff")
    assert path == "/" and "人大常委会工作人员：本周待办" in staff and "周干事" in staff and "台山市" in staff
    assert {"replies_overdue", "untriaged", "lists_to_decide", "sessions_to_hold", "findings_to_assign"} <= tasks_of(
        staff
    )
    assert {"ratings_to_round", "rounds_in_progress"} <= tasks_of(staff)
    assert "请问老年卡在哪里办理" in staff and "2026年镇街候选项目" in staff and "台城道路改造" in staff
    assert "data-overdue" in staff and "已逾期" in staff  # the consultation's 24 hours have passed
    assert staff.count("长者饭堂") == 0 and "社区公园" in staff  # already in the open round / still waiting for one

    _, unit = home_of(client, site, "gov_unit")
    assert "政府 / 责任单位" in unit and {"plans_due", "untriaged"} <= tasks_of(unit)
    assert "sessions_to_hold" not in tasks_of(unit)  # the vote is congress staff's

    _, deputy = home_of(client, site, "deputy")
    assert {"sessions_to_vote", "projects_to_inspect", "rounds_to_rate"} <= tasks_of(deputy)
    assert f'href="/decision/sessions/{site.session_id}/ballot"' in deputy
    assert f'href="/deputies/{COUNTY}/deputy-000"' in deputy  # their record of duty
    assert "untriaged" not in tasks_of(deputy)

    _, auditor = home_of(client, site, "auditor")
    assert "审计：查阅与回溯" in auditor and f'href="/supervision/audit/counties/{COUNTY}"' in auditor

    path, _ = home_of(client, site, "province_viewer")
    assert path == "/province"

    for who in ("resident", None):
        path, public = home_of(client, site, who)
        assert path == "/" and "提交诉求" in public and "data-task" not in public and "我的工作" not in public


def test_the_worklist_speaks_english_with_the_toggle(client: TestClient, site: Site) -> None:
    client.cookies.set("lang", "en")
    _, staff = home_of(client, site, "congress_staff")
    client.cookies.set("lang", "en")
    staff = client.get("/").text
    assert "Congress staff: due this week" in staff and "Consultations past their reply deadline" in staff
    client.cookies.delete("lang")


def refusal(client: TestClient, path: str) -> str | None:
    """Why opening ``path`` is refused (None: it is not)."""
    r = client.get(path, follow_redirects=False)
    bounced = r.status_code in (302, 303, 307) and r.headers.get("location", "").startswith("/login")
    if r.status_code in (401, 403, 404) or r.status_code >= 500 or bounced:
        return f"{path}: {r.status_code} {r.headers.get('location', '')}"
    return None


@pytest.mark.parametrize("who", WHO)
def test_no_link_a_role_is_shown_is_refused(client: TestClient, site: Site, who: str | None) -> None:
    """Every link of the role's home and menu, and every link of the pages those lead to."""
    _, home = home_of(client, site, who)
    pages = links_of(home)
    assert pages, "the home links somewhere"
    refused = [why for path in pages if (why := refusal(client, path))]
    assert refused == [], f"{who or 'visitor'} is shown links it may not open"
    seen = set(pages)
    for page in pages:
        for path in links_of(client.get(page, follow_redirects=True).text):
            if path not in seen:
                seen.add(path)
                if why := refusal(client, path):
                    refused.append(f"{why} (linked from {page})")
    assert refused == [], f"{who or 'visitor'} is shown links it may not open"
    menu = {p.split("?")[0] for p in pages}
    expected = {
        "congress_staff": {"/intake/queue", "/decision/sessions", "/supervision/dashboard", "/evaluation/board"},
        "gov_unit": {"/intake/queue", "/supervision/unit", "/evaluation/board"},
        "deputy": {"/intake/inbox", "/supervision/inspect", "/evaluation/rate"},
        "auditor": {"/audit", "/province"},
        "province_viewer": {"/province"},
        "resident": set(),
        None: set(),
    }[who]
    assert menu >= expected
    staff_only = {"/intake/queue", "/intake/inbox", "/supervision/unit", "/evaluation/board", "/decision/sessions"}
    if who in ("resident", None, "province_viewer"):
        assert not menu & staff_only
