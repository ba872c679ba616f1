"""Queries over the county's warnings (预警督办) read model."""

from __future__ import annotations

from services.supervision.read.projections import WARNING
from shared.views.store import ViewStore


def open_warnings(views: ViewStore, county: str, status: str = "open") -> list[dict]:
    """The county's warnings with ``status`` (``open``, ``resolved`` or ``all``), escalated ones first."""
    items = [w for w in views.list(WARNING, county) if status == "all" or w["status"] == status]
    items.sort(key=lambda w: (not w.get("escalated_on"), w["raised_on"], w["project_name"], w["key"]))
    return items
