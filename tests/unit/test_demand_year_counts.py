"""The demand figures come from counts the read model keeps per county and year (``demand-year``): the
same figures as counting every demand document of the year."""

from __future__ import annotations

from services.evaluation.read.metrics import county_metrics, demand_counts, tally

C = "440781"


def doc(kind: str | None, scope: str | None, tier: str | None, *statuses: tuple[str, str]) -> dict:
    return {
        "county": C,
        "submitted_at": "2025-03-01T09:00:00+00:00",
        "kind": kind,
        "scope": scope,
        "tier": tier,
        "statuses": [{"status": s, "at": at} for s, at in statuses],
    }


DEMANDS = [
    doc("consultation", "household", "department", ("replied", "2025-03-01T20:00:00+00:00")),
    doc("consultation", "household", "department", ("replied", "2025-03-03T09:00:00+00:00")),
    doc("common", "community", "micro", ("closed", "2025-04-01T09:00:00+00:00")),
    doc("common", "town", "major"),
    doc(None, None, None),
]


def test_one_demand_counts_once_in_each_figure_it_belongs_to() -> None:
    assert demand_counts(DEMANDS[0]) == {
        "demands": 1,
        "replied": 1,
        "solved": 0,
        "consultations": 1,
        "replied_24h": 1,
        "small": 1,
        "small_local": 0,
    }
    assert demand_counts(DEMANDS[2])["small_local"] == 1


def test_figures_from_the_kept_counts_equal_figures_from_every_document() -> None:
    from_documents = county_metrics(C, 2025, [], [], DEMANDS)
    from_counts = county_metrics(C, 2025, [], [], [], demand_tally=tally(DEMANDS))
    for name in ("reply_rate", "solved_rate", "reply_24h_rate", "local_share"):
        assert from_documents[name] == from_counts[name], name
    assert from_counts["reply_24h_rate"]["numerator"] == 1 and from_counts["reply_24h_rate"]["denominator"] == 2
    assert from_counts["counts"]["demands"] == 5
