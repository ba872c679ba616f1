"""Decision's inbound policies: residents' demands from intake fill the pool."""

from __future__ import annotations

from collections.abc import Callable

from shared.application import Inbound, UnitOfWork
from shared.contracts import intake as i
from shared.meta import Meta
from shared.runtime import Delivered, Subscription, envelope_decoder
from services.decision.application import DecisionApplication


def handle_intake(app: DecisionApplication) -> Callable[[UnitOfWork, Inbound], None]:
    def handle(uow: UnitOfWork, message: Inbound) -> None:
        delivered: Delivered = message.body
        env, p = delivered.envelope, delivered.payload
        if isinstance(p, i.DemandSubmitted):
            meta = Meta(county=env.county, actor_role=env.actor.role, actor_id=env.actor.id,
                        occurred_at=env.occurred_at, correlation_id=env.correlation_id,
                        causation_id=str(env.event_id))
            app.pool_demand(uow, meta, p.demand_id, p.channel, p.town, p.category, p.text)

    return handle


def subscriptions(app: DecisionApplication) -> list[Subscription]:
    return [Subscription("INTAKE", "shishi.*.intake.demand-submitted", envelope_decoder(), handle_intake(app))]
