"""What a deputy works from, as queries over the demand read model (the API's lists and the
deputy's inbox page alike): the demands pushed to them, newest first, and the micro-wishes
(微心愿), oldest first."""

from __future__ import annotations

import json

from services.intake.read.projections import DEMAND
from shared.views.query import Condition, DocQuery

DONE = ("closed", "duplicate", "merged")


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
