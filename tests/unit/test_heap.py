"""A process that answers requests keeps start-up's objects out of collections and collects its
youngest generation far apart (``shared.runtime.heap``): with CPython's default, full collections
paused every request in flight about once a second under load. A companion only freezes start-up."""

from __future__ import annotations

import gc

from shared.runtime.heap import YOUNG_THRESHOLD, settle_heap


def test_settle_heap_freezes_start_up_and_spaces_young_collections() -> None:
    before = gc.get_threshold()
    try:
        settle_heap()
        assert gc.get_threshold()[0] == YOUNG_THRESHOLD >= 10_000
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def test_serving_settles_the_heap_and_the_companion_only_freezes_start_up() -> None:
    import inspect

    from services.tools.cli import serve
    from shared.runtime import companion

    assert "settle_heap()" in inspect.getsource(serve.run_serve)
    source = inspect.getsource(companion.main)
    assert "gc.freeze()" in source and "settle_heap" not in source
