"""Every list pages, on the web side: the ``page`` and ``limit`` query parameters of a list route
(``paging: PagingDep``) and the envelope its answer is declared with in the OpenAPI document
(``@router.get(..., **PAGED)``), which ``tests/contract/test_every_list_pages.py`` walks. The
envelope itself and the store's paging: ``shared/views/paging.py``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from shared.views.paging import DEFAULT_LIMIT, MAX_LIMIT, Paging


def paging_of(
    page: Annotated[int, Query(description="which page (1: the first)", **PAGE_RANGE)] = 1,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="items per page")] = DEFAULT_LIMIT,
) -> Paging:
    return Paging(page, limit)


PagingDep = Annotated[Paging, Depends(paging_of)]

PAGE_RANGE: dict[str, Any] = {"ge": 1, "le": 1_000_000}

# A page (HTML) that shows a list a page at a time: its ``page`` parameter (the size is the page's own).
PageNumber = Annotated[int, Query(alias="page", description="which page (1: the first)", **PAGE_RANGE)]
# A page that shows a second list a page at a time: named by its parameter (``wishes_page``, ``stations_page``).
OtherPageNumber = Annotated[int, Query(description="which page of the page's second list", **PAGE_RANGE)]


class Page(BaseModel):
    """A page of a list; a list may answer more beside it (its county, counts over the whole list)."""

    model_config = ConfigDict(extra="allow")

    items: list[dict[str, Any]] = Field(description="this page's items, in the list's order")
    total: int = Field(description="items in the whole list (every page)")
    page: int = Field(description="this page (1: the first)")
    per_page: int = Field(description="items per page (the limit asked for)")
    pages: int = Field(description="how many pages the list has (at least 1)")


# A list route's answer in the OpenAPI document (documented only: the route returns a dict as it is).
PAGED: dict[str, Any] = {"response_model": None, "responses": {200: {"model": Page, "description": "one page"}}}
