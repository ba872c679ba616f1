"""The resident's county and town pickers: the counties this installation serves first (those with
demands or a registry here), then any county of China by province; the towns and streets of the
chosen county from the MCA registry (``shared/divisions.py``)."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from shared import divisions
from shared.views.store import ViewStore


def provinces() -> list[tuple[str, str]]:
    """The 2-digit prefix and name of every province-level unit."""
    reg = divisions.registry()
    return sorted((d.code[:2], d.name) for d in reg.by_code.values() if d.level == divisions.PROVINCE)


def served(views: ViewStore) -> list[dict[str, str]]:
    """The counties with data in intake, by full name (the deployment's counties)."""
    codes = [c for c in views.all_counties() if divisions.is_county(c)]
    return [{"code": c, "name": divisions.full_name(c)} for c in sorted(codes)]


def counties_of_province(prefix: str) -> list[dict[str, Any]]:
    """A province's counties grouped by prefecture: ``[{"group": 江门市, "counties": [(code, name)]}]``."""
    if not (len(prefix) == 2 and prefix.isdigit()):
        return []
    reg = divisions.registry()
    out = []
    for parent, items in groupby(divisions.counties_under(prefix), key=lambda c: reg.by_code[c[0]].parent):
        group = reg.by_code.get(parent)
        out.append({"group": group.name if group else "", "counties": list(items)})
    return out


def town_names(county: str) -> list[str]:
    return [name for _, name in divisions.towns_of(county)] if divisions.is_county(county) else []
