"""Every list pages on PostgreSQL too: the store's paging checks of
``tests/component/test_every_list_pages.py`` (a page is the slice of the whole ordered list; numbers,
booleans, empty lists and nested fields compared as the documents hold them; ordered parts as one
list) against a PostgreSQL read-model store (``doc::jsonb ->> field``, ``#>>`` for nested fields)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shared.views.store import ViewStore
from tests.component import test_every_list_pages as checks


@pytest.fixture
def views(postgres_env: dict[str, str]) -> Iterator[ViewStore]:
    store = checks.stored(ViewStore(postgres=postgres_env), checks.THINGS)
    yield store
    store.close()


def test_a_page_of_the_store_is_the_slice_of_the_whole_ordered_list(views: ViewStore) -> None:
    checks.test_a_page_of_the_store_is_the_slice_of_the_whole_ordered_list(views)


def test_numbers_booleans_and_nested_fields_are_compared_as_the_documents_hold_them(views: ViewStore) -> None:
    checks.test_numbers_booleans_and_nested_fields_are_compared_as_the_documents_hold_them(views)


def test_ordered_parts_page_as_one_list(views: ViewStore) -> None:
    checks.test_ordered_parts_page_as_one_list(views)
