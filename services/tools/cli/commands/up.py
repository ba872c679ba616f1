"""``shishi up``."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    up = sub.add_parser("up", help="run NATS, the four services and the web origin on this machine")
    up.add_argument("--data-dir", type=Path, default=Path(".shishi"), help="where the stores, logs and secrets live")
    up.add_argument("--port", type=int, default=8000, help="the origin's port (services use the next four)")
    up.add_argument("--host", default="127.0.0.1", help="the address the origin listens on")
    up.add_argument(
        "--nats-port", type=int, default=0, help="NATS port (default: 4222, or a free port if that is taken)"
    )
    up.add_argument("--demo", action="store_true", help="load the demo counties through the product's own API")
    up.add_argument(
        "--persistence",
        choices=["sqlite", "postgres"],
        default=None,
        help="the event stores' backend (default: SHISHI_PERSISTENCE, else sqlite)",
    )
    up.add_argument(
        "--cluster",
        action="store_true",
        help="a cluster on this machine: 3 NATS nodes, PostgreSQL, 2 replicas of each service "
        "(--nats-nodes 3 --replicas 2)",
    )
    up.add_argument(
        "--nats-nodes",
        type=int,
        choices=range(1, 6),
        default=None,
        help="nats-server nodes (default: 1, 3 with --cluster)",
    )
    up.add_argument(
        "--replicas",
        type=int,
        choices=range(1, 6),
        default=None,
        help="replicas of each service, sharing one PostgreSQL database (default: 1, 2 with --cluster)",
    )
    up.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from services.tools.cli.up import run_up

    return run_up(args)
