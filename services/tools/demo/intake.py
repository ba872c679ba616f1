"""Demo stage: residents' demands from every channel since October 2024 (most of them collected before the
2025 session, each entered with the day it was received), through intake's own API and the 12345
hotline — then the staff's work on them: triage and routing, replies and closures, merges
into project suggestions (one split again), duplicates linked, an escalation over the micro cap,
consultations left overdue, deputies' inbox and micro-wishes, a dead letter dismissed."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from services.tools.cli.hotline import TEXTS, simulate
from services.tools.demo.context import DemoClient, DemoContext, each
from services.tools.demo.counties import towns_of

STAFF_CHANNELS = ["liaison_station", "deputy_suggestion", "department_list"]
COLLECTION_START = datetime(2024, 10, 1, tzinfo=UTC)  # demands collected for the 2025 session onwards
# (kind, scope, estimate) by position: most demands are common problems; some individual, some
# consultations, a few micro-wishes and suggestions (个性问题立行立改、共性问题形成建议).
TRIAGE = [
    ("common", "community", 60_000),
    ("individual", "household", 2_000),
    ("common", "town", 90_000),
    ("consultation", "household", 0),
    ("common", "community", 30_000),
    ("micro_wish", "household", 1_200),
    ("individual", "household", 800),
    ("project_suggestion", "town", 80_000),
    ("common", "county", 500_000),
]
REPLIES = ["已联系责任单位，近期处理。", "已答复：可到镇政府民生窗口办理。", "已安排现场查看。"]


def run(ctx: DemoContext) -> None:
    c, rng, county, towns = ctx.client, ctx.rng, ctx.county, towns_of(ctx.county)
    now = datetime.now(UTC)
    span = now - COLLECTION_START
    deputy = f"demo-deputy-{county}"
    c.call(
        "PUT",
        f"/intake/api/counties/{county}/rules",
        "congress_staff",
        json={"changes": {"deputy_areas": {town: [deputy] for town in towns[:3]}}, "reason": "代表联系片区（演示）"},
    )

    submitted = ctx.profile["demands"] * 8 // 5
    for n in range(submitted):
        category, text = TEXTS[rng.randrange(len(TEXTS))]
        town = towns[rng.randrange(len(towns))]
        body = {
            "county": county,
            "town": town,
            "category": category,
            "text": text.format(town=town),
            "name": f"居民{n:03d}",
            "phone": f"139{rng.randrange(10**8):08d}",
        }
        if n % 5 == 0:
            c.call("POST", "/intake/api/demands", json={**body, "channel": "web"})
        else:
            # most were collected before the 2025 session (the decision stage votes on them); the rest since
            received = COLLECTION_START + span * (n / submitted) ** 3 + timedelta(hours=rng.randrange(1, 10))
            c.call(
                "POST",
                "/intake/api/demands",
                "deputy",
                json={**body, "channel": STAFF_CHANNELS[n % 3], "received_at": min(received, now).isoformat()},
            )
    tickets = ctx.profile["tickets"] * 2
    sent = asyncio.run(
        simulate(
            ctx.nats_url,
            county,
            towns,
            rate=0,
            count=tickets,
            duplicates=0.05,
            malformed=0.03,
            seed=int(county),
            start=COLLECTION_START,
            span=span,
        )
    )
    ctx.state["submitted"] = submitted
    expected = submitted + sent["valid"]
    queue = c.wait_for(
        lambda: (
            (q := c.call("GET", f"/intake/api/counties/{county}/demands?limit=1000", "congress_staff"))["total"]
            >= expected
            and q
        ),
        "the intake queue",
    )
    work_through(ctx, c, queue["items"], deputy)


def work_through(ctx: DemoContext, c: DemoClient, items: list[dict], deputy: str) -> None:
    county, rng = ctx.county, ctx.rng
    items = sorted(items, key=lambda d: d["submitted_at"])
    triaged: dict[str, list[dict]] = {}
    untriaged: list[dict] = []
    plan: list[tuple[dict, tuple[str, str, int]]] = []
    for n, doc in enumerate(items):
        if n % 4 == 3:
            untriaged.append(doc)  # left untriaged: the newest wait in the queue, the oldest are stranded
            continue
        plan.append((doc, TRIAGE[n % len(TRIAGE)]))
        triaged.setdefault(TRIAGE[n % len(TRIAGE)][0], []).append(doc)

    def triage(step: tuple[dict, tuple[str, str, int]]) -> None:
        doc, (kind, scope, estimate) = step
        c.call(
            "POST",
            f"/intake/api/demands/{doc['id']}/triage",
            "congress_staff",
            json={"kind": kind, "scope": scope, "estimate": estimate},
        )

    def answer(step: tuple[int, dict]) -> None:  # most consultations are answered; the rest stay overdue
        n, doc = step
        c.call("POST", f"/intake/api/demands/{doc['id']}/reply", "congress_staff", json={"text": REPLIES[n % 3]})

    def settle(step: tuple[int, dict]) -> None:  # half the individual problems are fixed at once and closed
        n, doc = step
        c.call("POST", f"/intake/api/demands/{doc['id']}/reply", "gov_unit", json={"text": REPLIES[n % 3]})
        closing = {"text": "个性问题已立行立改，办结。"}
        c.call("POST", f"/intake/api/demands/{doc['id']}/close", "gov_unit", json=closing)

    each(plan, triage, ctx.workers)  # each demand is triaged on its own: by several staff at once
    each([(n, d) for n, d in enumerate(triaged.get("consultation", [])) if n % 3 != 2], answer, ctx.workers)
    each([(n, d) for n, d in enumerate(triaged.get("individual", [])) if n % 2 == 0], settle, ctx.workers)
    c.call("POST", f"/intake/api/counties/{county}/deadlines/check", "congress_staff", json={})
    linked: set[str] = set()
    for doc in untriaged[:8]:  # many callers about one problem: linked as duplicates in one action
        if doc["id"] in linked:
            continue
        found = c.call("GET", f"/intake/api/demands/{doc['id']}/duplicates", "congress_staff")["items"]
        ids = [d["id"] for d in found if d["id"] not in linked and d["status"] in ("received", "triaged")][:3]
        if ids:
            c.call("POST", f"/intake/api/demands/{doc['id']}/duplicates", "congress_staff", json={"duplicate_ids": ids})
            linked.update([doc["id"], *ids])
    common = triaged.get("common", [])
    for doc in common[:2]:  # estimates revised above the micro cap: escalated automatically
        c.call(
            "POST",
            f"/intake/api/demands/{doc['id']}/assessment",
            "congress_staff",
            json={
                "scope": "community",
                "estimate": 100_000 + rng.randrange(20_000, 80_000),
                "reason": "施工方复核后估算超过微实事上限",
            },
        )
    merge_common(ctx, c, common[2:])
    for doc in triaged.get("micro_wish", [])[:3]:
        steps = [
            {"step": "claimed"},
            {"step": "funded", "source": "social_donor", "amount": "1200"},
            {"step": "fulfilled", "note": "心愿已实现"},
            {"step": "visited", "satisfaction": "satisfied"},
        ]
        for body in steps[: 1 + rng.randrange(len(steps))]:
            c.call(
                "POST",
                f"/intake/api/demands/{doc['id']}/wish",
                token=c.token_for("deputy", deputy, "演示代表"),
                json=body,
            )
    inbox = c.call("GET", f"/intake/api/counties/{county}/inbox", token=c.token_for("deputy", deputy, "演示代表"))
    for doc in inbox["items"][:2]:
        c.call(
            "POST",
            f"/intake/api/demands/{doc['id']}/deputy-action",
            token=c.token_for("deputy", deputy),
            json={"action": "accept", "note": "代表接单跟进"},
        )
    letters = c.call("GET", f"/intake/api/counties/{county}/deadletters", "congress_staff")
    if letters["items"]:
        c.call(
            "POST",
            f"/intake/api/counties/{county}/deadletters/{letters['items'][0]['sequence']}",
            "congress_staff",
            json={"action": "dismiss", "reason": "工单内容无法辨认，已电话回访确认"},
        )


def merge_common(ctx: DemoContext, c: DemoClient, common: list[dict]) -> None:
    """共性问题形成建议: demands of one town and category become one suggestion; one is split again."""
    groups: dict[tuple[str, str], list[dict]] = {}
    for doc in common:
        groups.setdefault((doc["town"], doc["category"]), []).append(doc)
    merged = 0
    for (town, _category), docs in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        if len(docs) < 2 or merged >= 4:
            continue
        ids = [d["id"] for d in docs[:6]]
        suggestion = c.call(
            "POST",
            f"/intake/api/counties/{ctx.county}/suggestions",
            "gov_unit",
            json={
                "title": f"{town}{docs[0]['text'][len(town) :].split('，')[0][:10]}等问题综合整治",
                "demand_ids": ids,
                "reason": "共性问题形成建议",
            },
        )
        merged += 1
        if merged == 1 and len(ids) >= 3:
            c.call(
                "POST",
                f"/intake/api/suggestions/{suggestion['id']}/split",
                "gov_unit",
                json={"demand_ids": ids[-1:], "new_title": f"{town}单独整治项目", "reason": "规模不同，单独立项"},
            )
