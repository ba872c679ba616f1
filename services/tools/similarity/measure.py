"""Precision and recall of intake's duplicate suggestions on a labelled set of pairs (``shishi similarity measure``).

Each pair of ``pairs.jsonl`` (``{"a", "b", "duplicate", "category", "split", ...}``) is scored as intake scores
a demand against its candidates: the IDF comes from the texts of the pair's category in the file (intake's
candidates share town and category; no labels are used). A pair is suggested when its score reaches the
threshold. ``tune`` is the half the threshold and the measure's settings were chosen on; ``test`` is held out.
The measure intake used before 2026-12 (``difflib``'s ratio, threshold 0.55) is scored beside it.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from services.intake.main import DUPLICATE_THRESHOLD, duplicate_index
from services.tools.similarity import PAIRS_FILE

SPLITS = ("tune", "test")
OLD_THRESHOLD = 0.55  # the rule duplicate_similarity's default for the old measure
# The paraphrase the old measure missed (0.36 against 0.55), reported in issue 15; a "roads" pair of the file.
KNOWN_MISS = (
    "台城街道环市路路面坑洼，雨天积水",
    "市民来电反映：环市路台城段马路烂了好多坑，一下雨就积水，要求尽快修补",
)


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    duplicate: bool
    category: str
    split: str
    note: str = ""


@dataclass(frozen=True)
class Counts:
    threshold: float
    pairs: int
    precision: float
    recall: float
    f1: float
    tp: int
    fp: int
    fn: int


def load_pairs(path: Path = PAIRS_FILE) -> list[Pair]:
    """The labelled pairs of a JSON Lines file; ``split`` defaults to ``test`` (a set of one's own)."""
    pairs = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        try:
            pairs.append(
                Pair(
                    str(row["a"]),
                    str(row["b"]),
                    bool(row["duplicate"]),
                    str(row.get("category", "other")),
                    str(row.get("split", "test")),
                    str(row.get("note", "")),
                )
            )
        except KeyError as exc:
            raise ValueError(f"{path}:{number}: a pair needs {exc.args[0]!r}") from exc
    return pairs


def new_scorer(pairs: Sequence[Pair]) -> Callable[[Pair], float]:
    """Intake's measure, with one index per category over all its texts in the set."""
    texts: dict[str, list[str]] = defaultdict(list)
    for pair in pairs:
        texts[pair.category] += [pair.a, pair.b]
    indexes = {cat: duplicate_index((f"{cat}-{i}", t) for i, t in enumerate(ts)) for cat, ts in texts.items()}
    return lambda pair: indexes[pair.category].score(pair.a, pair.b)


def old_scorer(pair: Pair) -> float:
    return SequenceMatcher(None, pair.a, pair.b).ratio()


def counts(scores: Sequence[float], labels: Sequence[bool], threshold: float) -> Counts:
    tp = sum(1 for s, dup in zip(scores, labels, strict=True) if s >= threshold and dup)
    fp = sum(1 for s, dup in zip(scores, labels, strict=True) if s >= threshold and not dup)
    fn = sum(1 for s, dup in zip(scores, labels, strict=True) if s < threshold and dup)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Counts(round(threshold, 4), len(scores), round(precision, 4), round(recall, 4), round(f1, 4), tp, fp, fn)


def best_threshold(scores: Sequence[float], labels: Sequence[bool]) -> float:
    """The threshold with the best F1 (ties: the higher one), halfway between the lowest accepted score and
    the next lower one, so that it does not sit on one pair's score."""
    distinct = sorted(set(scores))
    if not distinct:
        return 0.0
    best = max(range(len(distinct)), key=lambda i: (counts(scores, labels, distinct[i]).f1, i))
    return distinct[best] if best == 0 else (distinct[best] + distinct[best - 1]) / 2


def negative_kind(note: str) -> str:
    if note.startswith("hard: same place"):
        return "same place, other problem"
    if note.startswith("hard:"):
        return "same problem, other place"
    return "ordinary"


def evaluate(pairs: Sequence[Pair], scorer: Callable[[Pair], float], threshold: float) -> dict[str, Any]:
    """P/R/F1 per split (and over all pairs) at ``threshold`` and at the best-F1 threshold of ``tune``."""
    scored = [(p, scorer(p)) for p in pairs]
    groups = {s: [(p, x) for p, x in scored if p.split == s] for s in SPLITS if any(p.split == s for p in pairs)}
    groups["all"] = scored
    tune = groups.get("tune") or scored
    best = best_threshold([x for _, x in tune], [p.duplicate for p, _ in tune])
    held_out = groups.get("test") or scored
    negatives: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for pair, score in held_out:
        if not pair.duplicate:
            negatives[negative_kind(pair.note)][0] += score >= threshold
            negatives[negative_kind(pair.note)][1] += 1

    def at(t: float) -> dict[str, Any]:
        return {name: asdict(counts([x for _, x in g], [p.duplicate for p, _ in g], t)) for name, g in groups.items()}

    return {
        "threshold": threshold,
        "at_threshold": at(threshold),
        "best_tune_threshold": round(best, 4),
        "at_best_tune_threshold": at(best),
        "false_alarms_by_kind": {k: f"{v[0]}/{v[1]}" for k, v in sorted(negatives.items())},
    }


def report(pairs_file: Path = PAIRS_FILE, threshold: float = DUPLICATE_THRESHOLD) -> dict[str, Any]:
    pairs = load_pairs(pairs_file)
    started = time.perf_counter()
    new = evaluate(pairs, new_scorer(pairs), threshold)
    seconds = time.perf_counter() - started
    a, b = KNOWN_MISS
    return {
        "pairs_file": str(pairs_file),
        "pairs": {
            name: {
                "pairs": sum(p.split == name for p in pairs),
                "duplicates": sum(p.split == name and p.duplicate for p in pairs),
            }
            for name in SPLITS
        },
        "categories": sorted({p.category for p in pairs}),
        "new": new,
        "old": evaluate(pairs, old_scorer, OLD_THRESHOLD),
        "known_miss": {
            "a": a,
            "b": b,
            "old": round(old_scorer(Pair(a, b, True, "roads", "")), 3),
            "new": round(duplicate_index([]).score(a, b), 3),
        },
        "seconds": round(seconds, 3),
    }


def _row(name: str, split: str, c: dict[str, Any]) -> str:
    return (
        f"{name:<26} {c['threshold']:>9.3f}  {split:<5} {c['pairs']:>5} {c['precision']:>9.3f} {c['recall']:>6.3f} "
        f"{c['f1']:>6.3f}   {c['tp']:>3} {c['fp']:>3} {c['fn']:>3}"
    )


def table(result: dict[str, Any]) -> str:
    sizes = result["pairs"]
    lines = [
        f"Labelled pairs: {result['pairs_file']}",
        "  " + ", ".join(f"{name} {n['pairs']} ({n['duplicates']} duplicates)" for name, n in sizes.items()),
        "  categories: " + ", ".join(result["categories"]),
        f"{'measure':<26} {'threshold':>9}  {'split':<5} {'pairs':>5} {'precision':>9} {'recall':>6} {'F1':>6}"
        "    tp  fp  fn",
    ]
    for key, label in (("new", "intake (Chinese-aware)"), ("old", "before 2026-12 (difflib)")):
        for split, c in result[key]["at_threshold"].items():
            lines.append(_row(label, split, c))
        for split, c in result[key]["at_best_tune_threshold"].items():
            lines.append(_row(f"{key} at tune's best F1", split, c))
    for key in ("new", "old"):
        kinds = ", ".join(f"{k} {v}" for k, v in result[key]["false_alarms_by_kind"].items())
        lines.append(f"{key}: held-out negatives suggested, by kind: {kinds}")
    miss = result["known_miss"]
    lines.append(f"Issue 15's paraphrase: {miss['a']} | {miss['b']}")
    lines.append(f"  old {miss['old']:.3f} (threshold {OLD_THRESHOLD}); new {miss['new']:.3f} with no corpus")
    return "\n".join(lines)
