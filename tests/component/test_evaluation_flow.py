"""Evaluation over its HTTP API on a real SQLite store: the session's secret rating round
(attendance, blind-signed credentials, device receipts, published ballots, recount), presidium confirmation and
distribution, rectification with the deadline sweep, re-rating and escalation, residents'
ratings through lineage, return visits, look-back, and the metrics on a known data set."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from uuid import UUID, uuid4

import pytest

from services.evaluation.app.sweeper import rectification_sweep
from shared.contracts import decision as d
from shared.contracts import intake as i
from shared.contracts import supervision as s
from shared.runtime.jobs import sweep_counties
from tests.fixtures.ballots import cast, credential
from tests.fixtures.pdf import assert_renders_anywhere, check_pdf
from tests.fixtures.service import InProcessService

COUNTY = "440781"
PROJECTS = {
    "道路修缮": ("major", date(2025, 10, 1)),
    "长者饭堂": ("major", date(2025, 12, 31)),
    "排水改造": ("micro", date(2025, 9, 1)),
}


class World(InProcessService):
    """Evaluation in this process: completed projects, adopted projects and demands arrive as the other
    services publish them; residents' tracking codes are answered from ``demands`` (intake's public API)."""

    def __init__(self, tmp_path: Path) -> None:
        self.demands: dict[str, dict] = {}
        self.registry: dict[str, dict[str, str]] = {}  # intake's registry of deputies, by county
        super().__init__(
            "evaluation",
            tmp_path,
            tracking=lambda code, **_: self.demands.get(code.upper()),
            deputy_names=lambda county: self.registry.get(county, {}),
        )
        self.ids: dict[str, UUID] = {}

    def bearer(self, role: str, subject: str = "") -> dict[str, str]:
        return self.auth(role, county=COUNTY, subject=subject or f"{role}-1")

    def at(self, moment: datetime | date | str) -> None:
        day = moment if isinstance(moment, date) and not isinstance(moment, datetime) else None
        super().at(datetime(day.year, day.month, day.day, 10, tzinfo=UTC) if day else moment)


@pytest.fixture
def world(tmp_path: Path) -> World:
    w = World(tmp_path)
    t0 = datetime(2025, 2, 1, 9, tzinfo=UTC)
    demand = uuid4()
    w.deliver(
        i.DemandSubmitted(
            demand_id=demand, channel="web", town="台城街道", category="roads", text="路面坑洼", submitted_at=t0
        ),
        t0,
    )
    consult = uuid4()
    w.deliver(
        i.DemandSubmitted(
            demand_id=consult, channel="web", town="台城街道", category="consultation", text="咨询补贴", submitted_at=t0
        ),
        t0,
    )
    w.deliver(
        i.DemandRouted(
            demand_id=consult,
            kind="consultation",
            tier="department",
            reason="咨询",
            rules_version=1,
            scope="household",
            estimate=0,
        ),
        t0,
    )
    w.deliver(
        i.DemandRouted(
            demand_id=demand,
            kind="common",
            tier="major",
            reason="共性问题",
            rules_version=1,
            scope="town",
            estimate=500000,
        ),
        t0,
    )
    w.deliver(
        i.DemandStatusChanged(demand_id=consult, status="replied", note="已答复"),
        datetime(2025, 2, 1, 20, tzinfo=UTC),
    )
    for name, (tier, completed) in PROJECTS.items():
        pid = uuid4()
        w.ids[name] = pid
        w.deliver(
            d.ProjectAdopted(
                project_id=pid,
                candidate_id=uuid4(),
                year=2025,
                tier=tier,
                name=name,
                content="",
                implementing_body="政府",
                investment=Decimal("90000"),
                deadline=date(2025, 11, 30),
                demand_ids=[demand],
            ),
            t0,
        )
        w.deliver(
            s.ProjectCompleted(
                project_id=pid,
                year=2025,
                tier=tier,
                name=name,
                completed_on=completed,
                deadline=date(2025, 11, 30),
                planned_investment=Decimal("90000"),
                spent=Decimal("85000"),
                demand_ids=[demand],
            ),
            datetime(completed.year, completed.month, completed.day, tzinfo=UTC),
        )
    w.deliver(
        i.DemandStatusChanged(demand_id=demand, status="completed", note="完工"),
        datetime(2025, 10, 2, tzinfo=UTC),
    )
    w.demands["TRACK1"] = {"county": COUNTY, "timeline": [{"stage": "project", "ref": str(w.ids["道路修缮"])}]}
    w.demands["OTHER1"] = {"county": COUNTY, "timeline": [{"stage": "project", "ref": str(uuid4())}]}
    return w


def test_secret_round_confirmation_and_rectification(world: World) -> None:
    c, staff = world.client, world.bearer("congress_staff")
    world.at(date(2026, 1, 10))
    opened = c.post(
        f"/evaluation/api/counties/{COUNTY}/rounds",
        headers=staff,
        json={"session_year": 2026, "rated_year": 2025, "session_closes_on": "2026-01-15"},
    )
    assert opened.status_code == 201, opened.text
    round_id = opened.json()["id"]
    names = {p["name"]: p["project_id"] for p in opened.json()["projects"]}
    assert set(names) == {"道路修缮", "长者饭堂"}  # micro projects only where the county's rules say so
    road, canteen = names["道路修缮"], names["长者饭堂"]

    vote = f"/evaluation/api/rounds/{round_id}"
    held = []
    for n in range(3):
        checked = c.post(f"{vote}/check-in", headers=world.bearer("deputy", f"d{n}"))
        assert checked.json() == {"round_id": round_id, "deputy": f"d{n}", "checked_in": True}  # attendance only
        held.append(credential(c, vote, world.bearer("deputy", f"d{n}")))
    again = c.post(f"{vote}/check-in", headers=world.bearer("deputy", "d0"))
    assert again.status_code == 409
    kid = c.get(f"{vote}/ballot-key").json()["kid"]
    second = c.post(f"{vote}/credential", headers=world.bearer("deputy", "d0"), json={"blinded": "A" * 342, "kid": kid})
    assert second.status_code == 409 and second.json()["reason"] == "already_issued"
    assert c.post(f"/evaluation/api/rounds/{round_id}/start", headers=staff).json()["attending"] == 3
    marks = [
        {road: "unsatisfied", canteen: "satisfied"},
        {road: "unsatisfied", canteen: "satisfied"},
        {road: "satisfied", canteen: "basically_satisfied"},
    ]
    receipts = []
    for mine, m in zip(held, marks, strict=True):
        r, kept = cast(c, vote, mine, m)
        assert r.status_code == 201, r.text
        assert r.json()["receipt"] == kept
        receipts.append(kept)
    twice, _ = cast(c, vote, held[0], marks[0])
    assert twice.status_code == 409 and twice.json()["reason"] == "already_cast"  # a credential casts once
    world.catch_up()
    during = c.get(f"/evaluation/api/rounds/{round_id}").json()
    assert during["cast"] == 3 and during["published"] == [] and during["present"] == ["d0", "d1", "d2"]

    closed = c.post(f"/evaluation/api/rounds/{round_id}/close", headers=staff).json()
    assert closed["results"][road]["verdict"] == "unsatisfied"  # 2/3 > 1/2
    assert closed["results"][canteen]["verdict"] == "basically_satisfied"  # exactly 2/3 is not more than 2/3
    world.catch_up()
    public = c.get(f"/evaluation/api/rounds/{round_id}").json()
    assert sorted(b["receipt"] for b in public["published"]) == sorted(receipts)
    assert all(set(b) == {"receipt", "marks"} for b in public["published"])  # nothing names a deputy
    recount = c.get(f"/evaluation/api/rounds/{round_id}/recount").json()
    assert recount["matches_declared"] and recount["results"][road]["counts"]["unsatisfied"] == 2

    assert c.post(f"/evaluation/api/rounds/{round_id}/distribute", headers=staff, json={}).status_code == 409
    assert c.post(f"/evaluation/api/rounds/{round_id}/confirm", headers=staff).status_code == 200
    sent = c.post(f"/evaluation/api/rounds/{round_id}/distribute", headers=staff, json={}).json()
    assert sent["distributed"] == ["all_deputies", "party_committee", "government", "organisation_department"]
    world.catch_up()
    board = c.get(f"/evaluation/api/counties/{COUNTY}/rectifications", headers=staff).json()
    assert [(x["name"], x["deadline"]) for x in board["items"]] == [("道路修缮", "2026-04-15")]

    sweep = f"/evaluation/api/counties/{COUNTY}/sweep"
    assert c.post(sweep, headers=staff, params={"now": "2026-04-15T12:00:00+08:00"}).json()["warned"] == []
    # the periodic task's sweep over every county warns the day after the deadline, once
    job = rectification_sweep(world.app, world.api.state.views)
    assert sweep_counties(job, datetime(2026, 4, 16, 1, tzinfo=UTC)).changed == {COUNTY: 1}
    assert c.post(sweep, headers=staff, params={"now": "2026-04-17T09:00:00+08:00"}).json()["warned"] == []

    gov = world.bearer("gov_unit")
    assert (
        c.post(
            f"/evaluation/api/projects/{road}/rectification/report", headers=gov, json={"text": "已重铺路面"}
        ).json()["status"]
        == "reported"
    )
    rerated = c.post(
        f"/evaluation/api/projects/{road}/rectification/re-rating",
        headers=staff,
        json={"satisfied": 2, "basically_satisfied": 2, "unsatisfied": 5},
    ).json()
    assert rerated["status"] == "escalation_pending" and rerated["re_rating"]["verdict"] == "unsatisfied"
    step = c.post(
        f"/evaluation/api/projects/{road}/rectification/next-step",
        headers=staff,
        json={"step": "formal_questioning", "note": "依法提出质询案"},
    )
    assert step.json()["status"] == "escalated"
    bad = c.post(f"/evaluation/api/projects/{road}/rectification/next-step", headers=staff, json={"step": "x"})
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")


def test_residents_voice_lookback_and_metrics(world: World) -> None:
    c, staff = world.client, world.bearer("congress_staff")
    road, micro = world.ids["道路修缮"], world.ids["排水改造"]
    world.at(date(2026, 2, 1))
    url = f"/evaluation/api/projects/{road}/resident-ratings"
    assert c.post(url, json={"tracking_code": "TRACK1", "level": "satisfied"}).status_code == 201
    assert c.post(url, json={"tracking_code": "track1", "level": "unsatisfied"}).status_code == 409  # once
    assert c.post(url, json={"tracking_code": "OTHER1", "level": "satisfied"}).json()["reason"] == "not_linked"
    assert c.post(url, json={"tracking_code": "NOPE99", "level": "satisfied"}).status_code == 404

    visit = {"visited_on": "2026-01-20", "respondent": "排水改造受益户", "level": "basically_satisfied", "note": ""}
    assert c.post(f"/evaluation/api/projects/{road}/return-visits", headers=staff, json=visit).status_code == 409
    assert c.post(f"/evaluation/api/projects/{micro}/return-visits", headers=staff, json=visit).status_code == 201
    assert (
        c.post(
            f"/evaluation/api/projects/{micro}/usage",
            headers=staff,
            json={"measured_on": "2026-01-20", "usage_rate": "0.8", "basis": "雨季排水通畅天数占比"},
        ).status_code
        == 201
    )
    future = c.post(
        f"/evaluation/api/projects/{micro}/lookbacks",
        headers=staff,
        json={"checked_on": "2026-09-05", "in_use": True, "held_up": True, "residents_satisfied": True},
    )
    assert future.status_code == 409  # the clock says 2026-02-01
    world.at(date(2026, 9, 10))
    early = c.post(
        f"/evaluation/api/projects/{micro}/lookbacks",
        headers=staff,
        json={"checked_on": "2026-05-01", "in_use": True, "held_up": True, "residents_satisfied": True},
    )
    assert early.status_code == 409  # due one year after completion (2026-09-01)
    world.catch_up()
    due = c.get(f"/evaluation/api/counties/{COUNTY}/lookbacks/due", headers=staff, params={"on": "2026-09-01"})
    assert [x["name"] for x in due.json()["items"]] == ["排水改造"]
    found = c.post(
        f"/evaluation/api/projects/{micro}/lookbacks",
        headers=staff,
        json={
            "checked_on": "2026-09-05",
            "in_use": True,
            "held_up": False,
            "residents_satisfied": False,
            "problem": "暴雨后排水口再次堵塞",
        },
    )
    assert found.json()["problem_found"]
    lookback_events = [e for e in world.app.recorder.select_notifications(0, 1000) if b"LookedBack" in e.topic.encode()]
    assert len(lookback_events) == 1

    c.post(
        f"/evaluation/api/projects/{micro}/tally",
        headers=staff,
        json={"satisfied": 10, "basically_satisfied": 2, "unsatisfied": 0},
    )
    world.catch_up()
    m = c.get(f"/evaluation/api/counties/{COUNTY}/metrics", params={"year": 2025}).json()
    assert m["counts"] == {
        "adopted": 3,
        "completed": 3,
        "rated": 1,
        "demands": 2,
        "rectifications": 0,
        "rectifications_closed": 0,
        "escalated": 0,
        "overdue_warnings": 0,
    }
    assert m["completion_rate"]["value"] == 1.0
    assert m["on_time_rate"] == {"value": 0.6667, "numerator": 2, "denominator": 3, "note": ""}  # 长者饭堂 late
    assert m["verdicts"] == {"satisfied": 1, "basically_satisfied": 0, "unsatisfied": 0}
    assert m["resident_satisfaction"]["numerator"] == 2 and m["resident_satisfaction"]["denominator"] == 2
    assert m["usage_rate"]["value"] == 0.8
    assert m["reply_rate"]["value"] == 1.0 and m["solved_rate"]["value"] == 0.5
    assert m["reply_24h_rate"]["value"] == 1.0  # the consultation was answered after 11 hours
    assert m["local_share"] == {"value": 0.0, "numerator": 0, "denominator": 1, "note": ""}  # replied, not closed
    assert m["coverage"]["value"] is None and "towns" in m["coverage"]["note"]  # no towns registered here
    other = world.bearer("congress_staff")
    assert (
        c.get("/evaluation/api/metrics", params={"year": 2025, "scope": "4407"}, headers=other).json()["totals"][
            "counties"
        ]
        == 1
    )


def test_report_from_the_store_is_reproducible_and_renders_anywhere(world: World, tmp_path: Path) -> None:
    from services.tools.cli.main import main
    from shared import divisions

    c, staff = world.client, world.bearer("congress_staff")
    c.post(
        f"/evaluation/api/projects/{world.ids['排水改造']}/tally",
        headers=staff,
        json={"satisfied": 2, "basically_satisfied": 2, "unsatisfied": 9},
    )
    outputs = []
    for n in range(2):
        for fmt in ("pdf", "html"):
            out = tmp_path / f"report-{n}.{fmt}"
            args = [
                "report",
                "--county",
                COUNTY,
                "--year",
                "2025",
                "--format",
                fmt,
                "--output",
                str(out),
                "--data-dir",
                str(world.settings.data_dir),
            ]
            if n == 0:
                divisions.registry.cache_clear()
                assert main(args) == 0
                assert divisions.registry.cache_info().currsize == 0  # names from the county's province alone
            else:  # another process, a later moment: still the same bytes
                subprocess.run(
                    [sys.executable, "-m", "services.tools.cli.main", *args], check=True, capture_output=True
                )
            outputs.append(out.read_bytes())
    pdf, html = outputs[0], outputs[1].decode()
    assert pdf.startswith(b"%PDF") and outputs[0] == outputs[2] and outputs[1] == outputs[3]
    checked = check_pdf(pdf, tmp_path / "pdf")  # poppler, as a reader's machine: fonts, page 1's text, every page
    assert_renders_anywhere(checked)  # the shipped font embedded, no Helvetica, nothing past the margins, numbered
    words = "".join(checked.text.split())
    assert "广东省江门市台山市（440781）" in words and "2025年度民生实事项目满意度测评报告" in words
    assert "排水改造" in html and "不满意" in html and "<svg" in html and "办复率" in html
    assert (
        main(
            [
                "report",
                "--county",
                "4407*",
                "--year",
                "2025",
                "--format",
                "html",
                "--output",
                str(tmp_path / "city.html"),
                "--data-dir",
                str(world.settings.data_dir),
            ]
        )
        == 0
    )
    assert "合计" in (tmp_path / "city.html").read_text()


def test_the_report_folds_the_store_as_the_running_service_does(world: World) -> None:
    """``shishi report`` catches evaluation's read models up without the service (and without its web
    stack, to stay small): it must fold exactly what the service folds, or it would leave read models
    behind that the service never wrote (or skip some the service needs)."""
    from services.evaluation.read.projections import FOLD
    from shared.audit.reads_fold import with_auditor_reads

    running = world.runtime.fold
    reported = with_auditor_reads(FOLD)
    assert reported.topics() == running.topics() and len(reported.topics()) > 10
