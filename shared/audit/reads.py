"""Every read by an auditor is itself an event, recorded by the service that served it (pure)."""

from __future__ import annotations

from eventsourcing.domain import Aggregate, event

from shared.kernel.meta import Meta


class AuditorRead(Aggregate):
    """An auditor looked at something: which route, which county, what was answered."""

    # Events: the fields of each are the arguments of the method that records it.
    class Recorded(Aggregate.Created):
        meta: Meta
        method: str
        path: str
        query: str
        status: int

    @event(Recorded)
    def __init__(self, meta: Meta, method: str, path: str, query: str, status: int) -> None:
        self.county = meta.county
        self.auditor = meta.actor_id
        self.method = method
        self.path = path
        self.query = query
        self.status = status
