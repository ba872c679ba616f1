"""``shishi hotline simulate``: plays the 12345 platform, publishing tickets on hotline.<county>.tickets."""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import nats

from shared.bus.streams import ensure_streams
from shared.config import Settings
from shared.contracts import HotlineTicket

TEXTS = [
    ("roads", "{town}主干道路面坑洼，雨天积水，请尽快修补。"),
    ("roads", "{town}村口路灯损坏多日，夜间出行不安全。"),
    ("water", "{town}小区下水道堵塞，污水外溢。"),
    ("water", "{town}自来水压力不足，高层住户经常停水。"),
    ("housing", "{town}老旧小区楼道破损，屋顶漏水。"),
    ("elderly", "{town}希望增设长者饭堂，方便独居老人就餐。"),
    ("environment", "{town}菜市场周边垃圾清运不及时。"),
    ("education", "{town}学校门口缺少交通安全设施。"),
    ("safety", "{town}河堤护栏缺失，存在安全隐患。"),
    ("culture", "{town}缺少群众文体活动场地。"),
]


def make_tickets(
    county: str,
    towns: list[str],
    count: int,
    *,
    duplicates: float,
    malformed: float,
    seed: int,
    start: datetime | None = None,
    span: timedelta | None = None,
) -> list[tuple[str, bytes]]:
    """(kind, body) pairs, kind ``valid`` / ``duplicate`` (the same ticket re-sent) / ``malformed``.
    Tickets are received one minute apart from ``start``, or spread evenly over ``span``."""
    rng = random.Random(seed)
    start = start or datetime.now(UTC) - timedelta(days=1)
    step = span / max(count, 1) if span else timedelta(minutes=1)
    out: list[tuple[str, bytes]] = []
    for n in range(count):
        category, text = TEXTS[rng.randrange(len(TEXTS))]
        town = towns[rng.randrange(len(towns))]
        if rng.random() < malformed:
            broken = rng.choice(
                [
                    b"{not json",
                    json.dumps({"ticket_id": f"T{seed}-{n}", "county": county}).encode(),
                    json.dumps({"ticket_id": "", "county": "12", "text": ""}).encode(),
                ]
            )
            out.append(("malformed", broken))
            continue
        ticket = HotlineTicket(
            ticket_id=f"12345-{county}-{seed}-{n:06d}",
            county=county,
            received_at=start + step * n,
            category=category,
            text=text.format(town=town),
            town=town,
            caller_name=f"市民{rng.randrange(1000):03d}",
            caller_phone=f"138{rng.randrange(10**8):08d}",
            address=f"{town}{rng.randrange(1, 200)}号",
        )
        body = ticket.model_dump_json().encode()
        out.append(("valid", body))
        if rng.random() < duplicates:
            out.append(("duplicate", body))  # the hotline re-sends the same ticket (no de-dup id: a real re-send)
    return out


async def simulate(
    nats_url: str,
    county: str,
    towns: list[str],
    *,
    rate: float,
    count: int,
    duplicates: float,
    malformed: float,
    seed: int,
    start: datetime | None = None,
    span: timedelta | None = None,
) -> dict:
    servers = [url.strip() for url in nats_url.split(",") if url.strip()]  # one server, or a cluster's nodes
    nc = await nats.connect(servers=servers, name="shishi-hotline-simulator")
    js = nc.jetstream(timeout=10)
    await ensure_streams(js, replicas=Settings().nats_replicas)
    subject = HotlineTicket.subject(county)
    sent = 0
    started = time.perf_counter()
    pending = []
    kinds: dict[str, int] = {"valid": 0, "duplicate": 0, "malformed": 0}
    for kind, body in make_tickets(
        county, towns, count, duplicates=duplicates, malformed=malformed, seed=seed, start=start, span=span
    ):
        kinds[kind] += 1
        pending.append(js.publish(subject, body))
        sent += 1
        if rate > 0:
            await asyncio.gather(*pending)
            pending.clear()
            await asyncio.sleep(max(0.0, started + sent / rate - time.perf_counter()))
        elif len(pending) >= 500:
            await asyncio.gather(*pending)
            pending.clear()
    await asyncio.gather(*pending)
    await nc.drain()
    return {"county": county, "published": sent, **kinds, "seconds": round(time.perf_counter() - started, 3)}


def nats_url_of(args: argparse.Namespace) -> str:
    if args.nats_url:
        return args.nats_url
    run = Path(args.data_dir) / "run.json"
    if run.exists():
        return json.loads(run.read_text())["nats_url"]
    return "nats://127.0.0.1:4222"


def run_simulate(args: argparse.Namespace) -> int:
    from services.tools.demo.counties import towns_of

    if not (0 <= args.duplicates <= 1 and 0 <= args.malformed <= 1) or args.count < 0 or args.rate < 0:
        raise SystemExit("shishi hotline simulate: --duplicates/--malformed are shares in 0..1; --count, --rate ≥ 0")
    start = datetime.fromisoformat(args.start) if args.start else None
    if start is not None and start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    span = timedelta(days=args.span_days) if args.span_days else None
    result = asyncio.run(
        simulate(
            nats_url_of(args),
            args.county,
            towns_of(args.county),
            rate=args.rate,
            count=args.count,
            duplicates=args.duplicates,
            malformed=args.malformed,
            seed=args.seed,
            start=start,
            span=span,
        )
    )
    print(json.dumps(result, ensure_ascii=False))
    return 0
