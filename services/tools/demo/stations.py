"""Demo stage: the county's registries of deputies and liaison stations, a year of reception days,
the demands raised at them and through the deputies' and stations' codes, and the QR posters
printed through the API (written to ``<data dir>/posters/``).

The registry names the accounts the other stages act with (the inbox deputy, the rating round's
deputies, who also sit on the supervision groups, and the county session's roll), so each one's
record of duty (``/deputies/<county>/<deputy>``) gathers their work from every service. Deputies of
the five levels are mixed into the stations (五级代表进站). The last towns of each county get no
station, and some stations held no reception in the last quarter: the county's overview
(``/intake/liaison``) flags both.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from services.tools.demo.context import DemoClient, DemoContext, each
from services.tools.demo.counties import COUNTIES, towns_of
from services.tools.demo.evaluation import DEPUTIES as RATING_DEPUTIES
from shared.kernel.china_time import CHINA, china_today

ROLL = 40  # the county session's roll in the decision stage: <county>-dep-000 …
SURNAMES = "陈李黄张梁林刘吴关伍谭邝甄朱余周何罗郑冯"
GIVEN = ["建华", "丽珍", "志强", "秀英", "国平", "美玲", "伟明", "惠芳", "家辉", "少芬", "锦荣", "玉兰", "振华", "婉仪"]
TOPICS = ["老旧小区改造", "农村道路硬化", "长者饭堂", "学校周边交通", "内涝治理", "菜市场升级", "公园照明"]
REPLIES = ["已转交镇政府办理，近期回复。", "已现场查看，列入整改计划。"]


def staff_get(c: DemoClient, path: str, **params: Any) -> bytes:
    r = c.http.get(path, params=params, headers={"authorization": f"Bearer {c.tokens['congress_staff']}"})
    if r.status_code >= 400:
        raise RuntimeError(f"GET {path}: {r.status_code} {r.text[:300]}")
    return r.content


def name_of(n: int) -> str:
    return SURNAMES[n % len(SURNAMES)] + GIVEN[(n * 7 + n // len(SURNAMES)) % len(GIVEN)]


def registry(ctx: DemoContext, towns: list[str]) -> list[dict]:
    """Every deputy the other stages act as, plus deputies of the other levels, spread over the towns."""
    county = ctx.county
    accounts = [f"demo-deputy-{county}"]
    accounts += [f"demo-deputy-{county}-{d:02d}" for d in range(RATING_DEPUTIES)]
    accounts += [f"{county}-dep-{k:03d}" for k in range(ROLL)]
    people = [(a, "county") for a in accounts]
    people += [
        (f"demo-prov-{county}", "provincial"),
        (f"demo-city-{county}-1", "city"),
        (f"demo-city-{county}-2", "city"),
    ]
    people += [(f"demo-township-{county}-{t:02d}", "township") for t in range(len(towns))]
    deputies = []
    for n, (deputy_id, level) in enumerate(people):
        town = towns[n % len(towns)] if level != "township" else towns[int(deputy_id[-2:])]
        body = {"deputy_id": deputy_id, "name": name_of(n), "level": level, "town": town, "group": f"{town}代表小组"}
        deputies.append(ctx.client.call("POST", f"/intake/api/counties/{county}/deputies", "congress_staff", json=body))
    return deputies


def run(ctx: DemoContext) -> None:
    registers(ctx)
    posters(ctx)


def registers(ctx: DemoContext) -> None:
    """The registries, the stations and their year of receptions, the scanned codes: everything but the
    posters. Needs nothing the decision, supervision and evaluation stages make (the accounts it names
    are fixed ids), and they nothing of it: the loader runs it beside them, the posters after both. It
    starts once the decision stage has read its pool (``state["pool_read"]``): the demands raised here
    reach decision's pool too, and the candidates are chosen from the pool as the intake stage left it."""
    c, county = ctx.client, ctx.county
    towns = towns_of(county)
    deputies = registry(ctx, towns)
    served = towns[: max(1, len(towns) - 2)]  # the last two towns have no station yet
    stations = []
    for n, town in enumerate(served):
        here = [d["deputy_id"] for d in deputies if d["town"] == town][:6]
        if n == 0:
            here.append(f"demo-prov-{county}")  # a provincial deputy sits in the county town's station too
        night = n % 3 == 0
        stations.append(
            c.call(
                "POST",
                f"/intake/api/counties/{county}/stations",
                "congress_staff",
                json={
                    "name": f"{town}{'夜间' if night else ''}人大代表联络站",
                    "town": town,
                    "address": f"{town}人民路{10 + n}号",
                    "hours": "每周三 19:30–21:30（夜间联络站）" if night else "每月15日 9:00–11:30（代表接待日）",
                    "deputy_ids": sorted(set(here)),
                },
            )
        )
    receptions(ctx, stations)
    scanned(ctx, stations)


def receptions(ctx: DemoContext, stations: list[dict]) -> None:
    """A year of receptions: monthly at each station (night stations in the evening), the deputies
    present recorded; one cancelled; the last station stopped four months ago; one ahead."""
    c = ctx.client
    today = china_today()

    def year_at(step: tuple[int, dict]) -> None:  # one station's year: stations keep their own calendars
        n, s = step
        rng = random.Random(f"{ctx.county}:station:{n}")  # the same draws whatever the threads' timing
        night = "夜间" in s["name"]
        months = range(12, 4, -1) if n == len(stations) - 1 and len(stations) > 1 else range(12, 0, -1)
        for back in months:
            day = (today.replace(day=1) - timedelta(days=30 * back - 14)).replace(day=15)
            starts = datetime(day.year, day.month, day.day, 19 if night else 9, 30 if night else 0, tzinfo=CHINA)
            ends = starts + timedelta(hours=2, minutes=0 if night else 30)
            if starts >= datetime.now(UTC):
                continue
            r = c.call(
                "POST",
                f"/intake/api/stations/{s['id']}/receptions",
                "congress_staff",
                json={
                    "kind": "night_chat" if night and back % 4 == 0 else "night_station" if night else "reception_day",
                    "starts_at": starts.isoformat(),
                    "ends_at": ends.isoformat(),
                    "topic": TOPICS[(n + back) % len(TOPICS)],
                    "deputy_ids": s["deputy_ids"],
                },
            )
            if n == 1 and back == 6:
                c.call(
                    "POST",
                    f"/intake/api/receptions/{r['id']}/cancel",
                    "congress_staff",
                    json={"reason": "台风预警，改期举行"},
                )
                continue
            present = [d for d in s["deputy_ids"] if rng.random() < 0.8] or s["deputy_ids"][:1]
            c.call("POST", f"/intake/api/receptions/{r['id']}/attendance", "congress_staff", json={"present": present})
            if back % 3 == 0:
                raised_at(ctx, s, r, present, starts, rng)

    each(list(enumerate(stations)), year_at, ctx.workers)
    ahead = datetime.combine(today + timedelta(days=20), datetime.min.time(), tzinfo=CHINA).replace(hour=9)
    c.call(
        "POST",
        f"/intake/api/stations/{stations[0]['id']}/receptions",
        "congress_staff",
        json={
            "kind": "reception_day",
            "starts_at": ahead.isoformat(),
            "ends_at": (ahead + timedelta(hours=3)).isoformat(),
            "topic": "征集明年民生实事项目",
            "deputy_ids": stations[0]["deputy_ids"],
        },
    )


def raised_at(
    ctx: DemoContext, station: dict, reception: dict, present: list[str], starts: datetime, rng: random.Random
) -> None:
    """A resident's demand taken down at the reception; half of them are answered and closed."""
    c = ctx.client
    text = f"{station['town']}{TOPICS[rng.randrange(len(TOPICS))]}：在接待日向代表反映，希望尽快解决"
    demand = c.call(
        "POST",
        "/intake/api/demands",
        "congress_staff",
        json={
            "county": ctx.county,
            "channel": "liaison_station",
            "town": station["town"],
            "category": ["roads", "housing", "elderly", "water"][rng.randrange(4)],
            "text": text,
            "reception_id": reception["id"],
            "deputy_id": present[0],
            "received_at": (starts + timedelta(minutes=40)).isoformat(),
        },
    )
    if rng.random() < 0.5:
        c.call(
            "POST",
            f"/intake/api/demands/{demand['id']}/triage",
            "congress_staff",
            json={"kind": "individual", "scope": "household", "estimate": 0},
        )
        c.call("POST", f"/intake/api/demands/{demand['id']}/reply", "congress_staff", json={"text": REPLIES[0]})
        c.call("POST", f"/intake/api/demands/{demand['id']}/close", "congress_staff", json={"text": REPLIES[1]})


def scanned(ctx: DemoContext, stations: list[dict]) -> None:
    """Residents scan deputies' and stations' codes (民意码上见); the inbox deputy accepts one."""
    c, county = ctx.client, ctx.county
    for n in range(6):
        s = stations[n % len(stations)]
        body = {
            "county": county,
            "channel": "qr_code",
            "town": s["town"],
            "category": ["roads", "environment", "safety"][n % 3],
            "text": f"{s['town']}扫码反映：{['路面破损', '垃圾清运不及时', '路口缺少信号灯'][n % 3]}",
            "phone": f"137{ctx.rng.randrange(10**8):08d}",
        }
        source = {"deputy_id": f"demo-deputy-{county}"} if n % 2 == 0 else {"station_id": s["id"]}
        created = c.call("POST", "/intake/api/demands", json={**body, **source})
        if n == 0:
            c.call(
                "POST",
                f"/intake/api/demands/{created['id']}/deputy-action",
                token=c.token_for("deputy", f"demo-deputy-{county}", "演示代表"),
                json={"action": "accept", "note": "代表接单跟进"},
            )


def posters(ctx: DemoContext) -> None:
    """Every QR poster of the county (stations, deputies, project sites) in one PDF, and those of its
    first town in another, printed through the origin's batch printing."""
    out = Path(ctx.data_dir) / "posters"
    out.mkdir(parents=True, exist_ok=True)
    name = COUNTIES[ctx.county]["name"]
    (out / f"{ctx.county}-{name}-全部海报.pdf").write_bytes(staff_get(ctx.client, f"/posters/{ctx.county}.pdf"))
    town = towns_of(ctx.county)[0]
    (out / f"{ctx.county}-{name}-{town}.pdf").write_bytes(
        staff_get(ctx.client, f"/posters/{ctx.county}.pdf", town=town)
    )
    print(f"shishi: QR posters of {name} in {out}", flush=True)
