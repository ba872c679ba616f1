"""A vote session through pages: scheduled from the list put to the session with its roll ticked from
intake's deputies registry (and residents' representatives entered by hand), run from the console on
paper by two tellers shown by name, a round's attendance and published ballots by name, and the public
results as cards, where candidates with equal yes-votes share a rank (并列)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.component.decision_flow import COUNTY, Flow, ballots_for
from tests.fixtures.pages import unlabelled_fields, visible_text

REGISTRY = [
    {"deputy_id": "dep-chen", "name": "陈代表", "level": "county", "town": "台城街道", "group": "台城代表小组"},
    {"deputy_id": "dep-huang", "name": "黄代表", "level": "county", "town": "广海镇", "group": ""},
    {"deputy_id": "dep-liang", "name": "梁代表", "level": "township", "town": "广海镇", "group": ""},
]


class Registry:
    """Intake's public deputies registry as decision asks it; ``down`` answers as when intake is away."""

    def __init__(self) -> None:
        self.down = False
        self.asked: list[str] = []

    def __call__(self, county: str) -> list[dict[str, Any]] | None:
        self.asked.append(county)
        return None if self.down else [dict(d) for d in REGISTRY]


def chinese(html: str) -> str:
    text = visible_text(html)
    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}", text), "an id on the page"
    for raw in ("put_to_session", "competitive", "paper", "resident_representative", "dep-", "rep-"):
        assert raw not in text, raw
    return text


def test_schedule_with_the_registry_run_on_paper_and_publish(tmp_path: Path) -> None:
    registry = Registry()
    flow = Flow(tmp_path, deputies=registry)
    list_id, candidates = flow.adopted_list(3, year=2026)
    flow.login("congress_staff", subject="staff-wang", name="王主任")

    page = flow.client.get(f"/decision/sessions/new?county={COUNTY}&list={list_id}")
    assert page.status_code == 200 and registry.asked == [COUNTY]
    text = chinese(page.text)
    assert "陈代表" in text and "黄代表" in text and "2026年民生实事候选项目" in text
    assert 'value="2026年台山市人民代表大会"' in page.text
    assert not unlabelled_fields(page.text)
    form = {
        "county": COUNTY,
        "list_id": list_id,
        "year": "2026",
        "level": "county",
        "town": "",
        "name": "2026年台山市人民代表大会",
    }
    empty = flow.client.post("/decision/sessions", data=form)
    assert empty.status_code == 422 and "出席名册（人大代表）至少选 1 项" in chinese(empty.text)
    scheduled = flow.client.post(
        "/decision/sessions",
        data=form | {"deputies": ["dep-chen", "dep-huang", "dep-liang"], "representatives": "赵阿姨\n钱师傅\n"},
        follow_redirects=False,
    )
    assert scheduled.status_code == 303, scheduled.text
    console_url = scheduled.headers["location"]
    session_id = console_url.split("/")[-2]
    roll = flow.call("GET", f"/sessions/{session_id}")["roll"]
    assert [(d["name"], d["kind"]) for d in roll] == [
        ("陈代表", "deputy"),
        ("黄代表", "deputy"),
        ("梁代表", "deputy"),
        ("赵阿姨", "resident_representative"),
        ("钱师傅", "resident_representative"),
    ]
    assert roll[0]["id"] == "dep-chen" and roll[3]["id"].startswith("rep-")

    console = flow.client.get(console_url)
    text = chinese(console.text)
    assert "2026年台山市人民代表大会" in text and "台山市（440781）" in text and "赵阿姨 居民议事代表" in text
    assert not unlabelled_fields(console.text)
    for deputy in ("dep-chen", "dep-huang", "dep-liang", roll[3]["id"]):
        checked = flow.client.post(f"{console_url}/check-in", data={"deputy_id": deputy})
        assert checked.status_code == 200
    assert "已签到" in chinese(checked.text) and "4</strong> / 5" in checked.text
    # an equal-number vote with 3 candidates for 2 seats: refused in Chinese
    refused = flow.client.post(f"{console_url}/open", data={"seats": "2", "kind": "equal", "mode": "paper"})
    assert refused.status_code == 409 and "等额表决需要 2 个候选项目，现有 3 个" in chinese(refused.text)
    too_few = flow.client.post(f"{console_url}/open", data={"seats": "3", "kind": "competitive", "mode": "paper"})
    assert too_few.status_code == 409
    assert "差额比例（3−3）/3 = 0.0%，低于规定的 10%：3 个名额至少需要 4 个候选项目" in chinese(too_few.text)
    opened = flow.client.post(f"{console_url}/open", data={"seats": "2", "kind": "competitive", "mode": "paper"})
    assert opened.status_code == 200 and "paper-entry" in opened.text and not unlabelled_fields(opened.text)

    # teller 王主任 enters the box; confirming it himself is refused in Chinese; 李科员 confirms
    counts = {f"c:{candidates[0]}:yes": "4", f"c:{candidates[1]}:yes": "3", f"c:{candidates[1]}:no": "1"}
    counts |= {f"c:{candidates[2]}:yes": "1", f"c:{candidates[2]}:no": "3"}
    entered = flow.client.post(
        f"{console_url}/paper-box", data={"box_no": "1", "issued": "4", "returned": "4", "invalid": "0"} | counts
    )
    assert entered.status_code == 200 and "第 1 号票箱已录入，待另一名计票人确认" in chinese(entered.text)
    same = flow.client.post(f"{console_url}/paper-box/1/confirm")
    assert same.status_code == 409 and "须由另一名计票人确认票箱，录入人不能自己确认" in chinese(same.text)
    assert "a second, different teller" not in same.text
    flow.login("congress_staff", subject="staff-li", name="李科员")
    confirmed = flow.client.post(f"{console_url}/paper-box/1/confirm")
    text = chinese(confirmed.text)
    assert "录入：王主任" in text.replace(" ", "") and "确认：李科员" in text.replace(" ", "")
    closed = flow.client.post(f"{console_url}/close")
    text = chinese(closed.text)
    assert "已决定" in text and "第 1 名" in text and "第 2 名" in text and "未当选" in text
    # paper ballots were handed to the four present: the boxes reconcile with no flag
    assert "多于" not in text and "各票箱报告" not in text and "发出选票 4" in text

    # the round: attendance by name; paper boxes with their tellers by name
    round_page = flow.client.get(f"/decision/sessions/{session_id}/rounds/1")
    text = chinese(round_page.text)
    assert "出席代表（4 名）" in text and "陈代表、黄代表、梁代表、赵阿姨" in text and "未出席（1 名）" in text
    assert "钱师傅" in text and "王主任" in text and "李科员" in text and "与公布的结果一致" in text

    # public results: cards, no table; attendance by name
    flow.client.cookies.clear()
    public = flow.client.get(f"/decision/results?county={COUNTY}")
    assert public.status_code == 200 and "<table" not in public.text
    text = chinese(public.text)
    assert "候选项目1" in text and "候选项目2" in text and "候选项目3" not in text
    assert "出席代表（4 名）（代表名册 5）：陈代表、黄代表、梁代表、赵阿姨" in text


def test_equal_yes_votes_share_a_rank_on_the_pages(tmp_path: Path) -> None:
    flow = Flow(tmp_path, deputies=Registry())
    list_id, candidates = flow.adopted_list(3, year=2026)
    session_id, deputies = flow.session(list_id, roll=3, year=2026)
    tokens = [flow.check_in(session_id, d) for d in deputies]
    flow.call("POST", f"/sessions/{session_id}/votes", expect=201, json={"seats": 2})
    for token, marks in zip(tokens, ballots_for(candidates, [3, 3, 0], 3, seats=2), strict=True):
        flow.cast(session_id, token, marks)
    flow.call("POST", f"/sessions/{session_id}/close")

    public = chinese(flow.client.get(f"/decision/results?county={COUNTY}").text)
    assert public.count("第 1 名（并列）") == 2 and "第 2 名" not in public
    flow.login("congress_staff", name="王主任")
    console = chinese(flow.client.get(f"/decision/sessions/{session_id}/console").text)
    assert console.count("第 1 名（并列）") == 2
    round_page = flow.client.get(f"/decision/sessions/{session_id}/rounds/1")
    text = chinese(round_page.text)
    assert "公开的选票（随机顺序，共 3 张）" in text and text.count("候选项目3：反对") == 3
    assert "与公布的结果一致" in text and "代表0、代表1、代表2" in text
    flow.login("deputy", subject=deputies[0], name="代表0")
    assert flow.client.get(f"/decision/sessions/{session_id}/rounds/1").status_code == 200
    flow.client.cookies.clear()
    assert flow.client.get(f"/decision/sessions/{session_id}/rounds/1", follow_redirects=False).status_code == 303


def test_the_registry_away_and_who_may_schedule(tmp_path: Path) -> None:
    registry = Registry()
    flow = Flow(tmp_path, deputies=registry)
    list_id, _ = flow.adopted_list(2, year=2026)
    flow.login("congress_staff", name="王主任")
    registry.down = True
    page = flow.client.get(f"/decision/sessions/new?county={COUNTY}&list={list_id}")
    assert page.status_code == 200 and "暂时无法读取民意征集的代表名册" in chinese(page.text)
    # residents' representatives can still be entered by hand
    form = {"county": COUNTY, "list_id": list_id, "year": "2026", "level": "town", "town": "台城街道"}
    form |= {"name": "台城街道居民议事会", "representatives": "赵阿姨\n钱师傅"}
    done = flow.client.post("/decision/sessions", data=form, follow_redirects=False)
    assert done.status_code == 303
    flow.login("gov_unit", name="李科长")
    assert flow.client.get(f"/decision/sessions/new?county={COUNTY}").status_code == 403
    sessions = flow.client.get(f"/decision/sessions?county={COUNTY}")
    assert sessions.status_code == 200 and "台城街道居民议事会" in sessions.text and "/console" not in sessions.text
