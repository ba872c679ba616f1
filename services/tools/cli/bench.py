"""``shishi bench pipeline|http``: own nats-server, own data directory, one report."""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

from services.tools.bench.http import run_http_bench
from services.tools.bench.pipeline import run_pipeline_bench
from services.tools.bench.views import run_views_bench
from services.tools.cli.progress import progress
from shared.bus.server import NatsServer, free_port


class Reported(Protocol):
    def json_line(self) -> str: ...

    def table(self) -> str: ...


@contextmanager
def bench_nats(args: argparse.Namespace, prefix: str) -> Iterator[tuple[str, Path]]:
    """A nats-server of the benchmark's own (durable: fsync always) in ``--data-dir`` or a temporary one."""
    work = Path(args.data_dir) if args.data_dir else Path(tempfile.mkdtemp(prefix=prefix))
    work.mkdir(parents=True, exist_ok=True)
    server = NatsServer(work / "nats", port=free_port(), name="shishi-bench")
    try:
        server.start()
        yield server.url, work
    finally:
        server.stop()
        if not args.data_dir:
            shutil.rmtree(work, ignore_errors=True)


def _report(name: str, args: argparse.Namespace, measure: Callable[[str, Path], Reported]) -> int:
    try:
        with bench_nats(args, f"shishi-bench-{name}-") as (url, work):
            report = measure(url, work)
    except RuntimeError as exc:
        print(f"bench {name} failed: {exc}", file=sys.stderr)
        return 1
    print(report.json_line() if args.json else report.table())
    return 0


def run_pipeline(args: argparse.Namespace) -> int:
    if args.events < 1:
        print("bench pipeline: --events must be at least 1", file=sys.stderr)
        return 2
    if args.rate is not None and args.rate <= 0:
        print("bench pipeline: --rate must be above 0", file=sys.stderr)
        return 2
    events = args.events
    if args.rate is not None and args.seconds is not None:
        events = max(1, round(args.rate * args.seconds))

    def measure(url: str, work: Path) -> Reported:
        with progress(args.json) as bar:
            return asyncio.run(run_pipeline_bench(url, work, events, bar, rate=args.rate))

    return _report("pipeline", args, measure)


def run_http(args: argparse.Namespace) -> int:
    if args.seconds <= 0:
        print("bench http: --seconds must be above 0", file=sys.stderr)
        return 2

    def measure(url: str, work: Path) -> Reported:
        with progress(args.json) as bar:
            return run_http_bench(url, work, args.clients, args.seconds, bar)

    return _report("http", args, measure)


def run_views(args: argparse.Namespace) -> int:
    if args.counties < 1 or args.demands < args.counties or args.samples < 1:
        print("bench views: --counties, --samples at least 1, --demands at least --counties", file=sys.stderr)
        return 2
    from shared import divisions

    if args.counties > len(divisions.registry().counties):
        print(f"bench views: at most {len(divisions.registry().counties)} counties", file=sys.stderr)
        return 2

    def measure(url: str, work: Path) -> Reported:
        with progress(args.json) as bar:
            return run_views_bench(url, work, args.counties, args.demands, args.samples, bar)

    return _report("views", args, measure)
