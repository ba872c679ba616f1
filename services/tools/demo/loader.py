"""Loads the demo through the product's own API and hotline (never by writing rows).

Stages run in the order of the yearly loop, county by county; each stage module has
``run(ctx: DemoContext)``. Idempotent: a marker in the data directory records that it ran.
"""

from __future__ import annotations

import importlib
import json
import random
from pathlib import Path

from services.tools.cli.progress import Progress
from services.tools.demo.context import DemoClient, DemoContext
from services.tools.demo.counties import COUNTIES

MARKER = "demo-loaded.json"
STAGES = [
    "services.tools.demo.intake",
    "services.tools.demo.decision",
    "services.tools.demo.supervision",
    "services.tools.demo.evaluation",
    "services.tools.demo.stations",
]


def load_county(origin: str, data_dir: Path, county: str, nats_url: str, bar: Progress | None = None) -> dict:
    ctx = DemoContext(
        client=DemoClient(origin, data_dir, county),
        county=county,
        profile=COUNTIES[county]["demo"],
        nats_url=nats_url,
        data_dir=data_dir,
        rng=random.Random(int(county)),
    )
    bar = bar or Progress.off()
    for stage in STAGES:
        bar.step(f"{COUNTIES[county]['name']} ({county}): {stage.rsplit('.', 1)[-1]}")
        importlib.import_module(stage).run(ctx)
        bar.advance()
    return {"county": county, **{k: v for k, v in ctx.profile.items()}}


def load_demo(origin: str, data_dir: Path, bar: Progress | None = None) -> dict:
    """``bar``: a progress bar (one step per county and stage); without one, a line per county."""
    marker = data_dir / MARKER
    if marker.exists():
        print("shishi: demo already loaded", flush=True)
        return json.loads(marker.read_text())
    nats_url = json.loads((data_dir / "run.json").read_text())["nats_url"]
    bar = bar or Progress.off()
    bar.task("demo", total=len(COUNTIES) * len(STAGES))
    loaded = []
    for county, info in COUNTIES.items():
        if not bar.shown:
            print(f"shishi: loading the demo county {info['name']} ({county}) through the API ...", flush=True)
        loaded.append(load_county(origin, data_dir, county, nats_url, bar))
    result = {"counties": loaded}
    marker.write_text(json.dumps(result, ensure_ascii=False))
    print("shishi: demo loaded", flush=True)
    return result
