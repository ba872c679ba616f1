"""``shishi bench ...``: benchmarks, each quoted as a ratio to a raw baseline measured in the same run."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    bench = sub.add_parser("bench", help="benchmarks (ratios against a raw baseline in the same run)")
    bsub = bench.add_subparsers(dest="action", required=True)
    pipe = bsub.add_parser("pipeline", help="hotline ticket -> intake -> outbound event, vs a raw ceiling")
    pipe.add_argument("--events", type=int, default=5000, help="tickets to send through each path")
    pipe.add_argument("--json", action="store_true", help="one JSON line instead of a table (and no progress bar)")
    pipe.add_argument("--data-dir", type=Path, default=None, help="default: a temporary directory")
    pipe.set_defaults(func=_run_pipeline)
    replay = bsub.add_parser("replay", help="audit: verify, read-model rebuild and as-of vs a raw store read")
    replay.add_argument("--events", type=int, default=20000, help="events to fill the store with")
    replay.add_argument("--json", action="store_true", help="one JSON line instead of a table (and no progress bar)")
    replay.add_argument("--data-dir", type=Path, default=None, help="default: a temporary directory")
    replay.set_defaults(func=_run_replay)


def _run_pipeline(args: argparse.Namespace) -> int:
    from services.tools.cli.bench import run_pipeline

    return run_pipeline(args)


def _run_replay(args: argparse.Namespace) -> int:
    from services.tools.bench.replay import run_replay

    return run_replay(args)
