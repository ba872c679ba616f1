"""Evaluation's inbound policies: a project handed over as complete opens its rating; the year's
adopted projects and residents' demands (with their status changes) are recorded for the metrics."""

from __future__ import annotations

from services.evaluation.app.application import EvaluationApplication
from shared.bus.messages import Delivered, Policies, Subscription
from shared.contracts import decision as d
from shared.contracts import intake as i
from shared.contracts import supervision as s
from shared.persistence.application import UnitOfWork

POLICIES = Policies("evaluation")
App = EvaluationApplication


@POLICIES.on(s.ProjectCompleted)
def project_completed(app: App, uow: UnitOfWork, p: s.ProjectCompleted, msg: Delivered) -> None:
    app.open_rating(
        uow,
        msg.meta(),
        p.project_id,
        p.year,
        p.tier,
        p.name,
        p.demand_ids,
        p.completed_on,
        p.deadline,
        str(p.planned_investment),
        str(p.spent),
        town=p.town,
    )


@POLICIES.on(d.ProjectAdopted)
def project_adopted(app: App, uow: UnitOfWork, p: d.ProjectAdopted, msg: Delivered) -> None:
    app.record_adopted(uow, msg.meta(), p.project_id, p.year, p.tier, p.name, p.deadline)


@POLICIES.on(d.VoteDeclared)
def vote_declared(app: App, uow: UnitOfWork, p: d.VoteDeclared, msg: Delivered) -> None:
    app.record_vote(uow, msg.meta(), p.session_id, p.round_no, p.year, p.level, p.town, p.status)


@POLICIES.on(i.DemandSubmitted)
def demand_submitted(app: App, uow: UnitOfWork, p: i.DemandSubmitted, msg: Delivered) -> None:
    app.record_demand(uow, msg.meta(), p.demand_id, p.channel, p.town, p.category, p.submitted_at)


@POLICIES.on(i.DemandRouted)
def demand_routed(app: App, uow: UnitOfWork, p: i.DemandRouted, msg: Delivered) -> None:
    app.record_demand_routing(uow, msg.meta(), p.demand_id, p.kind, p.tier, p.scope)


@POLICIES.on(i.DemandStatusChanged)
def demand_status_changed(app: App, uow: UnitOfWork, p: i.DemandStatusChanged, msg: Delivered) -> None:
    app.record_demand_status(uow, msg.meta(), p.demand_id, p.status, p.note)


def subscriptions(app: EvaluationApplication) -> list[Subscription]:
    return [
        POLICIES.subscription(app, "SUPERVISION", "shishi.*.supervision.project-completed"),
        POLICIES.subscription(app, "DECISION", "shishi.*.decision.>"),
        POLICIES.subscription(app, "INTAKE", "shishi.*.intake.>"),
    ]
