"""Business time and recorded time (bitemporal): an official entering last year's paperwork declares
when it happened (``Shishi-Business-Time``); the event keeps that business time beside the time it was
recorded, is marked as entered late (补录), and time travel and export by year work by either time,
named in the API (``basis=business|recorded``). Residents cannot declare one; the future and the too
distant past are refused."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from services.tools.cli.main import main
from shared.auth import issue_token
from shared.contracts import decision as d
from tests.fixtures.service import InProcessService

COUNTY = "440781"
NOW = datetime(2026, 12, 5, 2, tzinfo=UTC)  # 10:00 China time
PLAN = {
    "budget_lines": [{"code": "A", "name": "土建", "amount": "1000000"}],
    "tasks": [
        {
            "id": "t1",
            "name": "管网改造",
            "unit": "县住建局",
            "person": "张工",
            "due": "2025-10-31",
            "budget_line": "A",
            "budget": "1000000",
        }
    ],
    "milestones": [{"id": "m1", "name": "完工", "due": "2025-10-31", "target_pct": 100}],
}


class Supervision(InProcessService):
    def __init__(self, tmp: Path) -> None:
        super().__init__("supervision", tmp, now=NOW, settings={"supervision_sweep_seconds": 0})

    def named(self, role: str, name: str, at: str | None = None) -> dict[str, str]:
        """Headers of an official's request: their token (with their name) and, for an entry made
        after the fact, the business time it is about."""
        token = issue_token(
            self.settings.resolved_jwt_secret(), subject=f"{role}-1", roles=[role], counties=[COUNTY], name=name
        )
        return {"authorization": f"Bearer {token}", **({"shishi-business-time": at} if at else {})}

    def post(self, path: str, headers: dict[str, str], status: int | None = None, **kw: Any) -> Any:
        r = self.client.post(f"/supervision/api{path}", headers=headers, **kw)
        assert r.status_code == status if status else r.status_code < 300, r.text
        self.catch_up()
        return r.json()


@pytest.fixture
def world(tmp_path: Path) -> tuple[Supervision, str]:
    w = Supervision(tmp_path)
    project_id = uuid4()
    adopted = d.ProjectAdopted(
        project_id=project_id,
        candidate_id=uuid4(),
        year=2025,
        tier="major",
        name="2025年城乡供水一体化",
        content="管网改造",
        implementing_body="县水务局",
        investment=Decimal("1000000"),
        deadline=date(2025, 12, 31),
        demand_ids=[uuid4()],
    )
    # the vote was declared on 20 January 2025: decision's event carries that business time
    w.deliver(adopted, at=datetime(2025, 1, 20, 4, tzinfo=UTC))
    pid = str(project_id)
    unit = w.named("gov_unit", "陈科长", at="2025-02-10T10:00:00+08:00")
    plan = w.post(f"/projects/{pid}/plan", unit, json=PLAN)
    assert plan["plan"]["filed_on"] == "2025-02-10" and plan["plan"]["late"] is False  # judged on its business day
    w.post(
        f"/projects/{pid}/progress",
        w.named("gov_unit", "陈科长", at="2025-03-05"),
        json={"period": "2025-02", "progress_pct": 20, "spent": "150000", "work_done": "开挖管沟", "note": "按计划"},
    )
    return w, pid


def test_an_entry_made_after_the_fact_keeps_both_times_and_says_so(world: tuple[Supervision, str]) -> None:
    w, pid = world
    auditor = w.auth("auditor")
    history = w.client.get(f"/supervision/api/audit/aggregates/{pid}/history", headers=auditor).json()["events"]
    filed = next(e for e in history if e["event"].endswith("PlanFiled"))
    assert filed["occurred_at"].startswith("2025-02-10T10:00:00+08:00")
    assert filed["recorded_at"].startswith("2026-12-05")  # when it was typed in
    assert filed["entered_late"] is True and filed["actor_name"] == "陈科长"
    opened = history[0]
    assert opened["occurred_at"].startswith("2025-01-20") and opened["entered_late"] is False


def test_time_travel_by_business_time_or_recorded_time(world: tuple[Supervision, str]) -> None:
    w, pid = world
    auditor = w.auth("auditor")
    june = w.client.get(
        f"/supervision/api/audit/aggregates/{pid}", params={"as_of": "2025-06-30"}, headers=auditor
    ).json()
    assert june["basis"] == "business" and len(june["state"]["plans"]) == 1 and june["state"]["progress_pct"] == 20
    recorded = w.client.get(
        f"/supervision/api/audit/aggregates/{pid}",
        params={"as_of": "2025-06-30", "basis": "recorded"},
        headers=auditor,
    )
    assert recorded.status_code == 404 and recorded.json()["reason"] == "not_yet_existing"  # typed in December 2026
    older_name = w.client.get(
        f"/supervision/api/audit/aggregates/{pid}",
        params={"as_of": "2025-06-30", "basis": "occurred"},
        headers=auditor,
    ).json()
    assert older_name["basis"] == "business" and older_name["version"] == june["version"]
    views = w.client.get(
        f"/supervision/api/audit/counties/{COUNTY}/views",
        params={"as_of": "2025-06-30", "basis": "business"},
        headers=auditor,
    ).json()
    assert [p["name"] for p in views["views"]["project"]] == ["2025年城乡供水一体化"]
    by_record = w.client.get(
        f"/supervision/api/audit/counties/{COUNTY}/views",
        params={"as_of": "2025-06-30", "basis": "recorded"},
        headers=auditor,
    ).json()
    assert "project" not in by_record["views"]


def test_declared_business_times_are_checked(world: tuple[Supervision, str]) -> None:
    w, pid = world
    body = {"period": "2025-03", "progress_pct": 30, "spent": "200000", "work_done": "铺设管道", "note": "按计划"}
    future = w.post(f"/projects/{pid}/progress", w.named("gov_unit", "陈科长", at="2027-01-01"), 422, json=body)
    assert future["reason"] == "business_time_in_future" and "不能晚于现在" in future["detail"]
    old = w.post(f"/projects/{pid}/progress", w.named("gov_unit", "陈科长", at="2020-01-01"), 422, json=body)
    assert old["reason"] == "business_time_too_old"
    garbled = w.post(f"/projects/{pid}/progress", w.named("gov_unit", "陈科长", at="last spring"), 422, json=body)
    assert garbled["reason"] == "invalid_business_time"


def test_export_by_year_by_either_time(world: tuple[Supervision, str], tmp_path: Path) -> None:
    w, _ = world
    counts = {}
    for basis, year in (("business", 2025), ("recorded", 2025), ("recorded", 2026), ("business", 2026)):
        out = tmp_path / f"bundle-{basis}-{year}"
        args = ["audit", "export", "--county", COUNTY, "--year", str(year), "--basis", basis]
        assert main([*args, "--data-dir", str(w.settings.data_dir), "--out", str(out)]) == 0
        manifest = json.loads((out / "manifest.json").read_text())
        assert manifest["basis"] == basis
        counts[(basis, year)] = manifest["services"]["supervision"]["events"]
    # the project file, its plan and its entry happened in 2025 and were recorded in 2026
    assert counts[("business", 2025)] >= 3 and counts[("recorded", 2025)] == 0
    assert counts[("recorded", 2026)] >= counts[("business", 2025)]
