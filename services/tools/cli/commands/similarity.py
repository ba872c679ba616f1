"""``shishi similarity measure``: precision and recall of intake's duplicate suggestions on labelled pairs."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    from services.tools.similarity import PAIRS_FILE

    sim = sub.add_parser("similarity", help="duplicate suggestions (可能重复的诉求)")
    ssub = sim.add_subparsers(dest="action", required=True)
    measure = ssub.add_parser(
        "measure", help="print precision, recall and F1 of the duplicate measure, and its threshold, on labelled pairs"
    )
    measure.add_argument(
        "--pairs",
        type=Path,
        default=PAIRS_FILE,
        # the default said short: the installed path is long enough for the help's wrapping to split it
        help="a JSON Lines file of labelled pairs (a, b, duplicate, category) (default: the 289 pairs kept in "
        "the package, services/tools/similarity/pairs.jsonl)",
    )
    measure.add_argument(
        "--threshold",
        type=float,
        default=None,
        help="the threshold to measure at (default: intake's default for the rule duplicate_threshold)",
    )
    measure.add_argument("--json", action="store_true", help="print the results as JSON")
    measure.set_defaults(func=_measure)


def _measure(args: argparse.Namespace) -> int:
    from services.intake.main import DUPLICATE_THRESHOLD
    from services.tools.similarity.measure import report, table

    threshold = DUPLICATE_THRESHOLD if args.threshold is None else args.threshold
    if not 0.0 <= threshold <= 1.0:
        print("similarity measure: --threshold must lie between 0 and 1", file=sys.stderr)
        return 2
    try:
        result = report(args.pairs, threshold)
    except (OSError, ValueError) as exc:
        print(f"similarity measure: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(result, ensure_ascii=False, indent=2) if args.json else table(result))
    return 0
