"""Supervision's inbound policy: an adopted project (major or micro) opens a project file."""

from __future__ import annotations

from collections.abc import Callable

from services.supervision.app.application import SupervisionApplication
from shared.bus.messages import Delivered, Subscription, envelope_decoder
from shared.contracts import decision as d
from shared.persistence.application import Inbound, UnitOfWork


def handle_decision(app: SupervisionApplication) -> Callable[[UnitOfWork, Inbound], None]:
    def handle(uow: UnitOfWork, message: Inbound) -> None:
        delivered: Delivered = message.body
        env, p = delivered.envelope, delivered.payload
        if isinstance(p, d.ProjectAdopted):
            meta = delivered.meta()
            # The plan's 30 days run from the close of the session that voted the project; a micro
            # project (approved between sessions) runs from its approval, the event's business time.
            session_closed_on = getattr(p, "session_closed_on", None) or env.occurred_at.date()
            app.open_project(
                uow,
                meta,
                p.project_id,
                p.year,
                p.tier,
                p.name,
                p.content,
                p.implementing_body,
                p.investment,
                p.deadline,
                p.demand_ids,
                session_closed_on,
            )

    return handle


def subscriptions(app: SupervisionApplication) -> list[Subscription]:
    return [Subscription("DECISION", "shishi.*.decision.project-adopted", envelope_decoder(), handle_decision(app))]
