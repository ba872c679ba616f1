"""Decision's inbound policies: residents' demands and project suggestions from intake fill the pool
(other intake events are not decision's concern)."""

from __future__ import annotations

from services.decision.app.application import DecisionApplication
from shared.bus.messages import Delivered, Policies, Subscription
from shared.contracts import intake as i
from shared.persistence.application import UnitOfWork

POLICIES = Policies("decision")


@POLICIES.on(i.DemandSubmitted)
def demand_submitted(app: DecisionApplication, uow: UnitOfWork, p: i.DemandSubmitted, msg: Delivered) -> None:
    app.pool_demand(uow, msg.meta(), p.demand_id, p.channel, p.town, p.category, p.text)


@POLICIES.on(i.SuggestionRaised)
def suggestion_raised(app: DecisionApplication, uow: UnitOfWork, p: i.SuggestionRaised, msg: Delivered) -> None:
    app.pool_suggestion(uow, msg.meta(), p.suggestion_id, p.title, p.category, p.towns, p.demand_ids, p.split_from)


@POLICIES.on(i.SuggestionSplit)
def suggestion_split(app: DecisionApplication, uow: UnitOfWork, p: i.SuggestionSplit, msg: Delivered) -> None:
    app.split_suggestion(uow, msg.meta(), p.suggestion_id, p.remaining_demand_ids)


def subscriptions(app: DecisionApplication) -> list[Subscription]:
    return [POLICIES.subscription(app, "INTAKE", "shishi.*.intake.>")]
