"""Evaluation's pages as a user sees them: public results and a round's published ballots, the
deputy's mobile ballot page, residents' rating by tracking code, the committee board (paper
boxes by two tellers, confirmation, distribution, rectification forms) and the metrics dashboard."""

from __future__ import annotations

from datetime import date

from tests.component.test_evaluation_flow import COUNTY, World, world  # noqa: F401  (fixture)


def login(w: World, role: str, subject: str) -> None:
    w.client.cookies.set("shishi_token", w.bearer(role, subject)["authorization"][7:])


def test_paper_round_on_the_board_and_public_pages(world: World) -> None:  # noqa: F811
    c = world.client
    world.at(date(2026, 1, 12))
    login(world, "congress_staff", "teller-a")
    r = c.post(
        f"/evaluation/board/rounds?county={COUNTY}",
        data={"session_year": "2026", "rated_year": "2025", "session_closes_on": "2026-01-15", "mode": "paper"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and "error" not in r.headers["location"]
    world.catch_up()
    rnd = c.get(f"/evaluation/api/counties/{COUNTY}/rounds").json()["items"][0]
    for n in range(2):
        login(world, "deputy", f"deputy-{n}")
        assert c.post(f"/evaluation/api/rounds/{rnd['id']}/check-in").status_code == 201
    login(world, "congress_staff", "teller-a")
    c.post(f"/evaluation/board/rounds/{rnd['id']}/start?county={COUNTY}", follow_redirects=False)
    road = next(p["project_id"] for p in rnd["projects"] if p["name"] == "道路修缮")
    canteen = next(p["project_id"] for p in rnd["projects"] if p["name"] == "长者饭堂")
    box = {
        "box_no": "1",
        "issued": "2",
        "returned": "2",
        "invalid": "0",
        f"{road}:unsatisfied": "2",
        f"{canteen}:satisfied": "2",
    }
    assert (
        "error"
        not in c.post(
            f"/evaluation/board/rounds/{rnd['id']}/boxes?county={COUNTY}", data=box, follow_redirects=False
        ).headers["location"]
    )
    same = c.post(f"/evaluation/board/rounds/{rnd['id']}/boxes/1/confirm?county={COUNTY}", follow_redirects=False)
    assert "error=" in same.headers["location"]  # the teller who entered it cannot confirm it
    login(world, "congress_staff", "teller-b")
    for action in ("boxes/1/confirm", "close", "confirm", "distribute"):
        r = c.post(f"/evaluation/board/rounds/{rnd['id']}/{action}?county={COUNTY}", follow_redirects=False)
        assert "error" not in r.headers["location"], r.headers["location"]
    world.catch_up()
    board = c.get(f"/evaluation/board?county={COUNTY}").text
    assert "整改中" in board and "2026-04-15" in board and "组织部门" in board
    assert c.get(f"/evaluation/api/rounds/{rnd['id']}/recount").json()["matches_declared"]

    c.cookies.clear()
    results = c.get(f"/evaluation/?county={COUNTY}").text
    assert "不满意" in results and "满意" in results and "道路修缮" in results
    world.registry[COUNTY] = {"deputy-0": "甄代表", "deputy-1": "贾代表"}  # their logins gave no names
    page = c.get(f"/evaluation/rounds/{rnd['id']}").text
    assert "甄代表、贾代表" in page and "deputy-0" not in page  # attendance is public, by name
    english = c.get(f"/evaluation/?county={COUNTY}", cookies={"lang": "en"}).text
    assert "Unsatisfied" in english
    assert c.get(f"/evaluation/board?county={COUNTY}", follow_redirects=False).status_code == 303  # login first

    form = c.get(f"/evaluation/projects/{road}/rate").text
    assert 'name="tracking_code"' in form
    done = c.post(f"/evaluation/projects/{road}/rate", data={"tracking_code": "TRACK1", "level": "satisfied"})
    assert done.status_code == 200 and "感谢您的评价" in done.text
    refused = c.post(f"/evaluation/projects/{road}/rate", data={"tracking_code": "OTHER1", "level": "satisfied"})
    assert refused.status_code == 403

    world.catch_up()
    dash = c.get(f"/evaluation/metrics?county={COUNTY}&year=2025").text
    assert "办复率" in dash and "data-chart=" in dash and "vendor/echarts.min.js" in dash


def test_deputy_rating_page_shows_the_open_round(world: World) -> None:  # noqa: F811
    c = world.client
    login(world, "congress_staff", "staff")
    c.post(
        f"/evaluation/board/rounds?county={COUNTY}",
        data={"session_year": "2026", "rated_year": "2025", "session_closes_on": "2026-01-15"},
        follow_redirects=False,
    )
    world.catch_up()
    login(world, "deputy", "deputy-9")
    page = c.get(f"/evaluation/rate?county={COUNTY}").text
    assert 'id="check-in"' in page and 'action="/evaluation/rate/check-in"' in page and "ballot.js" in page
    round_id = page.split('data-round="', 1)[1].split('"', 1)[0]
    checked = c.post("/evaluation/rate/check-in", data={"round_id": round_id}, follow_redirects=False)
    assert checked.status_code == 303 and "set-cookie" not in checked.headers  # attendance, no token anywhere
    page = c.get(f"/evaluation/rate?county={COUNTY}").text
    assert (
        'data-checked-in="yes"' in page
        and f'data-credential-url="/evaluation/api/rounds/{round_id}/credential"' in page
    )
    script = c.get("/evaluation/static/ballots/ballot.js").text
    assert 'credentials: "omit"' in script  # no login goes with a ballot


def test_the_board_a_form_returns_to_shows_what_the_form_did(world: World) -> None:  # noqa: F811
    """The redirect after a staff form waits until the read models include what it stored: the board
    shown next has the round just opened (nobody folds the read models here but the form's own wait)."""
    world.at(date(2026, 1, 12))
    login(world, "congress_staff", "teller-a")
    board = world.client.post(
        f"/evaluation/board/rounds?county={COUNTY}",
        data={"session_year": "2026", "rated_year": "2025", "session_closes_on": "2026-01-15", "mode": "paper"},
    )
    assert board.status_code == 200 and str(board.url).endswith(f"/evaluation/board?county={COUNTY}")
    assert board.text.count("data-round") >= 1 and "2026" in board.text
