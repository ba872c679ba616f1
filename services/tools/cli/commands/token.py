"""``shishi token``."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    token = sub.add_parser("token", help="issue a local token (development and tests)")
    token.add_argument(
        "--role", required=True, help="resident, deputy, gov_unit, congress_staff, auditor, province_viewer or admin"
    )
    token.add_argument("--county", action="append", required=True, help="county code or scope (repeatable)")
    token.add_argument("--name", default="", help="the holder's display name (default: none)")
    token.add_argument(
        "--subject", default="", help="the token's subject (default: derived from role and name, else random)"
    )
    token.add_argument("--hours", type=float, default=12, help="how long the token is valid")
    token.add_argument("--data-dir", type=Path, default=Path(".shishi"), help="holds the local signing secret")
    token.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from services.tools.cli.token import run_token

    return run_token(args)
