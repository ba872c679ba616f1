"""``shishi`` explains itself: ``--version`` from the installed package, and every option of every
command has a help text with its default shown (or the help says what its absence means)."""

from __future__ import annotations

import argparse
import importlib.metadata
import subprocess
import sys
from collections.abc import Iterator

import pytest

from services.tools.cli.main import build_parser


def parsers(parser: argparse.ArgumentParser, path: str = "shishi") -> Iterator[tuple[str, argparse.ArgumentParser]]:
    yield path, parser
    for action in parser._actions:  # noqa: SLF001 - argparse keeps its sub-parsers here
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            for name, sub in action.choices.items():
                yield from parsers(sub, f"{path} {name}")


SKIP = (argparse._HelpAction, argparse._VersionAction, argparse._SubParsersAction)  # noqa: SLF001
ALL = list(parsers(build_parser()))
OPTIONS = [
    (f"{path} {'/'.join(action.option_strings) or action.dest}", parser, action)
    for path, parser in ALL
    for action in parser._actions  # noqa: SLF001
    if not isinstance(action, SKIP)
]


def test_there_are_commands_and_options() -> None:
    assert len(ALL) > 20 and len(OPTIONS) > 70


@pytest.mark.parametrize(("name", "parser", "action"), OPTIONS, ids=[o[0] for o in OPTIONS])
def test_every_option_has_help_and_shows_its_default(
    name: str, parser: argparse.ArgumentParser, action: argparse.Action
) -> None:
    assert action.help and action.help != argparse.SUPPRESS and len(action.help) > 5, f"{name} has no help text"
    shown = " ".join(parser.format_help().split())
    assert " ".join(action.help.split()[:3]) in shown
    is_flag = isinstance(action, argparse._StoreTrueAction)  # noqa: SLF001 - off unless given: no default to show
    if action.option_strings and not action.required and not is_flag:
        if action.default is None:
            assert "default" in action.help, f"{name}: say what happens without it"
        else:
            assert f"(default: {action.default})" in shown or "default:" in action.help, name


def test_version_comes_from_the_installed_package() -> None:
    run = subprocess.run([sys.executable, "-m", "services.tools.cli.main", "--version"], capture_output=True, text=True)
    assert run.returncode == 0
    assert run.stdout.strip() == f"shishi {importlib.metadata.version('shishi')}"


def test_help_shows_the_defaults() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "services.tools.cli.main", "up", "--help"], capture_output=True, text=True, check=True
    )
    text = " ".join(run.stdout.split())
    assert "(default: 8000)" in text and "(default: .shishi)" in text and "(default: 127.0.0.1)" in text
    top = build_parser().format_help()
    for command in ("up", "serve", "report", "audit", "bench", "contracts", "hotline", "--version"):
        assert command in top
