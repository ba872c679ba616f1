"""``shishi report``: the year's evaluation report of a county (or of every county under a prefix
such as ``4407*``), HTML or PDF, from the stores under ``--data-dir`` (no running service)."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    report = sub.add_parser("report", help="annual evaluation report (HTML or PDF) from the stored events")
    report.add_argument("--county", required=True, help="a county code (440781) or a prefix with * (4407*, 44*)")
    report.add_argument("--year", type=int, required=True, help="the year whose projects are reported")
    report.add_argument("--format", choices=("pdf", "html"), default="pdf", help="PDF (fonts embedded) or HTML")
    report.add_argument("--output", type=Path, required=True, help="the file to write")
    report.add_argument("--data-dir", type=Path, default=Path(".shishi"), help="holds the evaluation store")
    report.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    if not re.fullmatch(r"\d{6}|\d{1,5}\*", args.county):
        print("shishi report: --county must be a 6-digit code or a prefix ending in * (e.g. 4407*)")
        return 2
    if not (args.data_dir / "evaluation").exists():
        print(f"shishi report: no evaluation store under {args.data_dir}")
        return 2
    from services.evaluation.main import annual_report
    from services.tools.cli.progress import progress
    from shared.web.pdf_fonts import FontUnavailable

    try:
        with progress() as bar:
            stages: list[str] = []

            def heard(stage: str, done: int, total: int) -> None:
                if stage not in stages:
                    stages.append(stage)
                    bar.task(stage, total=total)
                bar.update(done, total)

            content = annual_report(args.data_dir, args.county, args.year, args.format, heard)
    except FontUnavailable as exc:
        print(f"shishi report: {exc}", file=sys.stderr)
        return 1
    if content is None:
        print(f"shishi report: no data for {args.county} in {args.year}")
        return 1
    args.output.write_bytes(content)
    print(f"shishi report: wrote {args.output} ({len(content)} bytes)")
    return 0
