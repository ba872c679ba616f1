"""Decision's inbound policies: residents' demands and project suggestions from intake fill the pool
(other intake events are not decision's concern)."""

from __future__ import annotations

from collections.abc import Callable

from services.decision.app.application import DecisionApplication
from shared.bus.messages import Delivered, Subscription, envelope_decoder
from shared.contracts import intake as i
from shared.contracts.envelope import Envelope
from shared.kernel.meta import Meta
from shared.persistence.application import Inbound, UnitOfWork


def meta_of(env: Envelope) -> Meta:
    return Meta(
        county=env.county,
        actor_role=env.actor.role,
        actor_id=env.actor.id,
        occurred_at=env.occurred_at,
        correlation_id=env.correlation_id,
        causation_id=str(env.event_id),
    )


def handle_intake(app: DecisionApplication) -> Callable[[UnitOfWork, Inbound], None]:
    def handle(uow: UnitOfWork, message: Inbound) -> None:
        delivered: Delivered = message.body
        env, p = delivered.envelope, delivered.payload
        if isinstance(p, i.DemandSubmitted):
            meta = meta_of(env)
            app.pool_demand(uow, meta, p.demand_id, p.channel, p.town, p.category, p.text)
        elif isinstance(p, i.SuggestionRaised):
            app.pool_suggestion(
                uow, meta_of(env), p.suggestion_id, p.title, p.category, p.towns, p.demand_ids, p.split_from
            )
        elif isinstance(p, i.SuggestionSplit):
            app.split_suggestion(uow, meta_of(env), p.suggestion_id, p.remaining_demand_ids)

    return handle


def subscriptions(app: DecisionApplication) -> list[Subscription]:
    return [Subscription("INTAKE", "shishi.*.intake.>", envelope_decoder(), handle_intake(app))]
