"""``shishi ballots recount``: anyone with access recounts a closed vote from its published ballots."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    ballots = sub.add_parser("ballots", help="secret ballots: recount a closed vote from the published list")
    inner = ballots.add_subparsers(dest="ballots_command", required=True)
    recount = inner.add_parser("recount", help="recount one round and compare with the declared tally")
    recount.add_argument("session_id", help="the vote session's id")
    recount.add_argument("--round", type=int, default=1, dest="round_no", help="which round of the session")
    recount.add_argument("--origin", default="http://127.0.0.1:8000", help="the product's origin")
    recount.add_argument("--county", required=True, help="the session's county (for a local auditor token)")
    recount.add_argument("--token", default="", help="a bearer token (default: a local auditor token)")
    recount.add_argument(
        "--data-dir", type=Path, default=Path(".shishi"), help="holds the local secret (for the default token)"
    )
    recount.add_argument("--json", action="store_true", help="the recount as JSON")
    recount.set_defaults(func=_recount)


def _recount(args: argparse.Namespace) -> int:
    import httpx

    from shared.auth import issue_token
    from shared.ballots.recount import recount
    from shared.config import Settings

    token = args.token or issue_token(
        Settings(data_dir=args.data_dir).resolved_jwt_secret(),
        subject="cli-recount",
        roles=["auditor"],
        counties=[args.county],
    )
    url = f"{args.origin}/decision/api/sessions/{args.session_id}/rounds/{args.round_no}/ballots"
    r = httpx.get(url, headers={"authorization": f"Bearer {token}"}, timeout=30)
    if r.status_code != 200:
        print(f"shishi: {r.status_code} {r.text[:300]}")
        return 2
    report = recount(r.json())
    if args.json:
        print(json.dumps(report, ensure_ascii=False, sort_keys=True))
    else:
        print(f"ballots: {report['ballots']}  mode: {report['mode']}  matches: {report['matches']}")
        labels = {i["id"]: i["label"] for i in r.json().get("items", [])}
        for item, counts in sorted(report["counts"].items(), key=lambda kv: -kv[1].get("yes", 0)):
            print(f"  {labels.get(item, item)}  " + "  ".join(f"{k}={v}" for k, v in sorted(counts.items())))
        for problem in report["differences"]:
            print(f"  DIFFERENCE {problem}")
    return 0 if report["matches"] else 1
