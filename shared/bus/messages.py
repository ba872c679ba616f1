"""The messages a service takes in: an inbound flow (stream, subjects, decoder, handler) and a
delivered contract (its envelope and payload), with the ``Meta`` of what it causes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from shared.bus.consumer import Decoder, Handler, Prefetch
from shared.bus.deadletter import Sealer
from shared.contracts.envelope import Contract, Envelope
from shared.kernel.dispatch import DispatchTable
from shared.kernel.meta import Meta
from shared.persistence.application import Inbound, UnitOfWork


@dataclass(frozen=True)
class Subscription:
    """An inbound flow: which stream and subjects, how to decode, what to do."""

    stream: str
    filter_subject: str
    decode: Decoder
    handle: Handler
    prefetch: Prefetch | None = None  # warms the unit of work for a whole batch (one query, not one per message)
    purge_processed: bool = False  # remove applied messages from the stream (the only consumer of it)
    seal_deadletter: Sealer | None = None  # seal a dead letter's body (it holds a caller's details)


def envelope_decoder() -> Decoder:
    """Decode a contract envelope (validated against the registry)."""
    from shared.contracts import REGISTRY

    def decode(msg: Any) -> Any:
        envelope, payload = REGISTRY.decode(msg.data)
        return Delivered(envelope, payload)

    return decode


@dataclass(frozen=True)
class Delivered:
    envelope: Envelope
    payload: Contract

    @property
    def event_id(self) -> UUID:
        return self.envelope.event_id

    @property
    def correlation_id(self) -> str:
        return self.envelope.correlation_id

    def meta(self) -> Meta:
        """The Meta of an event caused by this message: same county, actor, business time and
        correlation; caused by this event."""
        env = self.envelope
        return Meta(
            county=env.county,
            actor_role=env.actor.role,
            actor_id=env.actor.id,
            occurred_at=env.occurred_at,
            correlation_id=env.correlation_id,
            causation_id=str(env.event_id),
        )


Policy = Callable[[Any, UnitOfWork, Any, Delivered], None]


class Policies(DispatchTable[Policy]):
    """A service's inbound policies over published contracts, as a typed dispatch table:
    ``@POLICIES.on(d.ProjectAdopted) def adopted(app: App, uow: UnitOfWork, p: d.ProjectAdopted, msg: Delivered)``.
    A contract no policy handles is acknowledged and changes nothing."""

    def __init__(self, name: str) -> None:
        super().__init__(f"{name} inbound policies", event_arg=2)

    def handler(self, app: Any) -> Handler:
        """The consumer's handler: each delivered contract to its policy, with ``app``."""

        def handle(uow: UnitOfWork, message: Inbound) -> None:
            delivered: Delivered = message.body
            policy = self.lookup(type(delivered.payload))
            if policy is not None:
                policy(app, uow, delivered.payload, delivered)

        return handle

    def subscription(self, app: Any, stream: str, filter_subject: str) -> Subscription:
        """An inbound flow of contract envelopes from ``stream`` handled by these policies."""
        return Subscription(stream, filter_subject, envelope_decoder(), self.handler(app))
