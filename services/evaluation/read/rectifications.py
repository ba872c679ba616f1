"""The rectification board (整改) as a query over the rating read model, for the API's list and the
staff board alike: every project with a rectification order, the earliest deadline first."""

from __future__ import annotations

from services.evaluation.read.projections import RATING
from shared.views.query import Condition, DocQuery


def rectifications_query(county: str) -> DocQuery:
    ordered = (Condition("rectification", "is not null"),)
    return DocQuery(RATING, county, ordered, order=(("rectification.deadline", False), ("name", False)))
