"""Event-store environment: SQLite by default, PostgreSQL for scale.

Both backends use our process recorders (``sqlite.py`` / ``postgres.py``), which add two
things the bus needs to the library's recorders: several ``Tracking`` rows in one transaction
(a batch of inbound messages) and an exact "which of these positions are already recorded"
query (redeliveries can arrive out of order, so a maximum is not enough).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from eventsourcing.persistence import Tracking


class BatchTrackingRecorder(Protocol):
    """What the bus needs from a recorder beyond the library's ProcessRecorder."""

    def tracked_ids(self, application_name: str, ids: Iterable[int]) -> set[int]: ...

    def max_tracking_id(self, application_name: str) -> int | None: ...

    def insert_tracking(self, tracking: Tracking) -> None: ...


def trackings_from(kwargs: dict) -> Sequence[Tracking]:
    return tuple(kwargs.get("trackings") or ())
