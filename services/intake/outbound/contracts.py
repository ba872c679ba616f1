"""Intake's domain events -> published contracts. Contact details never leave the service;
every event about a hotline ticket's demand is also told to the 12345 platform with its ticket id."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import UUID

from services.intake.domain.contact import ResidentContact
from services.intake.domain.demand import Demand
from services.intake.domain.suggestion import ProjectSuggestion
from shared.bus.translation import Translation
from shared.contracts import intake as c
from shared.contracts.envelope import Contract


def _status(demand_id: UUID, ticket: str, status: str, note: str) -> Iterator[Contract]:
    yield c.DemandStatusChanged(demand_id=demand_id, status=status, note=note)
    if ticket:
        yield c.HotlineTicketStatusChanged(ticket_id=ticket, demand_id=demand_id, status=status, note=note)


OUTBOUND = Translation("intake")


@OUTBOUND.on(Demand.Submitted)
def submitted(event: Demand.Submitted) -> Iterator[Contract]:
    yield c.DemandSubmitted(
        demand_id=event.originator_id,
        channel=event.channel,
        town=event.town,
        category=event.category,
        text=event.text,
        submitted_at=event.meta.occurred_at,
        hotline_ticket_id=event.hotline_ticket_id,
        station_id=event.station_id,
        deputy_id=event.deputy_id,
        reception_id=event.reception_id,
    )
    if event.hotline_ticket_id:
        yield c.HotlineTicketAccepted(
            ticket_id=event.hotline_ticket_id, demand_id=event.originator_id, tracking_code=event.tracking_code
        )


@OUTBOUND.on(Demand.StageNoted)
def stage_noted(event: Demand.StageNoted) -> Iterator[Contract]:
    yield from _status(event.originator_id, event.hotline_ticket_id, event.status, event.title)


@OUTBOUND.on(Demand.Routed, Demand.Escalated)
def routed_or_escalated(event: Demand.Routed | Demand.Escalated) -> Iterator[Contract]:
    escalated = isinstance(event, Demand.Escalated)
    tier = event.to_tier if isinstance(event, Demand.Escalated) else event.tier
    escalated_from = event.from_tier if isinstance(event, Demand.Escalated) else ""
    yield c.DemandRouted(
        demand_id=event.originator_id,
        kind=event.kind,
        tier=tier,
        reason=event.reason,
        rules_version=event.rules_version,
        scope=event.scope,
        estimate=event.estimate,
        escalated_from=escalated_from,
    )
    yield from _status(event.originator_id, event.ticket, "escalated" if escalated else "routed", event.reason)


@OUTBOUND.on(Demand.Replied)
def replied(event: Demand.Replied) -> Iterator[Contract]:
    yield from _status(event.originator_id, event.ticket, "replied", "")
    if event.ticket:
        yield c.HotlineTicketReplied(
            ticket_id=event.ticket,
            demand_id=event.originator_id,
            text=event.text,
            replied_at=event.meta.occurred_at,
        )


@OUTBOUND.on(Demand.Closed)
def closed(event: Demand.Closed) -> Iterator[Contract]:
    yield from _status(event.originator_id, event.ticket, "closed", event.note)
    if event.ticket:
        yield c.HotlineTicketClosed(
            ticket_id=event.ticket, demand_id=event.originator_id, note=event.note, closed_at=event.meta.occurred_at
        )


@OUTBOUND.on(Demand.WishStep)
def wish_step(event: Demand.WishStep) -> Iterator[Contract]:
    if event.step != "visited":
        return
    yield from _status(event.originator_id, event.ticket, "closed", event.details.get("satisfaction", ""))
    if event.ticket:
        yield c.HotlineTicketClosed(
            ticket_id=event.ticket,
            demand_id=event.originator_id,
            note=event.details.get("note", ""),
            closed_at=event.meta.occurred_at,
        )


@OUTBOUND.on(Demand.Classified)
def classified(event: Demand.Classified) -> Iterator[Contract]:
    yield from _status(event.originator_id, event.ticket, "triaged", event.kind)


@OUTBOUND.on(Demand.MergedInto)
def merged_into(event: Demand.MergedInto) -> Iterator[Contract]:
    yield from _status(event.originator_id, event.ticket, "merged", event.title)


@OUTBOUND.on(Demand.SplitOut)
def split_out(event: Demand.SplitOut) -> Iterator[Contract]:
    yield from _status(event.originator_id, event.ticket, "split", str(event.suggestion_id))


@OUTBOUND.on(Demand.MarkedDuplicate)
def marked_duplicate(event: Demand.MarkedDuplicate) -> Iterator[Contract]:
    yield from _status(event.originator_id, event.ticket, "duplicate", event.primary_code)


@OUTBOUND.on(Demand.OverdueWarned)
def overdue_warned(event: Demand.OverdueWarned) -> Iterator[Contract]:
    yield c.ReplyOverdue(demand_id=event.originator_id, due_at=event.due_at)


@OUTBOUND.on(ProjectSuggestion.Raised)
def raised(event: ProjectSuggestion.Raised) -> Iterator[Contract]:
    yield c.SuggestionRaised(
        suggestion_id=event.originator_id,
        title=event.title,
        category=event.category,
        towns=event.towns,
        demand_ids=event.demand_ids,
        split_from=event.split_from,
    )


@OUTBOUND.on(ProjectSuggestion.Split)
def split(event: ProjectSuggestion.Split) -> Iterator[Contract]:
    yield c.SuggestionSplit(
        suggestion_id=event.originator_id,
        removed_demand_ids=event.demand_ids,
        remaining_demand_ids=event.remaining,
        new_suggestion_id=event.into,
    )


@OUTBOUND.on(ResidentContact.Erased)
def erased(event: ResidentContact.Erased) -> Iterator[Contract]:
    yield c.ResidentContactErased(contact_id=event.originator_id, erased_at=event.meta.occurred_at)


to_contracts = OUTBOUND  # what the outbox relay publishes for each stored event
TOPICS = OUTBOUND.topics()
