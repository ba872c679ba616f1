"""The vote pages: candidate list with its chain, staff console (check-in, open, close), the
deputy's ballot (self check-in, confirm before cast, receipt) and the public results page."""

from __future__ import annotations

import re
from pathlib import Path

from shared.auth import COOKIE, issue_token
from tests.component.decision_flow import COUNTY, Flow


def login(flow: Flow, role: str, subject: str) -> None:
    flow.client.cookies.set(
        COOKIE, issue_token(flow.settings.resolved_jwt_secret(), subject=subject, roles=[role], counties=[COUNTY])
    )


def test_console_ballot_and_results_pages(tmp_path: Path) -> None:
    flow = Flow(tmp_path)
    list_id, candidates = flow.adopted_list(3)
    session_id, deputies = flow.session(list_id, roll=3)
    base = f"/decision/sessions/{session_id}"

    login(flow, "deputy", deputies[0])
    page = flow.client.get(f"/decision/candidates?county={COUNTY}")
    assert (
        page.status_code == 200 and "主任会议" in page.text and "大会主席团" in page.text and "候选项目1" in page.text
    )
    assert flow.client.get(f"{base}/console").status_code == 403  # deputies do not run the console
    # a deputy checks in on the phone: the ballot token goes into a cookie for this session only
    r = flow.client.post(f"{base}/ballot/check-in", follow_redirects=False)
    assert r.status_code == 303 and "shishi_ballot" in r.headers["set-cookie"]
    assert f"Path={base}/" in r.headers["set-cookie"] and "HttpOnly" in r.headers["set-cookie"]
    own_token = re.search(r"shishi_ballot=([^;]+)", r.headers["set-cookie"]).group(1)

    login(flow, "congress_staff", "staff-1")
    console = flow.client.post(f"{base}/console/check-in", data={"deputy_id": deputies[1]})
    assert console.status_code == 200
    desk_token = re.search(r"([0-9a-f]{32}\.[0-9a-f]{24})", console.text).group(1)  # shown once to hand over
    assert "2</strong> / 3" in console.text and "已达法定人数" in console.text
    opened = flow.client.post(f"{base}/console/open", data={"seats": "2", "kind": "competitive", "mode": "electronic"})
    assert opened.status_code == 200 and "close-vote" in opened.text
    refused = flow.client.post(f"{base}/console/check-in", data={"deputy_id": deputies[2]})
    assert refused.status_code == 409 and "check-in is closed" in refused.text

    login(flow, "deputy", deputies[0])
    flow.client.cookies.set("shishi_ballot", own_token, path=f"{base}/")
    ballot = flow.client.get(f"{base}/ballot")
    assert ballot.status_code == 200 and ballot.text.count('type="radio"') == 9 and 'name="token"' not in ballot.text
    marks = {f"m:{candidates[0]}": "yes", f"m:{candidates[1]}": "yes", f"m:{candidates[2]}": "no"}
    review = flow.client.post(f"{base}/ballot/review", data=marks)
    assert review.status_code == 200 and "确认投票" in review.text and review.text.count("赞成") >= 2
    token = re.search(r'name="token" value="([^"]+)"', review.text).group(1)
    receipt = flow.client.post(f"{base}/ballot/cast", data={**marks, "token": token})
    assert receipt.status_code == 200
    code = re.search(r'id="receipt" class="receipt">([^<]+)<', receipt.text).group(1)
    twice = flow.client.post(f"{base}/ballot/cast", data={**marks, "token": token})
    assert twice.status_code == 409 and "already been used" in twice.text

    flow.client.cookies.clear()
    login(flow, "deputy", deputies[1])  # the desk's code typed in on another phone
    assert 'name="token"' in flow.client.get(f"{base}/ballot").text
    flow.client.post(f"{base}/ballot/cast", data={**marks, "token": desk_token})

    login(flow, "congress_staff", "staff-1")
    closed = flow.client.post(f"{base}/console/close")
    assert closed.status_code == 200 and "已决定" in closed.text
    published = flow.call("GET", f"/sessions/{session_id}/rounds/1/ballots")
    assert code in [b["receipt"] for b in published["ballots"]]

    flow.client.cookies.clear()
    public = flow.client.get(f"/decision/results?county={COUNTY}")
    assert public.status_code == 200 and "候选项目1" in public.text and "候选项目2" in public.text
    assert "候选项目3" not in public.text
