"""``shishi serve <service>``."""

from __future__ import annotations

import argparse

from shared.config import SERVICES


def register(sub: argparse._SubParsersAction) -> None:
    serve = sub.add_parser("serve", help="run one service (or the gateway) in this process")
    serve.add_argument("service", choices=[*SERVICES, "gateway"], help="which process to run")
    serve.add_argument("--port", type=int, default=0, help="port to listen on (default: SHISHI_PORT, else 8000)")
    serve.add_argument("--host", default=None, help="address to listen on (default: SHISHI_HOST, else 127.0.0.1)")
    serve.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from services.tools.cli.serve import run_serve

    return run_serve(args)
