"""A service's translation of its domain events into published contracts, as a typed dispatch table.

``OUTBOUND = Translation("supervision")``, then ``@OUTBOUND.on(Project.Opened) def opened(event:
Project.Opened) -> Iterator[Contract]``. The outbox relay calls ``OUTBOUND(event)`` for each stored
event, and reads only ``OUTBOUND.topics()``: an event no function handles publishes nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from shared.contracts.envelope import Contract
from shared.kernel.dispatch import DispatchTable
from shared.persistence.notifications import all_event_classes, event_topics

Translate = Callable[[Any], Iterable[Contract]]


class Translation(DispatchTable[Translate]):
    def __init__(self, name: str) -> None:
        super().__init__(f"{name} contracts", event_arg=0)

    def __call__(self, event: object) -> Iterator[Contract]:
        translate = self.lookup(type(event))
        if translate is not None:
            yield from translate(event)

    def topics(self) -> tuple[str, ...]:
        return event_topics(*all_event_classes(self.classes))
