"""``shishi audit verify | replay | export | public-key``: tamper evidence and time travel, offline."""

from __future__ import annotations

import argparse
from pathlib import Path

from shared.config import SERVICES


def register(sub: argparse._SubParsersAction) -> None:
    audit = sub.add_parser("audit", help="verify the Merkle logs, replay any moment, export audit bundles")
    asub = audit.add_subparsers(dest="action", required=True)

    verify = asub.add_parser("verify", help="check every stored event against the signed checkpoints (exit 1 if not)")
    source = verify.add_mutually_exclusive_group()
    source.add_argument("--data-dir", type=Path, default=Path(".shishi"), help="the stores to verify")
    source.add_argument(
        "--bundle", type=Path, default=None, help="verify an exported bundle directory instead (default: none)"
    )
    verify.add_argument(
        "--public-key",
        "--key",
        dest="public_key",
        action="append",
        metavar="SERVICE=KEY",
        help="the service's public key (base64) as published earlier: a swapped key fails; repeatable "
        "(default: the pinned key, or a bundle's own)",
    )
    verify.add_argument(
        "--checkpoint",
        action="append",
        type=Path,
        metavar="FILE",
        help="a checkpoint (or the list GET /<service>/api/audit/checkpoints gave) kept earlier: "
        "a rewritten, re-signed or rolled-back history fails; repeatable (default: the pinned checkpoints)",
    )
    verify.add_argument(
        "--pins",
        type=Path,
        default=None,
        help="where keys and checkpoints are pinned on first use (default: $SHISHI_AUDIT_PINS or "
        "~/.config/shishi/pins.json)",
    )
    verify.add_argument("--no-pin", action="store_true", help="neither read nor write the pin file")
    verify.add_argument(
        "--nats",
        default=None,
        metavar="URL",
        help="also check the checkpoints published on NATS (stream AUDIT) against the stores (default: do not)",
    )
    verify.add_argument("--json", action="store_true", help="the report as JSON (and no progress bar)")
    verify.set_defaults(func=_verify)

    replay = asub.add_parser("replay", help="read models, or one aggregate, as of a past moment")
    replay.add_argument(
        "--as-of", default=None, help="ISO date or time, a date meaning the end of that day, China time (default: now)"
    )
    replay.add_argument(
        "--aggregate", default=None, help="one aggregate id: its state then and its history (default: every read model)"
    )
    replay.add_argument(
        "--service", action="append", choices=list(SERVICES), help="only this service; repeatable (default: all four)"
    )
    replay.add_argument("--county", default=None, help="only this county's read models (default: every county)")
    replay.add_argument(
        "--basis",
        choices=["business", "recorded", "occurred"],
        default="business",
        help="business time (when each event happened) or recorded time (when it was stored); "
        "occurred is the older name of business (default: business)",
    )
    replay.add_argument("--data-dir", type=Path, default=Path(".shishi"), help="the stores to replay")
    replay.add_argument("--json", action="store_true", help="the result as JSON (and no progress bar)")
    replay.set_defaults(func=_replay)

    export = asub.add_parser("export", help="a county's events of one year with checkpoints and proofs")
    export.add_argument("--county", required=True, help="the county's 6-digit code")
    export.add_argument("--year", type=int, required=True, help="the year whose events are exported")
    export.add_argument("--out", type=Path, default=None, help="the bundle's folder (default: ./audit-<county>-<year>)")
    export.add_argument(
        "--basis",
        choices=["business", "recorded"],
        default="business",
        help="the year of each event's business time (when it happened) or recorded time (when it was stored), "
        "China time (default: business)",
    )
    export.add_argument("--data-dir", type=Path, default=Path(".shishi"), help="the stores to export from")
    export.set_defaults(func=_export)

    restore = asub.add_parser(
        "restore",
        help="rebuild event stores from the NATS journal alone, into an empty "
        "data dir (then replay or compare read models there)",
    )
    restore.add_argument("--data-dir", type=Path, required=True, help="where to write the restored stores")
    restore.add_argument(
        "--nats",
        default=None,
        metavar="URL",
        help="NATS to read the journal from (default: SHISHI_NATS_URL; user and password: SHISHI_NATS_USER/_PASSWORD)",
    )
    restore.add_argument(
        "--service", action="append", choices=list(SERVICES), help="only this service; repeatable (default: all four)"
    )
    restore.add_argument("--json", action="store_true", help="the counts as JSON (and no progress bar)")
    restore.set_defaults(func=_restore)

    key = asub.add_parser("public-key", help="print each service's checkpoint-signing public key")
    key.add_argument(
        "--service", action="append", choices=list(SERVICES), help="only this service; repeatable (default: all four)"
    )
    key.add_argument("--data-dir", type=Path, default=Path(".shishi"), help="holds the keys (audit/)")
    key.set_defaults(func=_public_key)


def _verify(args: argparse.Namespace) -> int:
    from services.tools.audit.commands import run_verify

    return run_verify(args)


def _replay(args: argparse.Namespace) -> int:
    from services.tools.audit.commands import run_replay

    return run_replay(args)


def _export(args: argparse.Namespace) -> int:
    from services.tools.audit.commands import run_export

    return run_export(args)


def _public_key(args: argparse.Namespace) -> int:
    from services.tools.audit.commands import run_public_key

    return run_public_key(args)


def _restore(args: argparse.Namespace) -> int:
    from services.tools.audit.commands import run_restore

    return run_restore(args)
