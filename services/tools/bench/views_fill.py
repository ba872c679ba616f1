"""Filling the stores of ``shishi bench views``: many counties' demands through the real paths.

* intake: 12345 tickets applied by intake's own consumer path (``process_batch`` with its ticket
  handler), so each demand is the events the product stores for it (a demand, its tracking code, the
  caller's sealed contact);
* evaluation: intake's stored events translated into the contracts its relay publishes, applied by
  evaluation's own inbound policies (what its INTAKE consumer does with them);
* supervision: a few adopted projects per county (``decision.project-adopted``), applied by its policies.
The read models are then folded by each service's own updater (in bulk, as on a first start).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

from services.tools.audit.catalog import open_service
from shared import divisions
from shared.bus.messages import Delivered
from shared.bus.relay import envelope_for
from shared.config import Settings
from shared.contracts import HotlineTicket
from shared.contracts import decision as d
from shared.contracts.envelope import Actor, Envelope
from shared.persistence.application import Inbound

BATCH = 1000
PROJECTS_PER_COUNTY = 5
SPREAD = timedelta(days=300)
Step = Callable[[str, int, int], None]
TEXTS = (
    "路灯不亮，夜间出行不便",
    "小区排水不畅，雨天积水",
    "村道坑洼，需要修补",
    "菜市场周边停车难",
    "老旧小区加装电梯",
)


def county_codes(count: int) -> list[str]:
    """``count`` real county codes (MCA registry), Guangdong's first, then the others in code order."""
    codes = [c.code for c in divisions.registry().counties]
    ordered = [c for c in codes if c.startswith("44")] + [c for c in codes if not c.startswith("44")]
    return ordered[:count]


def towns(county: str) -> list[str]:
    return [name for _, name in divisions.towns_of(county)] or ["城关镇"]


def fill_intake(api: Any, counties: Sequence[str], demands: int, now: datetime, step: Step) -> None:
    from services.intake.main import ticket_handler

    app = api.state.application
    handle = ticket_handler(app)
    rng = random.Random(18)
    town_names = {c: towns(c) for c in counties}
    for start in range(0, demands, BATCH):
        batch = []
        for n in range(start, min(start + BATCH, demands)):
            county = counties[n % len(counties)]
            ticket = HotlineTicket(
                ticket_id=f"V-{n}",
                county=county,
                received_at=now - SPREAD * ((demands - n) / demands),  # over the last 300 days, oldest first
                category=rng.choice(("roads", "water", "housing", "elderly", "environment")),
                text=f"{rng.choice(TEXTS)}（第{n}件）",
                town=rng.choice(town_names[county]),
                caller_name="陈先生" if n % 2 else "",
                caller_phone="13800000000" if n % 3 else "",
            )
            batch.append(Inbound("HOTLINE", n + 1, ticket))
        app.process_batch(batch, handle)
        step("intake: 12345 tickets", min(start + BATCH, demands), demands)


def feed_intake_contracts(intake_api: Any, evaluation_api: Any, step: Step) -> None:
    """Every contract intake's relay would publish, through evaluation's INTAKE policies."""
    source = intake_api.state.application
    translate = intake_api.state.runtime.translate
    topics = intake_api.state.runtime.contract_topics
    target = evaluation_api.state.application
    sub = next(s for s in evaluation_api.state.runtime.subscriptions if s.stream == "INTAKE")
    total = source.recorder.max_notification_id() or 0
    position, sequence = 0, 0
    while True:
        page = source.recorder.select_notifications(position, BATCH * 3, None, topics, inclusive_of_start=False)
        if not page:
            return
        batch = []
        for n in page:
            event = source.mapper.to_domain_event(n)
            for index, contract in enumerate(translate(event)):
                sequence += 1
                batch.append(
                    Inbound(
                        "INTAKE", sequence, Delivered(envelope_for("intake", n.id, index, event, contract), contract)
                    )
                )
        target.process_batch(batch, sub.handle)
        position = page[-1].id
        step("evaluation: intake's contracts", position, total)


def adopt_projects(supervision_api: Any, counties: Sequence[str], year: int, step: Step) -> None:
    app = supervision_api.state.application
    sub = next(s for s in supervision_api.state.runtime.subscriptions if s.stream == "DECISION")
    sequence = 0
    for done, county in enumerate(counties, 1):
        batch = []
        for n in range(PROJECTS_PER_COUNTY):
            payload = d.ProjectAdopted(
                project_id=uuid4(),
                candidate_id=uuid4(),
                year=year,
                tier="major",
                name=f"民生实事项目{n + 1}",
                content="修缮村道、增设路灯",
                implementing_body="县交通局",
                investment=Decimal(800000 + n * 10000),
                deadline=date(year, 12, 31),
                demand_ids=[],
            )
            envelope = Envelope(
                event_id=uuid4(),
                type=payload.type_name(),
                schema_version=1,
                county=county,
                occurred_at=datetime(year, 1, 20, tzinfo=UTC),
                recorded_at=datetime.now(UTC),
                actor=Actor(role="congress_staff", id="bench"),
                payload=payload.model_dump(mode="json"),
            )
            sequence += 1
            batch.append(Inbound("DECISION", sequence, Delivered(envelope, payload)))
        app.process_batch(batch, sub.handle)
        step("supervision: adopted projects", done, len(counties))


def fill(work: Any, counties: Sequence[str], demands: int, now: datetime, step: Step) -> int:
    """Fill and fold every store; the number of events in intake's store."""
    apis = {
        name: open_service(Settings(service=name, data_dir=work))
        for name in ("intake", "evaluation", "supervision", "decision")
    }
    try:
        fill_intake(apis["intake"], counties, demands, now, step)
        feed_intake_contracts(apis["intake"], apis["evaluation"], step)
        adopt_projects(apis["supervision"], counties, now.year, step)
        for name, api in apis.items():
            step(f"{name}: fold the read models", 0, 1)
            api.state.runtime.updater.catch_up()
            step(f"{name}: fold the read models", 1, 1)
        return int(apis["intake"].state.application.recorder.max_notification_id() or 0)
    finally:
        for api in apis.values():
            api.state.runtime.views.close()
            api.state.application.close()
