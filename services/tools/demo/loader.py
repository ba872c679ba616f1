"""Loads the demo through the product's own API and hotline (never by writing rows).

Stages run in the order of the yearly loop within each county; the seven counties load at the
same time (one thread each: a county's calls wait on the services, which meanwhile serve the
others; the services save concurrent submissions together). Each stage module has
``run(ctx: DemoContext)``. Within a county, once intake's stage is done, the stations stage's
registries and receptions (``stations.registers``) run beside decision → supervision → evaluation:
neither side needs what the other makes. That side has a client of its own (a client's business time
is its own: ``DemoClient.at``) and a random stream of its own (the other side's draws stay the
same whatever the threads' timing); its posters, which print the project sites too, come last.
Idempotent: a marker in the data directory records that it ran.
"""

from __future__ import annotations

import importlib
import json
import random
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from services.tools.cli.progress import Progress
from services.tools.demo import stations
from services.tools.demo.context import DemoClient, DemoContext
from services.tools.demo.counties import COUNTIES
from shared.web.demo_status import mark_loaded, mark_loading

MARKER = "demo-loaded.json"
STATIONS = "services.tools.demo.stations"  # beside the others from decision on (its posters last)
STAGES = [
    "services.tools.demo.intake",
    "services.tools.demo.decision",
    "services.tools.demo.supervision",
    "services.tools.demo.evaluation",
    STATIONS,
]


def load_county(
    origin: str,
    data_dir: Path,
    county: str,
    nats_url: str,
    bar: Progress | None = None,
    stage_done: Callable[[], None] | None = None,
    upstreams: Mapping[str, str | list[str]] | None = None,
) -> dict:
    """``upstreams``: each service's own address; its calls then go straight to it (``ServiceRoutes``)."""
    ctx = DemoContext(
        client=DemoClient(origin, data_dir, county, upstreams),
        county=county,
        profile=COUNTIES[county]["demo"],
        nats_url=nats_url,
        data_dir=data_dir,
        rng=random.Random(int(county)),
    )
    bar = bar or Progress.off()

    def done() -> None:
        bar.advance()
        if stage_done is not None:
            stage_done()

    def run(stage: str) -> None:
        bar.step(f"{COUNTIES[county]['name']} ({county}): {stage.rsplit('.', 1)[-1]}")
        importlib.import_module(stage).run(ctx)
        done()

    run(STAGES[0])  # intake: the demands every other stage works on
    aside = replace(
        ctx, client=DemoClient(origin, data_dir, county, upstreams), rng=random.Random(f"{county}:stations")
    )
    pool_read, given_up = threading.Event(), threading.Event()
    ctx.state["pool_read"] = pool_read  # set by the decision stage (see stations.registers)

    def beside() -> None:
        pool_read.wait()
        if not given_up.is_set():
            stations.registers(aside)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"demo-{county}-stations") as pool:
        registers = pool.submit(beside)
        try:
            for stage in STAGES[1:]:
                if stage != STATIONS:
                    run(stage)
        except BaseException:
            given_up.set()
            raise
        finally:
            pool_read.set()
        registers.result()
    stations.posters(aside)
    done()
    return {"county": county, **{k: v for k, v in ctx.profile.items()}}


def load_demo(origin: str, data_dir: Path, bar: Progress | None = None) -> dict:
    """``bar``: a progress bar (one step per county and stage); without one, a line per county."""
    marker = data_dir / MARKER
    if marker.exists():
        print("shishi: demo already loaded", flush=True)
        return json.loads(marker.read_text())
    run = json.loads((data_dir / "run.json").read_text())
    nats_url, upstreams = run["nats_url"], run.get("upstreams")
    bar = bar or Progress.off()
    total = len(COUNTIES) * len(STAGES)
    bar.task("demo", total=total)
    done = 0
    counting = threading.Lock()

    def stage_done() -> None:  # the pages' banner says how far the demo is
        nonlocal done
        with counting:
            done += 1
            mark_loading(data_dir, done, total)

    mark_loading(data_dir, 0, total)

    def one(county: str) -> dict:
        if not bar.shown:
            name = COUNTIES[county]["name"]
            print(f"shishi: loading the demo county {name} ({county}) through the API ...", flush=True)
        return load_county(origin, data_dir, county, nats_url, bar, stage_done, upstreams)

    try:
        with ThreadPoolExecutor(max_workers=len(COUNTIES), thread_name_prefix="demo") as pool:
            loaded = list(pool.map(one, COUNTIES))  # in the registry's order; the first failure is raised
    finally:
        mark_loaded(data_dir)  # loaded, or failed (the reason is printed): no page says "loading" any more
    result = {"counties": loaded}
    marker.write_text(json.dumps(result, ensure_ascii=False))
    print("shishi: demo loaded", flush=True)
    return result
