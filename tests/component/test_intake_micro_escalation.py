"""A micro proposal over the cap in decision sends its demands up to the major tier in intake
(never stranded between tiers), with decision's reason on each demand's record."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from services.intake.app.application import IntakeApplication, NewDemand
from services.intake.inbound.handlers import LINEAGE
from shared.bus.messages import Delivered
from shared.config import Settings
from shared.contracts import decision as d
from shared.contracts.envelope import Actor, Envelope
from shared.kernel.meta import Meta
from shared.persistence.application import Inbound


def escalated(county: str, demand_ids: list[uuid.UUID]) -> Delivered:
    payload = d.MicroEscalated(
        escalation_id=uuid.uuid4(),
        year=2026,
        town="台城街道",
        name="加装电梯",
        content="老旧小区加装电梯",
        investment=Decimal("380000"),
        cap=Decimal("100000"),
        demand_ids=demand_ids,
        reason="超过微实事单项上限",
        rule_version=1,
    )
    env = Envelope(
        event_id=uuid.uuid4(),
        type=payload.type_name(),
        schema_version=1,
        county=county,
        occurred_at=datetime(2026, 4, 2, tzinfo=UTC),
        recorded_at=datetime(2026, 4, 2, tzinfo=UTC),
        actor=Actor(role="deputy", id="d-1"),
        payload=payload.model_dump(mode="json"),
    )
    return Delivered(env, payload)


def test_over_cap_micro_proposal_escalates_its_demands(tmp_path: Path) -> None:
    app = IntakeApplication(env=Settings(service="intake", data_dir=tmp_path).eventsourcing_env())
    meta = Meta(county="440781", actor_role="resident", actor_id="r", occurred_at=datetime(2026, 3, 1, tzinfo=UTC))
    ours = app.submit(meta, NewDemand(channel="web", town="台城街道", category="housing", text="六楼老人上下楼难"))
    theirs = app.submit(
        replace(meta, county="440703"), NewDemand(channel="web", town="环市街道", category="housing", text="加装电梯")
    )
    handle = LINEAGE.handler(app)
    app.process_batch([Inbound("DECISION", 1, escalated("440781", [ours.id, theirs.id]))], handle)

    demand = app.demand(ours.id)
    assert demand.tier == "major" and demand.status == "escalated"
    assert any("超过微实事单项上限" in (e.get("detail") or "") for e in demand.timeline)
    assert app.demand(theirs.id).tier != "major"  # another county's demand is untouched
    # a redelivery of the same message changes nothing
    app.process_batch([Inbound("DECISION", 1, escalated("440781", [ours.id]))], handle)
    assert len([e for e in app.demand(ours.id).timeline if e["stage"] == "escalated"]) == 1


def test_lookback_problem_becomes_one_new_demand_linked_to_the_project(tmp_path: Path) -> None:
    from shared.contracts import evaluation as e

    app = IntakeApplication(env=Settings(service="intake", data_dir=tmp_path).eventsourcing_env())
    project_id, lookback_id = uuid.uuid4(), uuid.uuid4()
    payload = e.LookbackProblemFound(
        lookback_id=lookback_id,
        project_id=project_id,
        project_name="台城长者饭堂",
        town="台城街道",
        problem="饭堂已停止供餐",
        checked_on="2026-10-20",
        in_use=False,
        held_up=True,
        residents_satisfied=False,
        demand_ids=[],
    )
    env = Envelope(
        event_id=uuid.uuid4(),
        type=payload.type_name(),
        schema_version=1,
        county="440781",
        occurred_at=datetime(2026, 10, 20, tzinfo=UTC),
        recorded_at=datetime(2026, 10, 20, tzinfo=UTC),
        actor=Actor(role="congress_staff", id="s-1"),
        payload=payload.model_dump(mode="json"),
    )
    handle = LINEAGE.handler(app)
    for seq in (1, 2):  # delivered twice (e.g. re-published): still one demand
        app.process_batch([Inbound("EVALUATION", seq, Delivered(env, payload))], handle)
    demands = [n for n in app.recorder.select_notifications(1, 100) if n.topic.endswith("Demand.Submitted")]
    assert len(demands) == 1
    demand = app.demand(demands[0].originator_id)
    assert demand.channel == "lookback" and str(project_id) in demand.text and "饭堂已停止供餐" in demand.text
