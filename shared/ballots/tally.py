"""Counting ballots (pure): tally, recount from a published list, reconciliation of paper boxes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

# the choices' names in refusals (decision's vote, evaluation's rating)
CHOICE_NAMES = {
    "yes": "赞成",
    "no": "反对",
    "abstain": "弃权",
    "satisfied": "满意",
    "basically_satisfied": "基本满意",
    "unsatisfied": "不满意",
}


def empty_counts(items: Sequence[str], choices: Sequence[str]) -> dict[str, dict[str, int]]:
    return {item: {choice: 0 for choice in choices} for item in items}


def tally(ballots: Iterable[Mapping], items: Sequence[str], choices: Sequence[str]) -> dict[str, dict[str, int]]:
    """Counts per item and choice from ballots shaped ``{"marks": {item: choice}, "valid": bool}``."""
    counts = empty_counts(items, choices)
    for ballot in ballots:
        if not ballot.get("valid", True):
            continue
        for item, choice in ballot["marks"].items():
            counts[item][choice] += 1
    return counts


def marks_problem(
    marks: Mapping[str, str], items: Sequence[str], choices: Sequence[str], limits: Mapping[str, int]
) -> str | None:
    """Why a ballot's marks are not valid, or None. ``limits``: at most N items may carry a choice."""
    if set(marks) != set(items):
        missing, extra = set(items) - set(marks), set(marks) - set(items)
        return (
            "每一项都须且只能选择一次 / "
            f"a ballot marks every item exactly once (missing {sorted(missing)}, unknown {sorted(extra)})"
        )
    bad = sorted({c for c in marks.values() if c not in choices})
    if bad:
        return f"有未知的选项 / unknown choice(s) {bad}; allowed: {list(choices)}"
    for choice, limit in limits.items():
        used = sum(1 for c in marks.values() if c == choice)
        if used > limit:
            name = CHOICE_NAMES.get(choice, choice)
            return (
                f"选“{name}”的不得超过 {limit} 项（现为 {used} 项）"
                f" / {used} items marked '{choice}', at most {limit} allowed"
            )
    return None


def box_flags(entry: Mapping, items: Sequence[str]) -> list[str]:
    """What does not reconcile in one paper box: returned <= issued, valid + invalid = returned,
    and for every item the marks add up to the valid ballots."""
    flags = []
    issued, returned, invalid = entry["issued"], entry["returned"], entry["invalid"]
    valid = returned - invalid
    if returned > issued:
        flags.append(f"收回 {returned} 张多于发出 {issued} 张 / returned {returned} > issued {issued}")
    if invalid > returned:
        flags.append(f"无效 {invalid} 张多于收回 {returned} 张 / invalid {invalid} > returned {returned}")
    for item in items:
        marked = sum(entry["counts"].get(item, {}).values())
        if marked != valid:
            flags.append(
                f"{item}：票数合计 {marked}，有效选票 {valid} 张"
                f" / item {item}: {marked} marks for {valid} valid ballots"
            )
    return flags


def paper_totals(entries: Iterable[Mapping], items: Sequence[str], choices: Sequence[str]) -> dict:
    """Sum of paper boxes: counts per item, and issued / returned / valid / invalid."""
    counts = empty_counts(items, choices)
    issued = returned = invalid = 0
    for entry in entries:
        issued += entry["issued"]
        returned += entry["returned"]
        invalid += entry["invalid"]
        for item in items:
            for choice in choices:
                counts[item][choice] += entry["counts"].get(item, {}).get(choice, 0)
    return {"counts": counts, "issued": issued, "returned": returned, "invalid": invalid, "valid": returned - invalid}


def reconcile(issued: int, returned: int, invalid: int) -> list[str]:
    """Whole-vote reconciliation: ballots cast (returned) never exceed ballots issued."""
    flags = []
    if returned > issued:
        flags.append(
            f"投出选票 {returned} 张多于发出 {issued} 张 / ballots cast {returned} exceed ballots issued {issued}"
        )
    if invalid > returned:
        flags.append(f"无效 {invalid} 张多于投出 {returned} 张 / invalid {invalid} > cast {returned}")
    return flags
