"""Intake's inbound policies: 12345 tickets in, and lineage from the other services."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from nats.aio.msg import Msg
from pydantic import ValidationError

from services.intake.app.application import IntakeApplication, hotline_contact_id
from services.intake.app.sealed_letters import hotline_letter_sealer
from services.intake.domain.demand import hotline_demand_id
from shared.bus.consumer import Prefetch, Rejected
from shared.bus.deadletter import county_of_subject
from shared.bus.messages import Delivered, Policies, Subscription
from shared.bus.streams import HOTLINE
from shared.contracts import HotlineTicket
from shared.contracts import decision as d
from shared.contracts import evaluation as e
from shared.contracts import supervision as s
from shared.divisions import EDITION as DIVISIONS_EDITION
from shared.divisions import is_county
from shared.kernel.meta import Meta
from shared.persistence.application import Inbound, UnitOfWork

VERDICT_TITLES = {"satisfied": "满意", "basically_satisfied": "基本满意", "unsatisfied": "不满意"}


def decode_ticket(msg: Msg) -> HotlineTicket:
    try:
        ticket = HotlineTicket.model_validate_json(msg.data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, x['loc'])) or '(root)'}: {x['msg']}" for x in exc.errors()[:5])
        raise Rejected(f"工单格式有误 / malformed hotline ticket: {problems}") from exc
    subject_county = county_of_subject(msg.subject)
    if ticket.county != subject_county:
        raise Rejected(
            f"工单的县与发送主题的县不一致 / ticket county {ticket.county} "
            f"does not match subject county {subject_county}"
        )
    if not is_county(ticket.county):
        raise Rejected(
            f"未知的县级行政区划代码 {ticket.county} / "
            f"unknown county {ticket.county}: not a county-level division of China "
            f"(MCA codes, edition {DIVISIONS_EDITION})"
        )
    return ticket


def handle_ticket(app: IntakeApplication) -> Callable[[UnitOfWork, Inbound], None]:
    def handle(uow: UnitOfWork, message: Inbound) -> None:
        ticket: HotlineTicket = message.body
        meta = Meta(
            county=ticket.county,
            actor_role="hotline",
            actor_id="12345",
            occurred_at=ticket.received_at,
            correlation_id=f"hotline:{ticket.ticket_id}",
            causation_id=f"{message.stream}:{message.sequence}",
        )
        app.receive_ticket(uow, ticket, meta)

    return handle


def prefetch_tickets(app: IntakeApplication) -> Prefetch:
    """One query tells which tickets already have a demand (a re-send), and one which callers
    already have a key in the vault, not one query per ticket."""

    def prefetch(uow: UnitOfWork, messages: Sequence[Inbound]) -> None:
        uow.prefetch(hotline_demand_id(m.body.county, m.body.ticket_id) for m in messages)
        callers = [m.body for m in messages if m.body.caller_name or m.body.caller_phone or m.body.address]
        app.vault.prefetch([hotline_contact_id(ticket) for ticket in callers])

    return prefetch


LINEAGE = Policies("intake lineage")
App = IntakeApplication


@LINEAGE.on(d.CandidateDrafted)
def candidate_drafted(app: App, uow: UnitOfWork, p: d.CandidateDrafted, msg: Delivered) -> None:
    app.note_stage(uow, msg.meta(), p.demand_ids, "candidate", str(p.candidate_id), p.name)


@LINEAGE.on(d.ProjectAdopted)
def project_adopted(app: App, uow: UnitOfWork, p: d.ProjectAdopted, msg: Delivered) -> None:
    app.note_stage(uow, msg.meta(), p.demand_ids, "adopted", str(p.project_id), p.name, p.tier)


@LINEAGE.on(s.ProjectFileOpened)
def project_file_opened(app: App, uow: UnitOfWork, p: s.ProjectFileOpened, msg: Delivered) -> None:
    app.note_stage(uow, msg.meta(), p.demand_ids, "project", str(p.project_id), p.name)


@LINEAGE.on(s.ProjectProgressReported)
def progress_reported(app: App, uow: UnitOfWork, p: s.ProjectProgressReported, msg: Delivered) -> None:
    app.note_stage(uow, msg.meta(), p.demand_ids, "progress", str(p.project_id), p.note, f"{p.progress_pct}%")


@LINEAGE.on(s.ProjectCompleted)
def project_completed(app: App, uow: UnitOfWork, p: s.ProjectCompleted, msg: Delivered) -> None:
    app.note_stage(uow, msg.meta(), p.demand_ids, "completed", str(p.project_id), p.name, p.completed_on.isoformat())


@LINEAGE.on(d.MicroEscalated)
def micro_escalated(app: App, uow: UnitOfWork, p: d.MicroEscalated, msg: Delivered) -> None:
    reason = f"微实事超出上限 {p.cap} 元（{p.investment} 元）: {p.reason}"
    app.escalate_from_micro(uow, msg.meta(), p.demand_ids, int(p.investment), reason)


@LINEAGE.on(e.LookbackProblemFound)
def lookback_problem(app: App, uow: UnitOfWork, p: e.LookbackProblemFound, msg: Delivered) -> None:
    app.open_lookback_demand(uow, msg.meta(), p.lookback_id, p.project_id, p.project_name, p.town, p.problem)


@LINEAGE.on(e.VerdictReached)
def verdict_reached(app: App, uow: UnitOfWork, p: e.VerdictReached, msg: Delivered) -> None:
    app.note_stage(uow, msg.meta(), p.demand_ids, "verdict", str(p.project_id), VERDICT_TITLES[p.verdict], p.verdict)


def subscriptions(app: IntakeApplication) -> list[Subscription]:
    return [
        # Callers' details in clear do not outlive processing: applied tickets are purged from HOTLINE,
        # and a ticket that cannot be applied is sealed with the caller's key before it is dead-lettered.
        Subscription(
            HOTLINE,
            "hotline.*.tickets",
            decode_ticket,
            handle_ticket(app),
            prefetch_tickets(app),
            purge_processed=True,
            seal_deadletter=hotline_letter_sealer(app),
        ),
        LINEAGE.subscription(app, "DECISION", "shishi.*.decision.>"),
        LINEAGE.subscription(app, "SUPERVISION", "shishi.*.supervision.>"),
        LINEAGE.subscription(app, "EVALUATION", "shishi.*.evaluation.>"),
    ]
