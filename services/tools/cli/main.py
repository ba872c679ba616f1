"""``shishi``: run the product, issue tokens, export contracts, simulate the hotline, benchmark ...

Each command lives in its own module under ``shared/cli/commands`` (or a service's ``cli.py``)
with ``register(subparsers)``; this file only lists them.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable
from pathlib import Path

DEFAULT_DATA_DIR = Path(".shishi")

# Modules with `register(subparsers) -> None`; each parser sets `func=<callable(args) -> int>`.
COMMAND_MODULES = [
    "services.tools.cli.commands.up",
    "services.tools.cli.commands.serve",
    "services.tools.cli.commands.followers",
    "services.tools.cli.commands.token",
    "services.tools.cli.commands.contracts",
    "services.tools.cli.commands.hotline",
    "services.tools.cli.commands.bench",
    "services.tools.cli.commands.report",
    "services.tools.cli.commands.audit",
    "services.tools.cli.commands.supervision",
    "services.tools.cli.commands.ballots",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="shishi", description="Shishi (实事): 民生实事项目人大代表票决制")
    sub = parser.add_subparsers(dest="command", required=True)
    for module in COMMAND_MODULES:
        importlib.import_module(module).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    return int(func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
