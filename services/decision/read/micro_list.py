"""The county's micro projects a page at a time (the API's list and the staff page alike): newest
proposal first, each marked ``overdue`` when the government has not accepted or declined it by its
``respond_by`` day."""

from __future__ import annotations

from services.decision.read.projections import MICRO
from shared.views.paging import Paging, page_in_store
from shared.views.query import Condition, DocQuery
from shared.views.store import ViewStore


def with_overdue(doc: dict, on: str) -> dict:
    """The document with ``overdue``: still proposed after its ``respond_by`` day (``on``: today, ISO)."""
    late = doc["status"] == "proposed" and bool(doc.get("respond_by")) and doc["respond_by"] < on
    return {**doc, "overdue": late}


def micro_projects_page(
    views: ViewStore, county: str, on: str, paging: Paging, status: str | None = None, overdue: bool = False
) -> dict:
    """A page of the county's micro projects (of ``status``; ``overdue``: only the overdue ones)."""
    where = [Condition("status", "=", status)] if status is not None else []
    if overdue:
        where += [Condition("status", "=", "proposed"), Condition("respond_by", "<", on)]
    query = DocQuery(MICRO, county, tuple(where), order=(("proposed_at", True),))
    return page_in_store(views, query, paging, lambda d: with_overdue(d, on))
