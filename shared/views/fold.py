"""A read model's fold: which documents each event changes, as a typed dispatch table.

``FOLD = Fold("intake")``, then ``@FOLD.on(Demand.Submitted) def submitted(tx: ViewTx, event:
Demand.Submitted) -> None``. The fold is the projector the updater calls (``FOLD(tx, event)``), and
``FOLD.topics()`` are the stored topics it reads, so the updater decodes nothing else."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shared.kernel.dispatch import DispatchTable
from shared.persistence.notifications import all_event_classes, event_topics
from shared.views.store import ViewTx

FoldStep = Callable[[ViewTx, Any], None]


class Fold(DispatchTable[FoldStep]):
    def __init__(self, name: str) -> None:
        super().__init__(f"{name} read models", event_arg=1)

    def __call__(self, tx: ViewTx, event: object) -> None:
        step = self.lookup(type(event))
        if step is not None:
            step(tx, event)

    def merged(self, *others: Fold) -> Fold:
        """A new fold with this fold's entries and each of ``others``' (a class in two of them is an error)."""
        fold = Fold(self.name)
        fold.name = self.name
        for source in (self, *others):
            fold.include(source)
        return fold

    def topics(self) -> tuple[str, ...]:
        """The stored topics of every event class this fold handles (subclasses and older topics included)."""
        return event_topics(*all_event_classes(self.classes))
