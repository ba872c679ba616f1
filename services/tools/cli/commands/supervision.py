"""``shishi supervision sweep``: run a county's early-warning sweep on the running product."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    sup = sub.add_parser("supervision", help="implementation supervision (实施监督)")
    ssub = sup.add_subparsers(dest="action", required=True)
    sweep = ssub.add_parser("sweep", help="raise the warnings due on NOW for a county (idempotent)")
    sweep.add_argument("--county", required=True, help="the county's 6-digit code")
    sweep.add_argument("--now", default="", help="ISO date or datetime (default: the service's clock)")
    sweep.add_argument("--origin", default="", help="default: the running product's origin from --data-dir")
    sweep.add_argument(
        "--data-dir", type=Path, default=Path(".shishi"), help="the running product's data dir (its secret and origin)"
    )
    sweep.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    import json

    import httpx

    from shared.auth import issue_token
    from shared.config import Settings

    origin = args.origin or json.loads((args.data_dir / "run.json").read_text())["origin"]
    token = issue_token(
        Settings(data_dir=args.data_dir).resolved_jwt_secret(),
        subject="cli-sweep",
        roles=["congress_staff"],
        counties=[args.county],
        name="shishi supervision sweep",
    )
    params = {"now": args.now} if args.now else {}
    r = httpx.post(
        f"{origin}/supervision/api/counties/{args.county}/sweep",
        params=params,
        headers={"authorization": f"Bearer {token}"},
        timeout=120,
    )
    print(json.dumps(r.json(), ensure_ascii=False, indent=2))
    return 0 if r.status_code < 400 else 1
