"""Evaluation's inbound policies: a project handed over as complete opens its rating; the year's
adopted projects and residents' demands (with their status changes) are recorded for the metrics."""

from __future__ import annotations

from collections.abc import Callable

from services.evaluation.app.application import EvaluationApplication
from shared.bus.messages import Delivered, Subscription, envelope_decoder
from shared.contracts import decision as d
from shared.contracts import intake as i
from shared.contracts import supervision as s
from shared.persistence.application import Inbound, UnitOfWork


def handle_supervision(app: EvaluationApplication) -> Callable[[UnitOfWork, Inbound], None]:
    def handle(uow: UnitOfWork, message: Inbound) -> None:
        delivered: Delivered = message.body
        p = delivered.payload
        if isinstance(p, s.ProjectCompleted):
            app.open_rating(
                uow,
                delivered.meta(),
                p.project_id,
                p.year,
                p.tier,
                p.name,
                p.demand_ids,
                p.completed_on,
                p.deadline,
                str(p.planned_investment),
                str(p.spent),
                town=str(getattr(p, "town", "") or ""),
            )

    return handle


def handle_decision(app: EvaluationApplication) -> Callable[[UnitOfWork, Inbound], None]:
    def handle(uow: UnitOfWork, message: Inbound) -> None:
        delivered: Delivered = message.body
        p = delivered.payload
        if isinstance(p, d.ProjectAdopted):
            app.record_adopted(uow, delivered.meta(), p.project_id, p.year, p.tier, p.name, p.deadline)
        elif isinstance(p, d.VoteDeclared):
            app.record_vote(uow, delivered.meta(), p.session_id, p.round_no, p.year, p.level, p.town, p.status)

    return handle


def handle_intake(app: EvaluationApplication) -> Callable[[UnitOfWork, Inbound], None]:
    def handle(uow: UnitOfWork, message: Inbound) -> None:
        delivered: Delivered = message.body
        p = delivered.payload
        if isinstance(p, i.DemandSubmitted):
            app.record_demand(uow, delivered.meta(), p.demand_id, p.channel, p.town, p.category, p.submitted_at)
        elif isinstance(p, i.DemandRouted):
            app.record_demand_routing(uow, delivered.meta(), p.demand_id, p.kind, p.tier, p.scope)
        elif isinstance(p, i.DemandStatusChanged):
            app.record_demand_status(uow, delivered.meta(), p.demand_id, p.status, p.note)

    return handle


def subscriptions(app: EvaluationApplication) -> list[Subscription]:
    return [
        Subscription(
            "SUPERVISION", "shishi.*.supervision.project-completed", envelope_decoder(), handle_supervision(app)
        ),
        Subscription("DECISION", "shishi.*.decision.>", envelope_decoder(), handle_decision(app)),
        Subscription("INTAKE", "shishi.*.intake.>", envelope_decoder(), handle_intake(app)),
    ]
