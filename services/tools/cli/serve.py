"""``shishi serve <service>``: one process, configured from the environment (SHISHI_*)."""

from __future__ import annotations

import argparse
import importlib
import json
import os

import uvicorn

from shared.config import DEFAULT_PORTS, SERVICES, Settings
from shared.runtime.heap import settle_heap

APP_FACTORIES = {name: f"services.{name}.main" for name in SERVICES}


def upstreams_from_env() -> dict[str, str | list[str]]:
    """``SHISHI_UPSTREAMS``: service -> base URL, or -> the base URLs of its replicas."""
    raw = os.environ.get("SHISHI_UPSTREAMS", "")
    if raw:
        return json.loads(raw)
    return {name: f"http://127.0.0.1:{DEFAULT_PORTS[name]}" for name in SERVICES}


def run_serve(args: argparse.Namespace) -> int:
    overrides: dict = {"service": args.service}
    if args.port:
        overrides["port"] = args.port
    if args.host:
        overrides["host"] = args.host
    if args.service != "gateway" and "SHISHI_FOLLOWERS" not in os.environ:
        overrides["followers"] = "process"  # read models, relay, audit log and journal on the second core
    settings = Settings(**overrides)
    if args.service == "gateway":
        from services.gateway.main import create_gateway

        app = create_gateway(settings, upstreams_from_env())
    else:
        app = importlib.import_module(APP_FACTORIES[args.service]).create_app(settings)
    settle_heap()  # what start-up built stays out of every collection; young collections far apart
    uvicorn.run(
        app, host=settings.host, port=settings.port, log_level="warning", access_log=False, timeout_graceful_shutdown=10
    )
    return 0
