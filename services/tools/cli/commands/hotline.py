"""``shishi hotline simulate``."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    hotline = sub.add_parser("hotline", help="the 12345 hotline side")
    hsub = hotline.add_subparsers(dest="action", required=True)
    sim = hsub.add_parser("simulate", help="publish hotline tickets, as the 12345 platform would")
    sim.add_argument("--county", required=True, help="the county's 6-digit code")
    sim.add_argument("--rate", type=float, default=10.0, help="tickets per second (0: as fast as possible)")
    sim.add_argument("--count", type=int, default=10, help="how many tickets")
    sim.add_argument("--duplicates", type=float, default=0.0, help="share of tickets sent twice (0..1)")
    sim.add_argument("--malformed", type=float, default=0.0, help="share of malformed tickets (0..1)")
    sim.add_argument("--seed", type=int, default=12345, help="random seed (the same seed sends the same tickets)")
    sim.add_argument("--start", default="", help="received_at of the first ticket (ISO date; default: a day ago)")
    sim.add_argument("--span-days", type=float, default=0.0, help="spread the tickets over this many days")
    sim.add_argument("--nats-url", default="", help="NATS (default: the running product's, from --data-dir/run.json)")
    sim.add_argument("--data-dir", type=Path, default=Path(".shishi"), help="the running product's data dir")
    sim.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from services.tools.cli.hotline import run_simulate

    return run_simulate(args)
