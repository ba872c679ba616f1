"""``shishi bench ...``: benchmarks, each quoted as a ratio to a raw baseline measured in the same run."""

from __future__ import annotations

import argparse
from pathlib import Path


def client_levels(text: str) -> list[int]:
    """``1,10,50`` -> [1, 10, 50]: numbers of concurrent clients, each at least 1."""
    try:
        levels = [int(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text!r}") from exc
    if not levels or min(levels) < 1:
        raise argparse.ArgumentTypeError("each number of clients must be at least 1")
    return levels


def register(sub: argparse._SubParsersAction) -> None:
    bench = sub.add_parser("bench", help="benchmarks (ratios against a raw baseline in the same run)")
    bsub = bench.add_subparsers(dest="action", required=True)
    pipe = bsub.add_parser("pipeline", help="hotline ticket -> intake -> outbound event, vs a raw ceiling")
    pipe.add_argument("--events", type=int, default=5000, help="tickets to send through each path")
    pipe.add_argument(
        "--rate",
        type=float,
        default=None,
        help="offer tickets at this fixed rate (tickets/s); default: as fast as the broker takes them",
    )
    pipe.add_argument(
        "--seconds", type=float, default=None, help="with --rate: how long to offer (default: --events / --rate)"
    )
    pipe.add_argument("--json", action="store_true", help="one JSON line instead of a table (and no progress bar)")
    pipe.add_argument("--data-dir", type=Path, default=None, help="default: a temporary directory")
    pipe.set_defaults(func=_run_pipeline)
    http = bsub.add_parser("http", help="POST /intake/api/demands through the gateway, vs a raw FastAPI insert")
    http.add_argument(
        "--clients", type=client_levels, default=[1, 10, 50], help="concurrent clients, comma-separated levels"
    )
    http.add_argument("--seconds", type=float, default=10.0, help="how long each path is loaded at each level")
    http.add_argument("--json", action="store_true", help="one JSON line instead of a table (and no progress bar)")
    http.add_argument("--data-dir", type=Path, default=None, help="default: a temporary directory")
    http.set_defaults(func=_run_http)
    views = bsub.add_parser("views", help="province roll-up, staff queue, tracking and project pages at scale")
    views.add_argument("--counties", type=int, default=100, help="counties the demands are spread over")
    views.add_argument("--demands", type=int, default=1_000_000, help="demands to fill intake's store with")
    views.add_argument("--samples", type=int, default=200, help="requests timed for each read")
    views.add_argument("--json", action="store_true", help="one JSON line instead of a table (and no progress bar)")
    views.add_argument(
        "--data-dir", type=Path, default=None, help="default: a temporary directory; given again: reused"
    )
    views.set_defaults(func=_run_views)
    replay = bsub.add_parser("replay", help="audit: verify, read-model rebuild and as-of vs a raw store read")
    replay.add_argument("--events", type=int, default=20000, help="events to fill the store with")
    replay.add_argument("--json", action="store_true", help="one JSON line instead of a table (and no progress bar)")
    replay.add_argument("--data-dir", type=Path, default=None, help="default: a temporary directory")
    replay.set_defaults(func=_run_replay)


def _run_pipeline(args: argparse.Namespace) -> int:
    from services.tools.cli.bench import run_pipeline

    return run_pipeline(args)


def _run_http(args: argparse.Namespace) -> int:
    from services.tools.cli.bench import run_http

    return run_http(args)


def _run_views(args: argparse.Namespace) -> int:
    from services.tools.cli.bench import run_views

    return run_views(args)


def _run_replay(args: argparse.Namespace) -> int:
    from services.tools.bench.replay import run_replay

    return run_replay(args)
