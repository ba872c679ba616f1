"""``shishi health``: is the Shishi process on this machine's port ready? The container image's
HEALTHCHECK (one image for every service: without ``--service`` any of them answering 200 counts)."""

from __future__ import annotations

import argparse
import os

from shared.config import SERVICES


def register(sub: argparse._SubParsersAction) -> None:
    health = sub.add_parser("health", help="exit 0 when the service (or gateway) on this port answers ready")
    health.add_argument(
        "--service",
        choices=[*SERVICES, "gateway"],
        default=None,
        help="the one to ask, at /<service>/healthz or the gateway's /healthz (default: whichever runs here)",
    )
    port = int(os.environ.get("SHISHI_PORT") or 8000)
    health.add_argument("--port", type=int, default=port, help="the port it listens on (SHISHI_PORT, else 8000)")
    health.add_argument("--host", default="127.0.0.1", help="the address to ask")
    health.add_argument("--timeout", type=float, default=4.0, help="seconds to wait for each answer")
    health.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    import urllib.error
    import urllib.request

    names = [args.service] if args.service else ["gateway", *SERVICES]  # the gateway first: it proxies the others
    for name in names:
        path = "/healthz" if name == "gateway" else f"/{name}/healthz"
        try:
            with urllib.request.urlopen(f"http://{args.host}:{args.port}{path}", timeout=args.timeout) as answer:
                print(f"{name}: ready ({answer.status})")
                return 0
        except urllib.error.HTTPError as exc:
            if exc.code != 404:  # it is the one running here, and it is not ready
                print(f"{name}: not ready ({exc.code})")
                return 1
        except (urllib.error.URLError, OSError):
            break  # nothing listens: no point asking the other paths
    print(f"not ready: nothing answered on {args.host}:{args.port} ({', '.join(names)})")
    return 1
