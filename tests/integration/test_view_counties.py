"""The counties a read-model store holds, found by a loose scan of its (kind, county) index (one index
look-up per county instead of reading every document's entry), on SQLite and PostgreSQL alike: the
same counties, in order, as ``SELECT DISTINCT`` gives."""

from __future__ import annotations

from shared.views.store import ViewStore


def test_the_counties_of_each_kind_and_of_all_kinds(views: ViewStore) -> None:
    assert views.counties("demand") == [] and views.all_counties() == []
    rows = [("demand", f"d{i}", county, {"n": i}) for i, county in enumerate(["440781", "440703", "440781", "110101"])]
    rows += [("project", "p1", "440785", {}), ("rules", "440703", "440703", {}), ("demand-year", "y", "440704", {})]

    def fill(tx) -> None:
        for kind, id, county, doc in rows:
            tx.put(kind, id, county, doc)

    assert views.apply("test", 1, fill)

    assert views.counties("demand") == ["110101", "440703", "440781"]
    assert views.counties("project") == ["440785"]
    assert views.counties("demand-y") == []  # an exact kind, not a prefix
    assert views.counties("nothing") == []
    assert views.all_counties() == ["110101", "440703", "440704", "440781", "440785"]
