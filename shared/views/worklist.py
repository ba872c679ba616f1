"""A role's worklist as each service answers it (``GET /<service>/api/counties/{c}/worklist``): for
each role the caller holds, the tasks due, each with how many things wait, the page to act on them
and the first few of them. The gateway gathers the four services' answers into the role's home.

A task is ``{"kind", "count", "href", "items": [{"title", "href", "due", "note"}]}``; ``kind`` (and an
item's ``note`` or ``label``) is a key the gateway names in the page's language; ``due`` is a business
date (China time) or None. A task with nothing waiting is left out."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

SHOWN = 8  # items listed under a task (its page lists them all)
WEEK = 7  # "due this week": overdue, or due within this many days


def item(
    title: str, href: str, due: str | date | None = None, note: str = "", label: dict[str, Any] | None = None
) -> dict[str, Any]:
    """One thing waiting: ``title`` is data (a project's name); ``label`` (``{"key": ..., **params}``), when
    given, is a title the gateway words in the page's language instead; ``note`` a key it names too."""
    found = {"title": title, "href": href, "due": due.isoformat() if isinstance(due, date) else due, "note": note}
    return {**found, "label": label} if label else found


def task(kind: str, href: str, items: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The task, or None when nothing waits."""
    if not items:
        return None
    ordered = sorted(items, key=lambda i: (i["due"] is None, i["due"] or ""))
    return {"kind": kind, "count": len(items), "href": href, "items": ordered[:SHOWN]}


def tasks(*found: dict[str, Any] | None) -> list[dict[str, Any]]:
    return [t for t in found if t is not None]


def due_within(due: str | date | None, today: date, days: int = WEEK) -> bool:
    """Overdue, or due within ``days`` of ``today`` (a business date in China time)."""
    if due is None or due == "":
        return False
    day = due if isinstance(due, date) else date.fromisoformat(str(due)[:10])
    return (day - today).days <= days


def staff_role(principal: Any) -> str:
    """The staff role a worklist is for: congress staff (an administrator too), else a government office."""
    roles = {str(r) for r in principal.roles}
    return "congress_staff" if roles & {"congress_staff", "admin"} else "gov_unit"


def answer(service: str, county: str, by_role: Iterable[tuple[str, list[dict[str, Any]]]], now: datetime) -> dict:
    return {"service": service, "county": county, "as_of": now.isoformat(), "roles": dict(by_role)}
