"""``shishi serve <service>``."""

from __future__ import annotations

import argparse

from shared.config import SERVICES


def register(sub: argparse._SubParsersAction) -> None:
    serve = sub.add_parser("serve", help="run one service (or the gateway) in this process")
    serve.add_argument("service", choices=[*SERVICES, "gateway"])
    serve.add_argument("--port", type=int, default=0)
    serve.add_argument("--host", default=None)
    serve.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from services.tools.cli.serve import run_serve

    return run_serve(args)
