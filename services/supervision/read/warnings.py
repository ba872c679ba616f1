"""Queries over the county's warnings (预警督办) read model."""

from __future__ import annotations

from services.supervision.read.projections import WARNING
from shared.views.paging import Paging, page_across
from shared.views.query import Condition, DocQuery
from shared.views.store import ViewStore


def open_warnings(views: ViewStore, county: str, status: str = "open") -> list[dict]:
    """The county's warnings with ``status`` (``open``, ``resolved`` or ``all``), escalated ones first."""
    items = [w for w in views.list(WARNING, county) if status == "all" or w["status"] == status]
    items.sort(key=lambda w: (not w.get("escalated_on"), w["raised_on"], w["project_name"], w["key"]))
    return items


def warnings_page(views: ViewStore, county: str, status: str, paging: Paging) -> dict:
    """A page of :func:`open_warnings` chosen by the store (escalated ones first, then the rest, each
    by the day raised, project and key), with how many open warnings are escalated in all."""
    chosen = () if status == "all" else (Condition("status", "=", status),)
    order = (("raised_on", False), ("project_name", False), ("key", False))
    escalated, calm = Condition("escalated_on", "is not null"), Condition("escalated_on", "is null")
    parts = [
        DocQuery(WARNING, county, (*chosen, escalated), order=order),
        DocQuery(WARNING, county, (*chosen, calm), order=order),
    ]
    open_escalated = views.count(DocQuery(WARNING, county, (Condition("status", "=", "open"), escalated)))
    return {"escalated": open_escalated, **page_across(views, parts, paging)}
