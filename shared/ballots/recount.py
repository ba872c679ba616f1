"""Recounting a closed vote from what was published (pure): the independent check anyone can run."""

from __future__ import annotations

from collections.abc import Mapping

from shared.ballots.tally import paper_totals, tally


def recount(published: Mapping) -> dict:
    """``published``: the ballots (electronic) or confirmed boxes (paper) and the declared result.
    Returns the recounted counts and every difference from the declared tally."""
    declared = published["result"]
    items = sorted(declared["counts"])
    choices = sorted({c for counts in declared["counts"].values() for c in counts})
    if published["mode"] == "paper":
        counts = paper_totals(published["boxes"], items, choices)["counts"]
        n = sum(b["returned"] for b in published["boxes"])
    else:
        counts = tally(published["ballots"], items, choices)
        n = len(published["ballots"])
    differences = [
        f"{item} {choice}: declared {declared['counts'][item][choice]}, recounted {counts[item][choice]}"
        for item in items
        for choice in choices
        if counts[item][choice] != declared["counts"][item][choice]
    ]
    if n != declared["returned"]:
        differences.append(f"ballots: declared {declared['returned']}, published {n}")
    receipts = [b["receipt"] for b in published.get("ballots") or []]
    if len(set(receipts)) != len(receipts):
        differences.append("a receipt appears twice")
    return {
        "mode": published["mode"],
        "ballots": n,
        "counts": counts,
        "differences": differences,
        "matches": not differences,
    }
