"""Two folders of one read model (the companion process, and a page folding its own request)
never apply the same events twice: a fold applies only from the position it read."""

from __future__ import annotations

from shared.config import Settings
from shared.views.store import ViewTx, make_views


def bump(tx: ViewTx) -> None:
    doc = tx.get("counter", "c") or {"n": 0}
    doc["n"] += 1
    tx.put("counter", "c", "440781", doc)


def test_a_fold_from_a_stale_position_is_not_applied(backend_settings: Settings) -> None:
    one, other = make_views(backend_settings), make_views(backend_settings)  # two connections, as two processes
    try:
        assert one.apply("views", 5, bump, after=0)
        assert not other.apply("views", 5, bump, after=0)  # read position 0 before the first fold committed
        assert other.position("views") == 5 and other.get("counter", "c") == {"n": 1}
        assert other.apply("views", 9, bump, after=5)
        assert one.get("counter", "c") == {"n": 2} and one.position("views") == 9
    finally:
        one.close()
        other.close()
