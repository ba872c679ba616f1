"""The vote pages: candidate list with its chain, staff console (check-in, open, close), the
deputy's ballot (self check-in for attendance, the device's credential and anonymous cast, printed
code slips) and the public results page."""

from __future__ import annotations

import re
from pathlib import Path

from shared.auth import COOKIE, issue_token
from tests.component.decision_flow import COUNTY, Flow
from tests.fixtures.ballots import cast, credential


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
    # a deputy checks in on the phone: attendance only, no ballot token in any cookie or page
    r = flow.client.post(f"{base}/ballot/check-in", follow_redirects=False)
    assert r.status_code == 303 and "set-cookie" not in r.headers
    ballot = flow.client.get(f"{base}/ballot")
    assert 'data-checked-in="yes"' in ballot.text and "已签到" in ballot.text and "ballot.js" in ballot.text

    login(flow, "congress_staff", "staff-1")
    console = flow.client.post(f"{base}/console/check-in", data={"deputy_id": deputies[1]})
    assert console.status_code == 200 and "2</strong> / 3" in console.text and "已达法定人数" in console.text
    kid = flow.call("GET", f"/sessions/{session_id}/ballot-key", None)["kid"]
    assert f"<code>{kid[:4].upper()}-{kid[4:8].upper()}-" in console.text  # the key's fingerprint for the hall
    assert not re.search(r"[0-9a-f]{32}", console.text.split("<main", 1)[-1].replace(session_id, ""))
    printed = flow.client.post(f"{base}/console/codes", data={"count": "2"})
    assert printed.status_code == 200
    codes = re.findall(r"<code>([2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5})</code>", printed.text)
    assert len(codes) == 2  # shown once, to print; only their digests are kept
    handed = flow.client.post(f"{base}/console/slip", data={"deputy_id": deputies[1]})
    assert handed.status_code == 200 and codes[0] not in handed.text and codes[1] not in handed.text
    again = flow.client.post(f"{base}/console/slip", data={"deputy_id": deputies[1]})
    assert again.status_code == 409
    opened = flow.client.post(f"{base}/console/open", data={"seats": "2", "kind": "competitive", "mode": "electronic"})
    assert opened.status_code == 200 and "close-vote" in opened.text
    refused = flow.client.post(f"{base}/console/check-in", data={"deputy_id": deputies[2]})
    assert refused.status_code == 409 and "表决进行中，签到已截止" in refused.text
    assert "check-in is closed" not in refused.text

    login(flow, "deputy", deputies[0])
    ballot = flow.client.get(f"{base}/ballot")
    assert ballot.status_code == 200 and ballot.text.count('type="radio"') == 9 and 'name="token"' not in ballot.text
    assert 'data-cast-url="/decision/api/sessions/' in ballot.text and 'data-role="code"' in ballot.text
    # what the page's script does: take a credential with the deputy's login, cast with no login at all
    held = credential(flow.client, f"/decision/api/sessions/{session_id}", {})
    marks = {candidates[0]: "yes", candidates[1]: "yes", candidates[2]: "no"}
    cast_answer, kept = cast(flow.client, f"/decision/api/sessions/{session_id}", held, marks)
    assert cast_answer.status_code == 201 and cast_answer.json()["receipt"] == kept
    twice, _ = cast(flow.client, f"/decision/api/sessions/{session_id}", held, marks)
    assert twice.status_code == 409 and twice.json()["reason"] == "already_cast"
    # the slip's code typed in on any phone
    by_code, _ = cast(flow.client, f"/decision/api/sessions/{session_id}", codes[1].lower(), marks)
    assert by_code.status_code == 201, by_code.text

    login(flow, "congress_staff", "staff-1")
    closed = flow.client.post(f"{base}/console/close")
    assert closed.status_code == 200 and "已决定" in closed.text
    published = flow.call("GET", f"/sessions/{session_id}/rounds/1/ballots")
    assert kept in [b["receipt"] for b in published["ballots"]] and len(published["ballots"]) == 2

    flow.client.cookies.clear()
    public = flow.client.get(f"/decision/results?county={COUNTY}")
    assert public.status_code == 200 and "候选项目1" in public.text and "候选项目2" in public.text
    assert "候选项目3" not in public.text


def test_a_vote_opened_a_moment_ago_is_on_the_ballot(tmp_path: Path) -> None:
    """Staff open the vote (here through the API, which does not wait for the read models) and a
    deputy opens the ballot at once: the page waits for the read models, so the vote is on it."""
    flow = Flow(tmp_path)
    list_id, _ = flow.adopted_list(3)
    session_id, deputies = flow.session(list_id, roll=3)
    base = f"/decision/sessions/{session_id}"
    login(flow, "deputy", deputies[0])
    assert flow.client.post(f"{base}/ballot/check-in", follow_redirects=False).status_code == 303
    opened = flow.client.post(  # the API answers once stored; the read models are not folded here
        f"/decision/api/sessions/{session_id}/votes", json={"seats": 2}, headers=flow.headers("congress_staff")
    )
    assert opened.status_code in (200, 201), opened.text
    ballot = flow.client.get(f"{base}/ballot")
    assert ballot.status_code == 200 and ballot.text.count('type="radio"') == 9
