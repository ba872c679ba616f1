"""``shishi contracts export``."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    contracts = sub.add_parser("contracts", help="published contracts")
    csub = contracts.add_subparsers(dest="action", required=True)
    export = csub.add_parser("export", help="write JSON Schema for every event and an AsyncAPI 3.1 document")
    export.add_argument("--out", type=Path, default=Path("shared/contracts/schema"), help="folder to write into")
    export.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from shared.bus.contracts_export import run_export

    return run_export(args.out)
