"""Demo stage: residents' demands from every channel, and 12345 tickets through the hotline."""

from __future__ import annotations

import asyncio

from shared.cli.hotline import TEXTS, simulate
from shared.demo.context import DemoContext
from shared.demo.counties import towns_of

CHANNELS = ["web", "web", "web", "liaison_station", "deputy_suggestion", "department_list"]


def run(ctx: DemoContext) -> None:
    c, rng, towns = ctx.client, ctx.rng, towns_of(ctx.county)
    demands = ctx.profile["demands"]
    for n in range(demands):
        category, text = TEXTS[rng.randrange(len(TEXTS))]
        town = towns[rng.randrange(len(towns))]
        channel = CHANNELS[n % len(CHANNELS)]
        body = {"county": ctx.county, "channel": channel, "town": town, "category": category,
                "text": text.format(town=town), "name": f"居民{n:03d}", "phone": f"139{rng.randrange(10**8):08d}"}
        c.call("POST", "/intake/api/demands", None if channel == "web" else "deputy", json=body)
    tickets = ctx.profile["tickets"]
    asyncio.run(simulate(ctx.nats_url, ctx.county, towns, rate=0, count=tickets, duplicates=0.05,
                         malformed=0.03, seed=int(ctx.county)))
    ctx.state["submitted"] = demands
