"""The county registry is the Ministry of Civil Affairs' edition of 2025-12-31: every county-level unit,
its towns and streets, and the names pages and PDFs show instead of codes."""

from __future__ import annotations

from shared import divisions as d

JIANGMEN = {
    "440703": "蓬江区",
    "440704": "江海区",
    "440705": "新会区",
    "440781": "台山市",
    "440783": "开平市",
    "440784": "鹤山市",
    "440785": "恩平市",
}


def test_the_edition_is_complete() -> None:
    reg = d.registry()
    assert reg.metadata["source_table"] == d.SOURCE_TABLE == "Xzqh20251231"
    levels = {level: sum(1 for x in reg.by_code.values() if x.level == level) for level in (1, 2, 3, 4)}
    assert levels == {1: 33, 2: 333, 3: 2845, 4: 38723}
    # 2,845 county-level units and the four cities with no county level (东莞, 中山, 嘉峪关, 儋州)
    assert len(d.counties_under()) == 2845 + 4


def test_counties_and_towns_of_jiangmen() -> None:
    assert dict(d.counties_under("4407")) == JIANGMEN
    assert all(d.is_county(code) and d.county_name(code) == name for code, name in JIANGMEN.items())
    assert d.full_name("440781") == "广东省江门市台山市"
    towns = d.towns_of("440781")
    assert len(towns) == 17 and ("440781001", "台城街道") in towns
    assert d.is_town_of("440781", "都斛镇") and d.is_town_of("440781", "440781001")
    assert not d.is_town_of("440781", "环市街道")  # a street of 蓬江区


def test_unknown_codes_are_not_counties() -> None:
    for code in ("000000", "999999", "440700", "440000", "440781001", "44078", "abcdef"):
        assert not d.is_county(code), code
    assert d.county_name("999999") == "999999"


def test_a_city_without_counties_is_a_county_level_unit_with_its_towns() -> None:
    assert d.is_county("441900") and d.county_name("441900") == "东莞市"
    assert d.towns_of("441900") and not [c for c, _ in d.counties_under("4419") if c != "441900"]


def test_the_twelve_digit_statistical_form_is_understood() -> None:
    assert d.name_of("440781000000") == "台山市"
    assert d.is_county("440781000000")


def test_each_province_read_alone_is_that_province_of_the_whole_registry() -> None:
    whole = d.registry()
    provinces = sorted({code[:2] for code in whole.by_code})
    assert len(provinces) == 33  # every unit's code starts with its province's two digits
    read_alone = 0
    for prefix in provinces:
        one = d.province(prefix)
        assert one.by_code == {c: x for c, x in whole.by_code.items() if c.startswith(prefix)}, prefix
        assert one.counties == [x for x in whole.counties if x.code.startswith(prefix)], prefix
        assert one.metadata == whole.metadata
        read_alone += len(one.by_code)
    assert read_alone == len(whole.by_code) == 41934
    assert not d.province("ab").by_code and not d.province("4").by_code


def test_one_countys_names_are_read_without_the_whole_registry() -> None:
    """What ``shishi report`` asks (a county's full name, its towns) reads the county's province alone:
    building the whole registry was a fifth of the report's memory (README, "Performance")."""
    d.registry.cache_clear()
    try:
        assert d.full_name("440781") == "广东省江门市台山市" and d.county_name("441900") == "东莞市"
        assert d.is_county("440781") and not d.is_county("440700") and not d.is_county("abcdef")
        assert ("440781001", "台城街道") in d.towns_of("440781") and d.name_of("440781000000") == "台山市"
        assert dict(d.counties_under("4407")) == JIANGMEN
        assert d.registry.cache_info().currsize == 0
    finally:
        d.registry.cache_clear()
    assert d.province.cache_info().currsize > 0
    assert len(d.counties_under("")) == 2845 + 4  # the whole country, built on demand; then it answers everything
    assert d.registry.cache_info().currsize == 1 and d.full_name("440781") == "广东省江门市台山市"
    assert d.province.cache_info().currsize == 0  # the provinces read alone are let go: no country twice over
