"""``shishi bench pipeline``: own nats-server, own data directory, one report."""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
from pathlib import Path

from services.tools.bench.pipeline import run_pipeline_bench
from services.tools.cli.progress import progress
from shared.bus.server import NatsServer, free_port


def run_pipeline(args: argparse.Namespace) -> int:
    if args.events < 1:
        print("bench pipeline: --events must be at least 1", file=sys.stderr)
        return 2
    work = Path(args.data_dir) if args.data_dir else Path(tempfile.mkdtemp(prefix="shishi-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    server = NatsServer(work / "nats", port=free_port(), name="shishi-bench")
    try:
        server.start()
        with progress(args.json) as bar:
            report = asyncio.run(run_pipeline_bench(server.url, work, args.events, bar))
    except RuntimeError as exc:
        print(f"bench pipeline failed: {exc}", file=sys.stderr)
        return 1
    finally:
        server.stop()
        if not args.data_dir:
            shutil.rmtree(work, ignore_errors=True)
    print(report.json_line() if args.json else report.table())
    return 0
