"""Business dates are China's (Asia/Shanghai), whatever the clock's zone: every test here runs at 00:30
China time, the injected clock at 16:30 UTC the day before, when a UTC ``.date()`` would still say
yesterday. Before shared/kernel/china_time.py a plan filed on the day the session closed was refused
both ways at this hour ("before the session closed" by default, "in the future" when dated)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from uuid import UUID, uuid4

from services.evaluation.domain.rectification import Rectification
from shared.contracts import decision as d
from shared.contracts import supervision as s
from shared.kernel.china_time import china_date, china_month
from shared.kernel.meta import Meta
from shared.web.templating import format_day
from tests.component.decision_flow import Flow
from tests.component.test_supervision_year import PLAN
from tests.fixtures.service import InProcessService

COUNTY = "440781"


def half_past_midnight(day: date) -> datetime:
    """00:30 in China on ``day``: 16:30 UTC the day before."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(hours=7, minutes=30)


def test_the_helper_reads_an_instant_as_a_day_in_china() -> None:
    moment = half_past_midnight(date(2026, 1, 20))
    assert moment.isoformat() == "2026-01-19T16:30:00+00:00" and moment.date() == date(2026, 1, 19)
    assert china_date(moment) == date(2026, 1, 20)
    assert china_date("2026-01-19T16:30:00Z") == date(2026, 1, 20)
    assert china_date("2026-01-19T16:30:00") == date(2026, 1, 20)  # naive: UTC, as the store records
    assert china_date("2026-01-19") == date(2026, 1, 19)  # a date is already a business date
    assert china_month(half_past_midnight(date(2026, 2, 1))) == "2026-02"
    assert format_day("2026-01-19T16:30:00+00:00") == "2026-01-20"


def test_a_plan_filed_on_the_day_the_session_closed_at_half_past_midnight(tmp_path: Path) -> None:
    closed = date(2026, 1, 20)
    sv = InProcessService(
        "supervision", tmp_path, now=half_past_midnight(closed), settings={"supervision_sweep_seconds": 0}
    )
    project_id = uuid4()
    adopted = d.ProjectAdopted(
        project_id=project_id,
        candidate_id=uuid4(),
        year=2026,
        tier="micro",
        name="巷道修缮",
        content="修补路面",
        implementing_body="台城街道办事处",
        investment=Decimal("80000"),
        deadline=date(2026, 10, 31),
        demand_ids=[uuid4()],
    )
    sv.deliver(adopted)  # approved now: the 30 days run from today in China, not from yesterday in UTC
    view = sv.call("GET", f"/projects/{project_id}")
    assert view["session_closed_on"] == "2026-01-20"
    # filed today by default: on the closing day, not before it
    filed = sv.call("POST", f"/projects/{project_id}/plan", "gov_unit", json=PLAN, expect=201)["plan"]
    assert (filed["filed_on"], filed["due_on"], filed["late"]) == ("2026-01-20", "2026-02-19", False)

    # dated today explicitly: not "in the future"
    other = uuid4()
    sv.deliver(adopted.model_copy(update={"project_id": other, "session_closed_on": closed}))
    dated = sv.call("POST", f"/projects/{other}/plan", "gov_unit", json={**PLAN, "filed_on": "2026-01-20"}, expect=201)
    assert dated["plan"]["filed_on"] == "2026-01-20"
    # the page's form offers today in China, and the unit's worklist counts from it
    sv.login("gov_unit")
    third = uuid4()
    sv.deliver(adopted.model_copy(update={"project_id": third, "session_closed_on": closed}))
    form = sv.client.get(f"/supervision/projects/{third}/plan").text
    assert 'value="2026-01-20"' in form and "2026-02-19" in form
    worklist = sv.call("GET", f"/counties/{COUNTY}/worklists/unit", "gov_unit")
    due = next(i for i in worklist["projects"] if i["project"]["id"] == str(third))["plan_due"]
    assert worklist["on"] == "2026-01-20" and due == {"due_on": "2026-02-19", "days_left": 30, "late": False}
    # and the page files it, as offered, on the closing day
    rows = {"filed_on": "2026-01-20", "line_name_1": "工程费", "line_amount_1": "80000", "task_name_1": "路面修补"}
    rows |= {
        "task_unit_1": "台城街道办事处",
        "task_person_1": "陈主任",
        "task_due_1": "2026-06-30",
        "task_line_1": "B1",
    }
    rows |= {"task_budget_1": "80000", "ms_name_1": "完工", "ms_due_1": "2026-06-30", "ms_target_1": "100"}
    posted = sv.client.post(f"/supervision/projects/{third}/plan", data=rows, follow_redirects=False)
    assert posted.status_code == 303, posted.text
    assert sv.call("GET", f"/projects/{third}")["plan"]["filed_on"] == "2026-01-20"
    # a monthly entry for this month (China's) is not "a month that has not begun"
    sv.at(half_past_midnight(date(2026, 2, 1)))
    entry = {"period": "2026-02", "progress_pct": 5, "spent": "1000", "note": "开工"}
    assert (
        sv.call("POST", f"/projects/{project_id}/progress", "gov_unit", json=entry)["tracking"][0]["period"]
        == "2026-02"
    )


def test_a_consultation_reply_deadline_at_half_past_midnight(tmp_path: Path) -> None:
    submitted = half_past_midnight(date(2026, 3, 2))
    intake = InProcessService("intake", tmp_path, now=submitted)
    demand = intake.call(
        "POST",
        "/intake/api/demands",
        None,
        expect=201,
        json={"county": COUNTY, "town": "台城街道", "category": "housing", "text": "加装电梯补贴怎么申请？"},
    )
    intake.call(
        "POST", f"/intake/api/demands/{demand['id']}/triage", json={"kind": "consultation", "scope": "household"}
    )
    detail = intake.call("GET", f"/intake/api/demands/{demand['id']}")
    assert datetime.fromisoformat(detail["due_at"]) == submitted + timedelta(hours=24)
    intake.login("congress_staff")
    page = intake.client.get(f"/intake/demands/{demand['id']}").text
    assert "2026-03-03 00:30" in page  # the reply is due at 00:30 tomorrow, China time
    intake.at(submitted + timedelta(hours=23, minutes=59))
    assert intake.call("POST", f"/intake/api/counties/{COUNTY}/deadlines/check", json={})["warned"] == []
    intake.at(submitted + timedelta(hours=24, minutes=1))
    assert intake.call("POST", f"/intake/api/counties/{COUNTY}/deadlines/check", json={})["warned"] == [demand["id"]]


def test_a_rectification_deadline_at_half_past_midnight(tmp_path: Path) -> None:
    ev = InProcessService("evaluation", tmp_path, now=datetime(2026, 1, 10, 9, tzinfo=UTC), tracking=lambda _: None)
    project_id = uuid4()
    closed = datetime(2025, 11, 20, 9, tzinfo=UTC)
    for contract in (
        d.ProjectAdopted(
            project_id=project_id,
            candidate_id=uuid4(),
            year=2025,
            tier="major",
            name="道路修缮",
            content="",
            implementing_body="县交通运输局",
            investment=Decimal("900000"),
            deadline=date(2025, 11, 30),
            demand_ids=[],
        ),
        s.ProjectCompleted(
            project_id=project_id,
            year=2025,
            tier="major",
            name="道路修缮",
            completed_on=date(2025, 11, 20),
            deadline=date(2025, 11, 30),
            planned_investment=Decimal("900000"),
            spent=Decimal("880000"),
            demand_ids=[],
        ),
    ):
        ev.deliver(contract, at=closed)
    # the presidium confirmed 不满意: the report is due by 20 April (session close + 3 months)
    meta = Meta(
        county=COUNTY, actor_role="presidium", actor_id="presidium", occurred_at=datetime(2026, 1, 20, 9, tzinfo=UTC)
    )
    ordered = Rectification(
        meta=meta,
        project_id=project_id,
        round_id=uuid4(),
        name="道路修缮",
        year=2025,
        deadline=date(2026, 4, 20),
        rule_version=1,
        demand_ids=[],
    )
    ev.app.save(ordered)
    ev.catch_up()
    sweep = f"/evaluation/api/counties/{COUNTY}/sweep"
    ev.at(datetime(2026, 4, 20, 15, 30, tzinfo=UTC))  # 23:30 on the 20th in China: still in time
    assert ev.call("POST", sweep)["warned"] == []
    ev.at(half_past_midnight(date(2026, 4, 21)))  # 00:30 on the 21st in China, the 20th in UTC
    swept = ev.call("POST", sweep)
    assert swept == {"county": COUNTY, "on": "2026-04-21", "warned": [str(project_id)]}
    ev.call("POST", f"/projects/{project_id}/rectification/report", "gov_unit", json={"text": "已重铺路面"})
    (board,) = ev.call("GET", f"/counties/{COUNTY}/rectifications")["items"]
    assert (board["status"], board["late"], board["deadline"]) == ("reported", True, "2026-04-20")


def test_a_micro_project_decline_deadline_at_half_past_midnight(tmp_path: Path) -> None:
    flow = Flow(tmp_path)
    proposed = half_past_midnight(date(2026, 3, 2))
    flow.at(proposed)
    micro = flow.call(
        "POST",
        f"/counties/{COUNTY}/micro-projects",
        "deputy",
        expect=201,
        json={
            "year": 2026,
            "town": "台城街道",
            "name": "巷道修缮",
            "content": "修补路面",
            "implementing_body": "台城街道办事处",
            "investment": "60000",
            "deadline": "2026-10-31",
            "demand_ids": flow.pooled_demands(1),
        },
    )
    assert micro["respond_by"] == "2026-03-09"  # proposed on 2 March in China, 7 days to accept or decline
    flow.at(datetime(2026, 3, 9, 15, 30, tzinfo=UTC))  # 23:30 on the 9th in China: not yet overdue
    assert flow.call("GET", f"/counties/{COUNTY}/micro-projects?overdue=true")["items"] == []
    flow.at(half_past_midnight(date(2026, 3, 10)))
    overdue = flow.call("GET", f"/counties/{COUNTY}/micro-projects?overdue=true")["items"]
    assert [UUID(x["id"]) for x in overdue] == [UUID(micro["id"])]
