"""Supervision's inbound policy: an adopted project (major or micro) opens a project file."""

from __future__ import annotations

from services.supervision.app.application import SupervisionApplication
from shared.bus.messages import Delivered, Policies, Subscription
from shared.contracts import decision as d
from shared.kernel.china_time import china_date
from shared.persistence.application import UnitOfWork

POLICIES = Policies("supervision")


@POLICIES.on(d.ProjectAdopted)
def project_adopted(app: SupervisionApplication, uow: UnitOfWork, p: d.ProjectAdopted, msg: Delivered) -> None:
    # The plan's 30 days run from the close of the session that voted the project; a micro
    # project (approved between sessions) runs from its approval, the event's business time.
    session_closed_on = p.session_closed_on or china_date(msg.envelope.occurred_at)
    app.open_project(
        uow,
        msg.meta(),
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
        p.town,
    )


def subscriptions(app: SupervisionApplication) -> list[Subscription]:
    return [POLICIES.subscription(app, "DECISION", "shishi.*.decision.project-adopted")]
