"""Every long-running process keeps start-up's objects out of collections and collects its youngest
generation far apart (``shared.runtime.heap``): with CPython's default, full collections paused every
request in flight about once a second under load."""

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


def test_both_long_running_entry_points_settle_the_heap() -> None:
    import inspect

    from services.tools.cli import serve
    from shared.runtime import companion

    assert "settle_heap()" in inspect.getsource(serve.run_serve)
    assert "settle_heap()" in inspect.getsource(companion.main)
