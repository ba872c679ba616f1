"""Coverage: towns/streets that ran a vote with a result, out of the county's registered towns."""

from __future__ import annotations

from services.evaluation.read.metrics import county_metrics, coverage

TOWNS = [f"街道{n:02d}" for n in range(1, 13)]


def vote(town: str, status: str = "decided", level: str = "street", year: int = 2025, county: str = "440703") -> dict:
    return {"county": county, "year": year, "level": level, "town": town, "status": status}


def test_four_of_twelve_streets_like_jiangmen() -> None:
    votes = [vote(t) for t in TOWNS[:4]] + [vote(TOWNS[0], "runoff")]
    got = coverage("440703", 2025, votes, TOWNS)
    assert (got["numerator"], got["denominator"], got["value"]) == (4, 12, round(4 / 12, 4))
    assert got["missing"] == TOWNS[4:]


def test_void_votes_county_sessions_other_years_and_counties_do_not_count() -> None:
    votes = [
        vote(TOWNS[0], "void"),
        vote("", level="county"),
        vote(TOWNS[1], year=2024),
        vote(TOWNS[2], county="440781"),
        vote("不在名单的镇"),
    ]
    assert coverage("440703", 2025, votes, TOWNS)["numerator"] == 0


def test_without_registered_towns_the_figure_says_what_is_missing() -> None:
    got = county_metrics("440703", 2025, [], [], [], [vote(TOWNS[0])], [])["coverage"]
    assert got["value"] is None and "towns" in got["note"]
