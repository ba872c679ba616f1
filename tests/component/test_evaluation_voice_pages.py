"""Evaluation's pages after completion, zh-CN first: a resident rates once from the tracking page's link
and is answered kindly the second time; staff and deputies record return visits, usage and look-backs
on a project's page and see what is left on the follow-up list; deputies and tellers appear by name; the
results and the published ballots fit a phone; every input labelled, no raw key."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import unquote

from shared.auth import issue_token
from tests.component.test_evaluation_flow import COUNTY, World, world  # noqa: F401  (fixture)
from tests.component.test_intake_pages import main_text, unlabelled
from tests.fixtures.ballots import cast, credential

RAW = re.compile(
    r"\b(major|micro_wish|micro|unsatisfied|basically_satisfied|satisfied|check_in|rating|closed|confirmed|"
    r"in_use|held_up|special_inquiry|electronic|paper)\b"
)


def login(w: World, role: str, subject: str, name: str = "") -> str:
    token = issue_token(w.settings.resolved_jwt_secret(), subject=subject, roles=[role], counties=[COUNTY], name=name)
    w.client.cookies.set("shishi_token", token)
    return token


def test_a_resident_rates_once_from_the_link_and_is_answered_kindly_the_second_time(world: World) -> None:  # noqa: F811
    c = world.client
    road = world.ids["道路修缮"]
    form = c.get(f"/evaluation/projects/{road}/rate?code=track1").text
    assert 'value="TRACK1"' in form and unlabelled(form) == [] and "广东省" not in form and "台山市" in form
    done = c.post(f"/evaluation/projects/{road}/rate", data={"tracking_code": "TRACK1", "level": "satisfied"})
    assert done.status_code == 200 and "感谢您的评价" in done.text
    again = c.post(f"/evaluation/projects/{road}/rate", data={"tracking_code": "TRACK1", "level": "unsatisfied"})
    assert again.status_code == 409 and again.headers["content-type"].startswith("text/html")
    assert "您已经用这个跟踪码评价过这个项目了，感谢您的参与" in again.text and 'id="already-rated"' in again.text
    assert "problem+json" not in again.text and "already" not in main_text(again.text)
    english = c.post(
        f"/evaluation/projects/{road}/rate",
        data={"tracking_code": "TRACK1", "level": "satisfied"},
        cookies={"lang": "en"},
    )
    assert "You have already rated this project" in english.text
    unknown = c.post(f"/evaluation/projects/{road}/rate", data={"tracking_code": "NOPE99", "level": "satisfied"})
    assert unknown.status_code == 404 and "没有找到这个跟踪码" in unknown.text and 'value="NOPE99"' in unknown.text
    other = c.post(f"/evaluation/projects/{road}/rate", data={"tracking_code": "OTHER1", "level": "satisfied"})
    assert other.status_code == 403 and "这条诉求没有纳入这个项目" in other.text
    missing = c.get("/evaluation/projects/7b4c7d2e-0000-4000-8000-000000000000/rate")
    assert missing.status_code == 404 and "没有找到这个项目的测评记录" in missing.text
    world.catch_up()
    record = c.get(f"/evaluation/projects/{road}").text
    assert "满意 1" in record and not RAW.search(main_text(record))


def test_return_visits_usage_and_look_back_on_the_project_page_and_the_follow_up_list(world: World) -> None:  # noqa: F811
    c = world.client
    drain, road = world.ids["排水改造"], world.ids["道路修缮"]
    world.at(date(2025, 10, 8))
    login(world, "congress_staff", "staff-he", "何静")
    todo = c.get(f"/evaluation/followup?county={COUNTY}").text
    visits = todo.split('id="visits"', 1)[1].split("</section>", 1)[0]
    assert "排水改造" in visits and "道路修缮" not in visits  # return visits are for micro projects
    assert "道路修缮" in todo.split('id="usage-missing"', 1)[1] and not RAW.search(main_text(todo))

    page = c.get(f"/evaluation/projects/{drain}").text
    assert 'id="visit-form"' in page and 'id="usage-form"' in page and unlabelled(page) == []
    assert 'id="lookback-form"' not in page and "回头看自 2026-09-01 起到期" in page
    assert 'id="visit-form"' not in c.get(f"/evaluation/projects/{road}").text  # a major project: no return visit

    login(world, "deputy", "dep-ou", "欧阳红")
    no_level = c.post(
        f"/evaluation/projects/{drain}/return-visits",
        data={"visited_on": "2025-10-08", "respondent": "李婆婆"},
        follow_redirects=False,
    )
    assert "请选择回访对象的满意度" in unquote(no_level.headers["location"])
    early = c.post(
        f"/evaluation/projects/{drain}/return-visits",
        data={"visited_on": "2025-08-01", "respondent": "李婆婆", "level": "satisfied"},
        follow_redirects=True,
    ).text
    assert "回访日期须在项目完工之后" in early and "follows completion" not in early
    ok = c.post(
        f"/evaluation/projects/{drain}/return-visits",
        data={"visited_on": "2025-10-08", "respondent": "李婆婆", "level": "basically_satisfied", "note": "排水通畅"},
        follow_redirects=True,
    ).text
    assert "回访已记录" in ok and "2025-10-08 · 李婆婆" in ok and "记录人 欧阳红" in ok

    gov = login(world, "gov_unit", "unit-1", "县水务局")
    bad = c.post(
        f"/evaluation/projects/{drain}/usage",
        data={"measured_on": "2025-10-08", "usage_pct": "120", "basis": "抽查"},
        follow_redirects=True,
    ).text
    assert "使用率须为 0 到 100 之间的数" in bad
    c.post(
        f"/evaluation/projects/{drain}/usage",
        data={"measured_on": "2025-10-08", "usage_pct": "85", "basis": "雨季巡查 20 次，17 次排水正常"},
    )
    api = c.get(f"/evaluation/api/projects/{drain}", headers={"authorization": f"Bearer {gov}"}).json()
    assert api["usage"]["rate"] == "0.85" and api["return_visits"][0]["by_name"] == "欧阳红"

    world.at(date(2026, 9, 2))
    login(world, "deputy", "dep-ou", "欧阳红")
    due = c.get(f"/evaluation/followup?county={COUNTY}").text
    assert "排水改造" in due.split('id="lookbacks-due"', 1)[1].split("</section>", 1)[0]
    page = c.get(f"/evaluation/projects/{drain}").text
    assert 'id="lookback-form"' in page and unlabelled(page) == []
    vague = c.post(
        f"/evaluation/projects/{drain}/lookbacks",
        data={"checked_on": "2026-09-02", "in_use": "yes", "held_up": "no", "residents_satisfied": "yes"},
        follow_redirects=True,
    ).text
    assert "请描述发现的问题" in vague
    unanswered = c.post(
        f"/evaluation/projects/{drain}/lookbacks", data={"checked_on": "2026-09-02"}, follow_redirects=True
    ).text
    assert "请选择是否在用：是或否" in unanswered
    done = c.post(
        f"/evaluation/projects/{drain}/lookbacks",
        data={
            "checked_on": "2026-09-02",
            "in_use": "yes",
            "held_up": "no",
            "residents_satisfied": "yes",
            "problem": "雨季后两处井盖下沉",
        },
        follow_redirects=True,
    ).text
    assert "回头看已记录" in done and "雨季后两处井盖下沉" in done and not RAW.search(main_text(done))
    after = c.get(f"/evaluation/followup?county={COUNTY}").text
    assert "排水改造" not in after.split('id="lookbacks-due"', 1)[1].split("</section>", 1)[0]

    login(world, "auditor", "aud-1", "审计员")
    assert 'id="lookback-form"' not in c.get(f"/evaluation/projects/{drain}").text  # reads, never writes
    refused = c.post(f"/evaluation/projects/{drain}/usage", data={"usage_pct": "1"}, follow_redirects=False)
    assert refused.status_code == 303 and refused.headers["location"] == "/login"


def test_deputies_and_tellers_by_name_and_the_ballots_fit_a_phone(world: World) -> None:  # noqa: F811
    c = world.client
    world.at(date(2026, 1, 12))
    staff = login(world, "congress_staff", "teller-a", "计票人张")
    opened = c.post(
        f"/evaluation/board/rounds?county={COUNTY}",
        data={"session_year": "2026", "rated_year": "2025", "session_closes_on": "2026-01-15", "mode": "paper"},
        follow_redirects=False,
    )
    assert "error" not in opened.headers["location"]
    typo = c.post(
        f"/evaluation/board/rounds?county={COUNTY}",
        data={"session_year": "二〇二六", "rated_year": "2025", "session_closes_on": "2026-01-15"},
        follow_redirects=True,
    ).text
    assert "人代会年度须为整数" in typo and "int_parsing" not in typo
    world.catch_up()
    rnd = c.get(f"/evaluation/api/counties/{COUNTY}/rounds", headers={"authorization": f"Bearer {staff}"}).json()
    rnd = rnd["items"][0]
    for n, name in enumerate(("黄代表", "林代表")):
        login(world, "deputy", f"deputy-{n}", name)
        assert (
            c.post("/evaluation/rate/check-in", data={"round_id": rnd["id"]}, follow_redirects=False).status_code == 303
        )
    again = c.post("/evaluation/rate/check-in", data={"round_id": rnd["id"]}, follow_redirects=True).text
    assert "该代表已签到并领取选票" in again
    login(world, "congress_staff", "teller-a", "计票人张")
    c.post(f"/evaluation/board/rounds/{rnd['id']}/start?county={COUNTY}")
    road = next(p["project_id"] for p in rnd["projects"] if p["name"] == "道路修缮")
    box = {"box_no": "1", "issued": "2", "returned": "2", "invalid": "0", f"{road}:satisfied": "2"}
    c.post(f"/evaluation/board/rounds/{rnd['id']}/boxes?county={COUNTY}", data=box)
    same = c.post(f"/evaluation/board/rounds/{rnd['id']}/boxes/1/confirm?county={COUNTY}", follow_redirects=False)
    assert "error=" in same.headers["location"]  # the teller who entered it cannot confirm it
    login(world, "congress_staff", "teller-b", "监票人王")
    c.post(f"/evaluation/board/rounds/{rnd['id']}/boxes/1/confirm?county={COUNTY}")
    world.catch_up()
    board = c.get(f"/evaluation/board?county={COUNTY}").text
    assert "录入 计票人张" in board and "确认 监票人王" in board and "teller-a" not in board
    assert unlabelled(board) == [], unlabelled(board)
    c.post(f"/evaluation/board/rounds/{rnd['id']}/close?county={COUNTY}")
    world.catch_up()
    c.cookies.clear()
    page = c.get(f"/evaluation/rounds/{rnd['id']}").text
    assert "黄代表、林代表" in page and "deputy-0" not in page  # their own logins named them
    assert '<ol class="project-keys"' in page
    assert not RAW.search(main_text(page)), RAW.search(main_text(page))
    results = c.get(f"/evaluation/?county={COUNTY}").text
    assert 'class="table stack-table"' in results and 'data-label="项目"' in results
    assert "台山市" in results and "440781" not in main_text(results) and not RAW.search(main_text(results))
    for path in (f"/evaluation/metrics?county={COUNTY}&year=2025", f"/evaluation/?county={COUNTY}"):
        shown = c.get(path).text
        assert unlabelled(shown) == [] and not RAW.search(main_text(shown)) and "440781" not in main_text(shown)


def test_electronic_ballots_are_published_numbered_by_project(world: World) -> None:  # noqa: F811
    c, staff = world.client, world.bearer("congress_staff")
    world.at(date(2026, 1, 10))
    opened = c.post(
        f"/evaluation/api/counties/{COUNTY}/rounds",
        headers=staff,
        json={"session_year": 2026, "rated_year": 2025, "session_closes_on": "2026-01-15"},
    ).json()
    vote = f"/evaluation/api/rounds/{opened['id']}"
    token = issue_token(
        world.settings.resolved_jwt_secret(), subject="d0", roles=["deputy"], counties=[COUNTY], name="梁代表"
    )
    c.post(f"{vote}/check-in", headers={"authorization": f"Bearer {token}"})
    held = credential(c, vote, {"authorization": f"Bearer {token}"})
    c.post(f"{vote}/start", headers=staff)
    marks = {p["project_id"]: "satisfied" for p in opened["projects"]}
    r, receipt = cast(c, vote, held, marks)
    assert r.status_code == 201
    c.post(f"{vote}/close", headers=staff)
    world.catch_up()
    page = c.get(f"/evaluation/rounds/{opened['id']}").text
    assert 'class="table-wrap scroll-box"' in page  # the list scrolls in its own box, never the page
    published = page.split('id="published"', 1)[1].split("</table>", 1)[0]
    assert receipt in published and ">1</th>" in published and ">2</th>" in published
    assert "道路修缮" not in published.split("</thead>", 1)[1]  # names only in the key above, so rows stay narrow
    assert "梁代表" in page  # attendance by the name their login gave
