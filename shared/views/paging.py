"""Every list a page at a time: one envelope for every list the services answer (``items``, ``total``,
``page``, ``per_page``, ``pages``) and the ways to fill it — in the read-model store (a count and a
``LIMIT``/``OFFSET`` select: :func:`page_in_store`; several ordered parts one after the other:
:func:`page_across`), or, for a list computed in memory, by slicing it (:func:`page_of`).

The web side (the ``page`` and ``limit`` query parameters, the OpenAPI schema of the envelope) is
``shared/web/paging.py``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from shared.views.query import Condition, DocQuery
from shared.views.store import ViewStore

DEFAULT_LIMIT = 200  # what a caller that names no limit gets: every list a page shows in full today
MAX_LIMIT = 1000


@dataclass(frozen=True)
class Paging:
    """Page ``page`` (1: the first) of ``limit`` items."""

    page: int = 1
    limit: int = DEFAULT_LIMIT

    def __post_init__(self) -> None:
        if self.page < 1 or not 1 <= self.limit <= MAX_LIMIT:
            raise ValueError(f"no such page: page {self.page} of {self.limit} (1..{MAX_LIMIT}) items")

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit


EVERYTHING = Paging(1, MAX_LIMIT)


def of_year(year: int | None, field: str = "year") -> tuple[Condition, ...]:
    """The condition of a list's optional ``year`` filter (none: every year)."""
    return () if year is None else (Condition(field, "=", year),)


def envelope(items: list, total: int, paging: Paging) -> dict[str, Any]:
    """The answer of a list: this page's items, how many there are in all and how many pages."""
    return {
        "total": total,
        "page": paging.page,
        "per_page": paging.limit,
        "pages": max(1, -(-total // paging.limit)),
        "items": items,
    }


def page_of(items: Sequence, paging: Paging) -> dict[str, Any]:
    """A page of a list already in memory (computed from an aggregate, or from a source that is not
    the read-model store)."""
    return envelope(list(items[paging.offset : paging.offset + paging.limit]), len(items), paging)


def page_in_store(
    views: ViewStore, query: DocQuery, paging: Paging, shape: Callable[[dict], dict] | None = None
) -> dict[str, Any]:
    """A page of the documents ``query`` names, counted and chosen by the store (its order should be
    total: the store breaks ties by id); ``shape``: what each document of the page is answered as."""
    return page_across(views, (query,), paging, shape)


def page_across(
    views: ViewStore, parts: Sequence[DocQuery], paging: Paging, shape: Callable[[dict], dict] | None = None
) -> dict[str, Any]:
    """A page of several ordered queries answered one after the other (say, escalated warnings
    first, then the rest): each part is counted, and only the parts the page overlaps are read, each
    with its own ``LIMIT``/``OFFSET``."""
    items: list[dict] = []
    total, start, end = 0, paging.offset, paging.offset + paging.limit
    for part in parts:
        size = views.count(part)
        low, high = max(start, total), min(end, total + size)
        if low < high:
            items += views.select(replace(part, limit=high - low, offset=low - total))
        total += size
    return envelope([shape(d) for d in items] if shape else items, total, paging)


def every_page(fetch: Callable[[Paging], dict[str, Any]], limit: int = MAX_LIMIT) -> list:
    """Every item of a paged list, page after page: for a caller that needs the whole list (the roll
    of a vote from intake's registry, the demo). An answer without ``pages`` is the whole list."""
    items: list = []
    page = 1
    while True:
        answer = fetch(Paging(page, limit))
        items += answer["items"]
        if page >= int(answer.get("pages", 1)):
            return items
        page += 1
