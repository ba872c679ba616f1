"""Evaluation's inbound policy: a project handed over as complete opens its rating."""

from __future__ import annotations

from collections.abc import Callable

from shared.application import Inbound, UnitOfWork
from shared.contracts import supervision as s
from shared.meta import Meta
from shared.runtime import Delivered, Subscription, envelope_decoder
from services.evaluation.application import EvaluationApplication


def handle_supervision(app: EvaluationApplication) -> Callable[[UnitOfWork, Inbound], None]:
    def handle(uow: UnitOfWork, message: Inbound) -> None:
        delivered: Delivered = message.body
        env, p = delivered.envelope, delivered.payload
        if isinstance(p, s.ProjectCompleted):
            meta = Meta(county=env.county, actor_role=env.actor.role, actor_id=env.actor.id,
                        occurred_at=env.occurred_at, correlation_id=env.correlation_id,
                        causation_id=str(env.event_id))
            app.open_rating(uow, meta, p.project_id, p.year, p.tier, p.name, p.demand_ids, p.completed_on,
                            p.deadline, str(p.planned_investment), str(p.spent))

    return handle


def subscriptions(app: EvaluationApplication) -> list[Subscription]:
    return [Subscription("SUPERVISION", "shishi.*.supervision.project-completed", envelope_decoder(),
                         handle_supervision(app))]
