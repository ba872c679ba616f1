"""Lists as queries over the read models, for the API's lists and the pages alike: what a deputy
works from (the demands pushed to them, newest first; the micro-wishes 微心愿, oldest first) and the
registries of deputies and liaison stations (by town/street and name)."""

from __future__ import annotations

import json

from services.intake.read.projections import DEMAND
from services.intake.read.registry import DEPUTY, STATION
from shared.views.query import Condition, DocQuery

DONE = ("closed", "duplicate", "merged")
BY_TOWN_AND_NAME = (("town", False), ("name", False))


def inbox_query(county: str, deputy: str, include_done: bool = False) -> DocQuery:
    """The demands pushed to ``deputy`` (from their area, or forwarded to them)."""
    # the deputy's id as an element of the stored ``deputies`` array (quoted: "d1" is not "d10")
    mine = [Condition("deputies", "contains", json.dumps(deputy, ensure_ascii=False))]
    if not include_done:
        mine += [Condition("status", "!=", status) for status in DONE]
    return DocQuery(DEMAND, county, tuple(mine), order=(("submitted_at", True),))


def wishes_query(county: str, *, unclaimed: bool = False, open_only: bool = False) -> DocQuery:
    """The county's micro-wishes: ``unclaimed`` ones only (no deputy has claimed them), or ``open_only``
    (not closed)."""
    wanted = [Condition("tier", "=", "micro_wish"), Condition("kind", "=", "micro_wish")]
    if unclaimed:
        wanted.append(Condition("wish.claimed", "is null"))
    if open_only:
        wanted.append(Condition("status", "!=", "closed"))
    return DocQuery(DEMAND, county, tuple(wanted), order=(("submitted_at", False),))


def deputies_query(county: str, *, active: bool | None = None, town: str = "") -> DocQuery:
    """The county's deputies (``active``: only serving ones, or only retired ones; None: both)."""
    wanted = [] if active is None else [Condition("active", "=", active)]
    if town:
        wanted.append(Condition("town", "=", town))
    return DocQuery(DEPUTY, county, tuple(wanted), order=BY_TOWN_AND_NAME)


def stations_query(county: str, town: str = "") -> DocQuery:
    at = (Condition("town", "=", town),) if town else ()
    return DocQuery(STATION, county, at, order=BY_TOWN_AND_NAME)
