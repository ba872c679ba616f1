"""``shishi``: run the product, issue tokens, export contracts, simulate the hotline, benchmark."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from shared.config import SERVICES

DEFAULT_DATA_DIR = Path(".shishi")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="shishi", description="Shishi (实事): 民生实事项目人大代表票决制")
    sub = parser.add_subparsers(dest="command", required=True)

    up = sub.add_parser("up", help="run NATS, the four services and the web origin on this machine")
    up.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    up.add_argument("--port", type=int, default=8000, help="the origin's port (services use the next four)")
    up.add_argument("--host", default="127.0.0.1")
    up.add_argument("--nats-port", type=int, default=0, help="default: 4222, or a free port if that is taken")
    up.add_argument("--demo", action="store_true", help="load the demo counties through the product's own API")
    up.add_argument("--persistence", choices=["sqlite", "postgres"], default=None)

    serve = sub.add_parser("serve", help="run one service (or the gateway) in this process")
    serve.add_argument("service", choices=[*SERVICES, "gateway"])
    serve.add_argument("--port", type=int, default=0)
    serve.add_argument("--host", default=None)

    token = sub.add_parser("token", help="issue a local token (development and tests)")
    token.add_argument("--role", required=True)
    token.add_argument("--county", action="append", required=True, help="county code or scope (repeatable)")
    token.add_argument("--name", default="")
    token.add_argument("--subject", default="")
    token.add_argument("--hours", type=float, default=12)
    token.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)

    contracts = sub.add_parser("contracts", help="published contracts")
    csub = contracts.add_subparsers(dest="action", required=True)
    export = csub.add_parser("export", help="write JSON Schema for every event and an AsyncAPI 3 document")
    export.add_argument("--out", type=Path, default=Path("shared/contracts/schema"))

    hotline = sub.add_parser("hotline", help="the 12345 hotline side")
    hsub = hotline.add_subparsers(dest="action", required=True)
    sim = hsub.add_parser("simulate", help="publish hotline tickets, as the 12345 platform would")
    sim.add_argument("--county", required=True)
    sim.add_argument("--rate", type=float, default=10.0, help="tickets per second (0: as fast as possible)")
    sim.add_argument("--count", type=int, default=10)
    sim.add_argument("--duplicates", type=float, default=0.0, help="share of tickets sent twice (0..1)")
    sim.add_argument("--malformed", type=float, default=0.0, help="share of malformed tickets (0..1)")
    sim.add_argument("--seed", type=int, default=12345)
    sim.add_argument("--nats-url", default="")
    sim.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)

    bench = sub.add_parser("bench", help="benchmarks (ratios against a raw baseline in the same run)")
    bsub = bench.add_subparsers(dest="action", required=True)
    pipe = bsub.add_parser("pipeline", help="hotline ticket -> intake -> outbound event, vs a raw ceiling")
    pipe.add_argument("--events", type=int, default=5000)
    pipe.add_argument("--json", action="store_true")
    pipe.add_argument("--data-dir", type=Path, default=None, help="default: a temporary directory")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "up":
        from shared.cli.up import run_up

        return run_up(args)
    if args.command == "serve":
        from shared.cli.serve import run_serve

        return run_serve(args)
    if args.command == "token":
        from shared.cli.token import run_token

        return run_token(args)
    if args.command == "contracts":
        from shared.contracts.export import run_export

        return run_export(args.out)
    if args.command == "hotline":
        from shared.cli.hotline import run_simulate

        return run_simulate(args)
    if args.command == "bench":
        from shared.cli.bench import run_pipeline

        return run_pipeline(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
