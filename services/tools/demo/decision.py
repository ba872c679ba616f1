"""Demo stage: micro projects from the pool; then the congress vote through the product's API —
a complete 2025 (candidates screened, approval chain with a send-back, a competitive vote with
results that flow to supervision) and the current 2026 vote, open with ballots coming in.

The 2025 work is entered with its business dates (``DemoClient.at``): candidates drafted in early
January 2025 from the demands collected before then, the chain through mid-January, the session's
vote on 20 January 2025, micro projects approved on 1 March 2025, town votes in March 2025. So the
time travel of the audit pages shows the year as it unfolded, and the projects it adopted reach
supervision with 2025 as their business time."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from services.tools.demo.ballots import ballot_key, cast, take
from services.tools.demo.context import CHINA, DemoContext
from shared.ballots.device import Credential

PROJECTS = [
    ("老旧小区改造", "县住房和城乡建设局", 8_600_000),
    ("城乡供水一体化", "县水务局", 12_000_000),
    ("中小学学位扩容", "县教育局", 15_500_000),
    ("居家养老服务中心", "县民政局", 3_200_000),
    ("农村公路提质改造", "县交通运输局", 9_800_000),
    ("农贸市场升级改造", "县市场监督管理局", 2_600_000),
    ("城乡公厕提升", "县城市管理局", 1_800_000),
    ("社区卫生服务站建设", "县卫生健康局", 4_400_000),
    ("道路路灯亮化", "县城市管理局", 1_500_000),
    ("口袋公园建设", "县自然资源局", 2_100_000),
    ("公共停车场建设", "县交通运输局", 5_300_000),
]
SCORES = ["necessity", "feasibility", "inclusiveness", "regional_balance", "urgency", "benefit", "conditions"]
STEPS = ["chairpersons", "party_committee", "standing_committee", "presidium"]
PLAN = {"440703": (11, 9)}  # 蓬江: like Fenyang 11 -> 9; elsewhere like Xiaoyi 8 -> 7
MICRO_2025 = {
    "fund": date(2025, 2, 20),
    "proposed": date(2025, 2, 22),
    "accepted": date(2025, 2, 25),
    "approved": date(2025, 3, 1),
}


@dataclass(frozen=True)
class Calendar:
    """The business days of one vote, from the candidates' drafting to the close."""

    drafted: date
    chain: tuple[date, ...]  # chairpersons, party committee (send-back), revised, chairpersons again, the rest
    session: date

    @staticmethod
    def county(year: int) -> Calendar:
        first = date(year, 1, 6)
        return Calendar(first, tuple(first + timedelta(days=d) for d in (2, 3, 4, 5, 7, 9, 12)), date(year, 1, 20))

    @staticmethod
    def town(year: int) -> Calendar:
        first = date(year, 3, 5)
        return Calendar(first, tuple(first + timedelta(days=d) for d in (1, 2, 3, 4, 5, 6, 7)), date(year, 3, 15))

    def vote_at(self, hour: int, minute: int = 0) -> datetime:
        return datetime(self.session.year, self.session.month, self.session.day, hour, minute)


def pooled(item: dict) -> datetime:
    return datetime.fromisoformat(item["pooled_at"])


def before(items: list[dict], day: date) -> list[dict]:
    """The pool's items collected before ``day`` (China time), oldest first."""
    return [i for i in sorted(items, key=pooled) if pooled(i).astimezone(CHINA).date() < day]


@contextlib.contextmanager
def on(ctx: DemoContext, day: date | datetime | None) -> Iterator[None]:
    """Entries inside are declared at ``day`` (None: they happen now)."""
    if day is None:
        yield
        return
    with ctx.client.at(day):
        yield


def run(ctx: DemoContext) -> None:
    c, county = ctx.client, ctx.county
    c.wait_for(
        lambda: (
            c.call("GET", f"/decision/api/counties/{county}/pool", "congress_staff", params={"limit": 1})["total"]
            >= ctx.state.get("submitted", 0)
        ),
        "the decision pool",
    )
    if (pool_read := ctx.state.get("pool_read")) is not None:
        pool_read.set()  # the stations stage, run beside this one, may raise demands now (loader.py)
    free = micro_projects(ctx, c.every(f"/decision/api/counties/{county}/pool", "congress_staff"))
    n2025, seats2025 = PLAN.get(county, (8, 7))
    n2026 = 6 if len(free) < 2 * (n2025 + 8) else 8
    calendar = Calendar.county(2025)
    early = before(free, calendar.drafted) or free  # the 2025 candidates absorb what was collected by then
    per = max(1, min(3, len(early) // n2025))
    chosen = [i["id"] for i in early[: n2025 * per]]
    rest = [i["id"] for i in free if i["id"] not in set(chosen)]
    per_later = max(1, min(3, len(rest) // n2026))
    ctx.state["major_projects"] = vote_year(ctx, 2025, chosen, n2025, seats2025, close=True, calendar=calendar)
    vote_year(ctx, 2026, rest[: n2026 * per_later], n2026, n2026 - 1, close=False)
    town_votes(ctx)


def town_votes(ctx: DemoContext) -> None:
    """Town/street sessions where residents' representatives vote with deputies: only some towns hold
    one (the coverage gap the articles describe: 4 of 12 streets in Jiangmen)."""
    from services.tools.demo.counties import towns_of

    c, county = ctx.client, ctx.county
    calendar = Calendar.town(2025)
    pool = before(c.every(f"/decision/api/counties/{county}/pool", "congress_staff"), calendar.drafted)
    towns = towns_of(county)
    ctx.state["town_projects"] = []  # what the town votes adopted: supervision opens a file for each
    for town in towns[: max(1, len(towns) // 3)]:
        local = [d["id"] for d in pool if d["town"] == town and d.get("used_by") is None]
        if len(local) >= 3:  # a town vote's candidates come from that town's own demands
            elected = vote_year(ctx, 2025, local[:6], 3, 2, close=True, level="town", town=town, calendar=calendar)
            ctx.state["town_projects"] += elected


def micro_projects(ctx: DemoContext, items: list[dict]) -> list[dict]:
    """2025's micro projects from the demands collected before their proposal, each step on its day;
    one 2026 proposal over the cap is escalated. The pool's other items, oldest first."""
    c, county = ctx.client, ctx.county
    by_town: dict[str, list[str]] = {}
    for item in before(items, MICRO_2025["proposed"]):
        by_town.setdefault(item["town"], []).append(item["id"])
    ctx.state["micro_projects"] = []
    used: set[str] = set()
    towns = sorted(by_town.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    for town, ids in towns[: ctx.profile["micro"]]:
        with c.at(MICRO_2025["fund"]):
            c.call(
                "POST",
                f"/decision/api/counties/{county}/micro-funds",
                "gov_unit",
                json={"year": 2025, "town": town, "amount": "300000", "reason": f"{town}2025年民生微实事专项资金"},
            )
        with c.at(MICRO_2025["proposed"]):
            micro = c.call(
                "POST",
                f"/decision/api/counties/{county}/micro-projects",
                "deputy",
                json={
                    "year": 2025,
                    "town": town,
                    "name": f"{town}民生微实事：道路与排水修缮",
                    "content": "修补路面、疏通排水",
                    "implementing_body": f"{town}人民政府",
                    "investment": str(60000 + ctx.rng.randrange(30000)),
                    "deadline": "2025-10-31",
                    "demand_ids": ids[:5],
                },
            )
        used.update(ids[:5])
        with c.at(MICRO_2025["accepted"]):
            c.call(
                "POST",
                f"/decision/api/micro-projects/{micro['id']}/accept",
                "gov_unit",
                json={"reason": "街道办事处承办"},
            )
        with c.at(MICRO_2025["approved"]):
            c.call(
                "POST",
                f"/decision/api/micro-projects/{micro['id']}/approve",
                "congress_staff",
                json={"reason": "街道主席团审议通过"},
            )
        ctx.state["micro_projects"].append(micro["project_id"])
    if len(towns) > ctx.profile["micro"] and towns[ctx.profile["micro"]][1]:
        town, ids = towns[ctx.profile["micro"]]
        # too big for a micro project (over the 100,000 cap): escalated back to intake as a project suggestion
        c.call(
            "POST",
            f"/decision/api/counties/{county}/micro-projects",
            "deputy",
            json={
                "year": 2026,
                "town": town,
                "name": f"{town}老旧住宅加装电梯",
                "content": "多层住宅加装电梯",
                "implementing_body": f"{town}人民政府",
                "investment": "350000",
                "deadline": "2026-12-31",
                "demand_ids": ids[:1],
            },
        )
    return [item for item in sorted(items, key=pooled) if item["id"] not in used]


def vote_year(
    ctx: DemoContext,
    year: int,
    demand_ids: list[str],
    n: int,
    seats: int,
    *,
    close: bool,
    level: str = "county",
    town: str = "",
    calendar: Calendar | None = None,
) -> list[str]:
    """One vote from candidates to close; with a ``calendar``, each step entered on its business day."""
    c, county, rng = ctx.client, ctx.county, ctx.rng

    def day(step: str, later: int = 0) -> date | datetime | None:
        if calendar is None:
            return None
        at = calendar.vote_at
        days = dict(zip(("chair", "back", "revised", "chair2", *STEPS[1:]), calendar.chain, strict=True))
        moments = {"drafted": calendar.drafted, "check_in": at(9), "open": at(10), "count": at(11), "close": at(11, 30)}
        found = {**days, **moments}[step]
        return found + timedelta(minutes=later) if isinstance(found, datetime) else found

    per = max(1, len(demand_ids) // n)
    where = {"level": level, "town": town}
    prefix = f"{town}" if town else ""
    candidates = []
    for k in range(n):
        name, body, amount = PROJECTS[(k + year) % len(PROJECTS)]
        if town:
            body, amount = f"{town}人民政府", amount // 20
        with on(ctx, day("drafted")):
            cand = c.call(
                "POST",
                f"/decision/api/counties/{county}/candidates",
                "gov_unit",
                json={
                    **where,
                    "year": year,
                    "name": f"{year}年{prefix}{name}",
                    "content": f"{name}：由群众诉求归并形成" + ("" if town else "，覆盖全县主要乡镇街道"),
                    "implementing_body": body,
                    "investment": str(amount),
                    "deadline": f"{year}-12-31",
                    "requirements": "按期完工，资金专款专用，接受人大代表监督",
                    "coverage": [],
                    "demand_ids": demand_ids[k * per : (k + 1) * per],
                },
            )
            c.call(
                "POST",
                f"/decision/api/candidates/{cand['id']}/screening",
                "gov_unit",
                json={
                    "scores": {s: 3 + rng.randrange(3) for s in SCORES},
                    "reasons": {"necessity": "群众反映集中", "feasibility": "资金和用地已落实"},
                },
            )
        candidates.append(cand["id"])
    with on(ctx, day("drafted")):
        lst = c.call(
            "POST",
            f"/decision/api/counties/{county}/candidate-lists",
            "gov_unit",
            json={
                **where,
                "year": year,
                "title": f"{year}年{prefix}民生实事候选项目",
                "candidate_ids": candidates,
                "reason": "政府常务会议研究",
            },
        )
    path = f"/decision/api/candidate-lists/{lst['id']}/decisions"
    with on(ctx, day("chair")):
        approve = {"step": "chairpersons", "decision": "approve", "reason": "主任会议同意"}
        c.call("POST", path, "congress_staff", json=approve)
    if year == 2025 and not town:
        with on(ctx, day("back")):
            c.call(
                "POST",
                path,
                "congress_staff",
                json={"step": "party_committee", "decision": "send_back", "reason": "请补充项目资金来源说明"},
            )
        with on(ctx, day("revised")):
            c.call(
                "POST",
                f"/decision/api/candidate-lists/{lst['id']}/revise",
                "gov_unit",
                json={"candidate_ids": candidates, "reason": "已补充资金来源"},
            )
        with on(ctx, day("chair2")):
            again = {"step": "chairpersons", "decision": "approve", "reason": "同意"}
            c.call("POST", path, "congress_staff", json=again)
    for step, reason in zip(STEPS[1:], ("党委审定同意", "常委会审议通过", "主席团决定提交大会票决"), strict=True):
        with on(ctx, day(step)):
            c.call("POST", path, "congress_staff", json={"step": step, "decision": "approve", "reason": reason})
    size = 15 if town else 40
    # at a town/street vote, residents' representatives (居民议事代表) vote with the deputies
    roll = [
        {
            "id": f"{county}-{prefix}dep-{k:03d}",
            "name": f"{prefix}代表{k + 1:03d}",
            "kind": "resident_representative" if town and k % 3 == 2 else "deputy",
        }
        for k in range(size)
    ]
    name = f"{year}年{town}民生实事票决会" if town else f"{year}年人民代表大会"
    with on(ctx, day("presidium")):
        session = c.call(
            "POST",
            f"/decision/api/counties/{county}/sessions",
            "congress_staff",
            json={**where, "year": year, "name": name, "list_id": lst["id"], "roll": roll},
        )
    sid = session["id"]
    present = roll[: size - 6 + rng.randrange(5)]
    vote = f"/decision/api/sessions/{sid}"
    # deputies take a ballot credential on their own phones; residents' representatives, who have no
    # account, are handed a printed code slip from the shuffled pile
    slips = [d for d in present if d["kind"] != "deputy"]
    held: list[Credential | str] = []
    key = ballot_key(c, vote)  # the session's key: the same for every deputy's device
    with on(ctx, day("check_in")):
        codes = c.call("POST", f"{vote}/codes", "congress_staff", json={"count": len(slips)})["codes"] if slips else []
        rng.shuffle(codes)
        for d in present:
            c.call("POST", f"{vote}/check-in", "congress_staff", json={"deputy_id": d["id"]})
            if d["kind"] == "deputy":
                held.append(take(c, vote, c.token_for("deputy", d["id"], d["name"]), key))
            else:
                c.call("POST", f"{vote}/slips", "congress_staff", json={"deputy_id": d["id"]})
                held.append(codes.pop())
    paper = close and county == "440704"
    with on(ctx, day("open")):
        c.call(
            "POST",
            f"/decision/api/sessions/{sid}/votes",
            "congress_staff",
            json={"seats": seats, "kind": "competitive", "mode": "paper" if paper else "electronic"},
        )
    appeal = {cid: rng.random() for cid in candidates}
    ballots = [ballot(candidates, appeal, seats, rng) for _ in held]
    if paper:
        with on(ctx, day("count")):
            count_paper(ctx, sid, ballots)
    else:
        box = ballot_key(c, vote)["box_id"]  # the round just opened
        for mine, marks in zip(held if close else held[: len(held) // 2], ballots, strict=False):
            cast(c, vote, mine, marks, box)
    if not close:
        return []
    with on(ctx, day("close")):
        closed = c.call("POST", f"/decision/api/sessions/{sid}/close", "congress_staff")
    rounds = 0
    while closed["status"] == "runoff":  # a tie at the cut-off: the tied candidates face a run-off
        rounds += 1
        result = closed["round"]["result"]
        with on(ctx, day("close", later=30 * rounds - 15)):
            c.call(
                "POST",
                f"/decision/api/sessions/{sid}/votes",
                "congress_staff",
                json={"seats": result["runoff_seats"], "mode": "paper" if paper else "electronic"},
            )
        runoff = [ballot(result["tied"], appeal, result["runoff_seats"], rng) for _ in held]
        with on(ctx, day("close", later=30 * rounds - 5)):
            if paper:
                count_paper(ctx, sid, runoff)
            else:
                box = ballot_key(c, vote)["box_id"]  # the run-off's own box
                for mine, marks in zip(held, runoff, strict=True):
                    cast(c, vote, mine, marks, box)
        with on(ctx, day("close", later=30 * rounds)):
            closed = c.call("POST", f"/decision/api/sessions/{sid}/close", "congress_staff")
    return [e["project_id"] for e in closed["elected"]]


def ballot(candidates: list[str], appeal: dict[str, float], seats: int, rng: random.Random) -> dict[str, str]:
    ranked = sorted(candidates, key=lambda cid: appeal[cid] + rng.random() * 0.6, reverse=True)
    marks = {cid: ("yes" if n < seats else "no") for n, cid in enumerate(ranked)}
    if rng.random() < 0.1:
        marks[ranked[-1]] = "abstain"
    return marks


def count_paper(ctx: DemoContext, session_id: str, ballots: list[dict]) -> None:
    """Two ballot boxes counted by tellers; each box confirmed by a second teller."""
    c = ctx.client
    first = c.token_for("congress_staff", f"{ctx.county}-teller-1", "计票人一")
    second = c.token_for("congress_staff", f"{ctx.county}-teller-2", "监票人二")
    half = len(ballots) // 2
    for no, part in (("1", ballots[:half]), ("2", ballots[half:])):
        counts: dict[str, dict[str, int]] = {}
        for marks in part:
            for cid, choice in marks.items():
                counts.setdefault(cid, {"yes": 0, "no": 0, "abstain": 0})[choice] += 1
        c.call(
            "POST",
            f"/decision/api/sessions/{session_id}/paper-boxes",
            token=first,
            json={"box_no": no, "issued": len(part), "returned": len(part), "invalid": 0, "counts": counts},
        )
        c.call("POST", f"/decision/api/sessions/{session_id}/paper-boxes/{no}/confirm", token=second)
