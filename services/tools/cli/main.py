"""``shishi``: run the product, issue tokens, export contracts, simulate the hotline, benchmark ...

Each command lives in its own module under ``services/tools/cli/commands`` with ``register(subparsers)``;
this file only lists them. Every option has a help text, and its default is shown after it
(``tests/component/test_cli_help.py`` holds every command to that).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

DEFAULT_DATA_DIR = Path(".shishi")

# Modules with `register(subparsers) -> None`; each parser sets `func=<callable(args) -> int>`.
COMMAND_MODULES = [
    "services.tools.cli.commands.up",
    "services.tools.cli.commands.serve",
    "services.tools.cli.commands.health",
    "services.tools.cli.commands.followers",
    "services.tools.cli.commands.token",
    "services.tools.cli.commands.contracts",
    "services.tools.cli.commands.hotline",
    "services.tools.cli.commands.bench",
    "services.tools.cli.commands.report",
    "services.tools.cli.commands.audit",
    "services.tools.cli.commands.supervision",
    "services.tools.cli.commands.ballots",
    "services.tools.cli.commands.similarity",
]


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Every option's default after its help, unless there is none to show (a flag, an option whose
    absence the help explains, a required one) or the help already says it."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if (
            "%(default)" in text
            or "default:" in text
            or action.default is None
            or action.default is False  # a flag (0 == False: compared by identity)
            or action.default == argparse.SUPPRESS
            or action.required
            or not action.option_strings
        ):
            return text
        return f"{text} (default: %(default)s)"


class Parser(argparse.ArgumentParser):
    """Every parser and sub-parser of ``shishi`` shows defaults the same way."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)


def version() -> str:
    try:
        return importlib.metadata.version("shishi")
    except importlib.metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed: pip install -e .)"


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="shishi", description="Shishi (实事): 民生实事项目人大代表票决制")
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}", help="print the version")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser, metavar="COMMAND")
    for module in COMMAND_MODULES:
        importlib.import_module(module).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    return int(func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
