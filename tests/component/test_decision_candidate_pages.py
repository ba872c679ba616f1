"""Candidates and their approval chain through pages only: the government drafts a candidate by ticking
demands in the pool and a suggestion (no typed ids), screens it on the seven criteria, drafts the list;
congress staff send it back with a reason and approve it through the chain; every step shows who (by
name) and when, in Chinese, and refusals come back in Chinese."""

from __future__ import annotations

import re
from pathlib import Path
from uuid import uuid4

from shared.contracts import intake as i
from tests.component.decision_flow import COUNTY, Flow
from tests.fixtures.pages import unlabelled_fields, visible_text

CRITERIA = ("necessity", "feasibility", "inclusiveness", "regional_balance", "urgency", "benefit", "conditions")
RAW = ("roads", "housing", "in_review", "sent_back", "put_to_session", "chairpersons", "gov_unit", "congress_staff")


def chinese_page(html: str) -> str:
    """The visible text, checked for the raw keys and English a Chinese page must not show."""
    text = visible_text(html)
    assert not [raw for raw in RAW if raw in text], text
    assert "Field required" not in text and "Input should" not in text
    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}", text), "an id on the page"
    return text


def candidate_form(flow: Flow, demand_ids: list[str], **fields: str) -> dict:
    return {
        "county": COUNTY,
        "year": "2026",
        "level": "county",
        "town": "",
        "name": "台城街道道路改造",
        "content": "修复破损路面，完善排水",
        "implementing_body": "台山市交通运输局",
        "investment": "1200000",
        "deadline": "2026-12-31",
        "requirements": "年底前完工",
        "coverage": ["台城街道"],
        "demand_ids": demand_ids,
        **fields,
    }


def screening_form(score: int = 4) -> dict:
    return {f"score:{c}": str(score) for c in CRITERIA} | {"reason:necessity": "群众反映集中"}


def test_draft_screen_and_take_a_list_through_the_chain(tmp_path: Path) -> None:
    flow = Flow(tmp_path)
    roads = flow.pooled_demands(3, text="台城路面破损，雨天积水")
    flow.pooled_demands(2, text="广海镇养老院床位不足", town="广海镇", category="elderly")
    suggestion = uuid4()
    flow.deliver(
        i.SuggestionRaised(
            suggestion_id=suggestion, title="老旧小区改造", category="housing", towns=["台城街道"], demand_ids=[uuid4()]
        )
    )

    flow.login("gov_unit", name="李科长")
    new = flow.client.get(f"/decision/candidates/new?county={COUNTY}")
    assert new.status_code == 200
    text = chinese_page(new.text)
    assert "台城路面破损，雨天积水0" in text and "道路交通" in text and "老旧小区改造" in text and "养老服务" in text
    assert not unlabelled_fields(new.text)
    filtered = chinese_page(flow.client.get(f"/decision/candidates/new?county={COUNTY}&town_filter=广海镇").text)
    assert "广海镇养老院床位不足0" in filtered and "台城路面破损" not in filtered

    # validation in Chinese, named by the form's labels; what was entered stays
    missing = flow.client.post("/decision/candidates", data=candidate_form(flow, roads[:2], name="", investment="abc"))
    assert missing.status_code == 422
    text = chinese_page(missing.text)
    assert "请填写项目名称" in text and "投资额度（元）须为数字" in text
    assert missing.text.count(" checked") >= 3  # the two demands and the town covered stay ticked
    nothing = flow.client.post("/decision/candidates", data=candidate_form(flow, []))
    assert nothing.status_code == 422 and "勾选这个项目吸纳的群众诉求" in chinese_page(nothing.text)

    form = candidate_form(flow, roads[:2]) | {"suggestion_ids": [str(suggestion)]}
    drafted = flow.client.post("/decision/candidates", data=form, follow_redirects=False)
    assert drafted.status_code == 303, drafted.text
    page = flow.client.get(drafted.headers["location"])
    text = chinese_page(page.text)
    assert "台城街道道路改造" in text and "待初审" in text and "李科长" in text and "吸纳的群众诉求（3 条）" in text
    assert "来自项目建议：老旧小区改造" in text
    candidate_id = drafted.headers["location"].rsplit("/", 1)[1]
    again = flow.client.post("/decision/candidates", data=candidate_form(flow, roads[:1]))
    assert again.status_code == 409 and "所选诉求已纳入其他项目" in chinese_page(again.text)

    # screening: every criterion 1–5, reasons kept
    half = {k: v for k, v in screening_form().items() if "necessity" in k}
    refused = flow.client.post(f"/decision/candidates/{candidate_id}/screening", data=half)
    assert refused.status_code == 422 and "请为“可行性”评分（1 至 5）" in chinese_page(refused.text)
    assert not unlabelled_fields(refused.text)
    screened = flow.client.post(f"/decision/candidates/{candidate_id}/screening", data=screening_form())
    assert screened.status_code == 200  # followed to the candidate's page
    text = chinese_page(screened.text)
    assert "合计 28" in text and "必要性 4：群众反映集中" in text and "初审记录" in text and "李科长" in text

    # a second candidate, left unscreened: a list naming it is refused in Chinese
    other = flow.client.post(
        "/decision/candidates", data=candidate_form(flow, [roads[2]], name="台城排水改造"), follow_redirects=False
    )
    other_id = other.headers["location"].rsplit("/", 1)[1]
    list_form = {"county": COUNTY, "year": "2026", "title": "2026年民生实事候选项目", "level": "county", "town": ""}
    unscreened = flow.client.post("/decision/lists", data=list_form | {"candidate_ids": [candidate_id, other_id]})
    assert unscreened.status_code == 409 and "候选项目“台城排水改造”尚未初审" in chinese_page(unscreened.text)
    flow.client.post(f"/decision/candidates/{other_id}/screening", data=screening_form(3))
    listed = flow.client.post(
        "/decision/lists", data=list_form | {"candidate_ids": [candidate_id, other_id]}, follow_redirects=False
    )
    assert listed.status_code == 303, listed.text
    list_url = listed.headers["location"]
    text = chinese_page(flow.client.get(list_url).text)
    assert "审议中" in text and "主任会议 待审" in text and "李科长" in text and "拟定" in text
    assert "decide-form" not in flow.client.get(list_url).text  # the government does not decide the chain

    # congress staff: sending back needs a reason; approving moves the chain on
    flow.login("congress_staff", name="王主任")
    page = flow.client.get(list_url)
    assert 'name="step" value="chairpersons"' in page.text and not unlabelled_fields(page.text)
    no_reason = flow.client.post(f"{list_url}/decision", data={"step": "chairpersons", "decision": "send_back"})
    assert no_reason.status_code == 409 and "退回清单须说明理由" in chinese_page(no_reason.text)
    sent_back = flow.client.post(
        f"{list_url}/decision", data={"step": "chairpersons", "decision": "send_back", "reason": "投资测算不够细"}
    )
    text = chinese_page(sent_back.text)
    assert "已退回" in text and "王主任" in text and "投资测算不够细" in text and "主任会议 · 退回" in text

    flow.login("gov_unit", name="李科长")
    revise = flow.client.get(list_url)
    assert "revise-form" in revise.text and not unlabelled_fields(revise.text)
    no_reason = flow.client.post(f"{list_url}/revise", data={"candidate_ids": [candidate_id]})
    assert no_reason.status_code == 422 and "请填写修改理由" in chinese_page(no_reason.text)
    revised = flow.client.post(
        f"{list_url}/revise", data={"candidate_ids": [candidate_id, other_id], "reason": "补充测算"}
    )
    assert "v2" in chinese_page(revised.text) and "修改" in chinese_page(revised.text)

    flow.login("congress_staff", name="王主任")
    wrong = flow.client.post(f"{list_url}/decision", data={"step": "presidium", "decision": "approve"})
    assert wrong.status_code == 409 and "下一个审定环节是主任会议，不是大会主席团" in chinese_page(wrong.text)
    for step in ("chairpersons", "party_committee", "standing_committee", "presidium"):
        done = flow.client.post(f"{list_url}/decision", data={"step": step, "decision": "approve", "reason": "同意"})
        assert done.status_code == 200, done.text
    text = chinese_page(done.text)
    assert "已提交大会" in text and "大会主席团 已通过" in text and "据此清单安排票决会议" in text
    overview = chinese_page(flow.client.get(f"/decision/candidates?county={COUNTY}").text)
    assert "2026年民生实事候选项目" in overview and "已提交大会" in overview and "合计 21" in overview


def test_who_may_do_what_on_the_candidate_pages(tmp_path: Path) -> None:
    flow = Flow(tmp_path)
    demands = flow.pooled_demands(1)
    flow.sync()
    flow.login("deputy", name="陈代表")
    page = flow.client.get(f"/decision/candidates?county={COUNTY}")
    assert page.status_code == 200 and "new-candidate" not in page.text and "draft-list" not in page.text
    assert flow.client.get(f"/decision/candidates/new?county={COUNTY}").status_code == 403
    assert flow.client.post("/decision/candidates", data=candidate_form(flow, demands)).status_code == 403
    flow.login("gov_unit", county="440703")
    assert flow.client.get(f"/decision/candidates?county={COUNTY}").status_code == 403
    flow.client.cookies.clear()
    assert flow.client.get("/decision/candidates", follow_redirects=False).headers["location"] == "/login"
    # decision's home links each role only to what it may open
    visitor = flow.client.get(f"/decision/?county={COUNTY}").text
    assert "/decision/results" in visitor and "/decision/candidates" not in visitor and "/decision/rules" not in visitor
    flow.login("congress_staff", name="王主任")
    staff = flow.client.get(f"/decision/?county={COUNTY}").text
    for path in ("results", "candidates", "sessions", "micro", "funds", "rules"):
        assert (
            f"/decision/{path}?county={COUNTY}" in staff
            and flow.client.get(f"/decision/{path}?county={COUNTY}").is_success
        )
    assert "安排票决会议" in chinese_page(staff)
    flow.login("gov_unit", name="李科长")
    flow.client.cookies.set("lang", "en")
    english = flow.client.get(f"/decision/candidates/new?county={COUNTY}")
    assert "Draft a candidate" in english.text and "Roads and traffic" in english.text
