"""The garbage collector's settings of every long-running process (``shishi serve``, a companion)."""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 50_000  # net allocations of tracked objects before the youngest generation is collected


def settle_heap() -> None:
    """Keep what start-up built out of every collection (``gc.freeze``), and collect the youngest
    generation after 50,000 net allocations instead of CPython's 700. A request's objects are freed by
    reference counting when it ends; collected every 700 allocations, those of the requests in flight
    survived into older generations, and full collections followed about once a second, each pausing
    every request in flight for up to 47 ms (intake at 50 clients). With this: a few young collections
    in 24 s, no full one (README "Performance"). A companion's memory after folding a million events
    in bulk is the same with either threshold (``bench views``: 128 MB)."""
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, 20, 100)
