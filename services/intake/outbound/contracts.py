"""Intake's domain events -> published contracts. Contact details never leave the service;
every event about a hotline ticket's demand is also told to the 12345 platform with its ticket id."""

from __future__ import annotations

from collections.abc import Iterator

from services.intake.domain.contact import ResidentContact
from services.intake.domain.demand import Demand
from services.intake.domain.suggestion import ProjectSuggestion
from shared.contracts import intake as c
from shared.contracts.envelope import Contract
from shared.persistence.notifications import event_topics

# The status a demand has after each step (as on the resident's tracking page).
STEP_STATUS = {
    Demand.Classified: "triaged",
    Demand.Routed: "routed",
    Demand.Escalated: "escalated",
    Demand.Replied: "replied",
    Demand.MergedInto: "merged",
    Demand.SplitOut: "split",
    Demand.MarkedDuplicate: "duplicate",
    Demand.Closed: "closed",
    Demand.OverdueWarned: "overdue",
}


def _status(demand_id, ticket: str, status: str, note: str) -> Iterator[Contract]:  # type: ignore[no-untyped-def]
    yield c.DemandStatusChanged(demand_id=demand_id, status=status, note=note)
    if ticket:
        yield c.HotlineTicketStatusChanged(ticket_id=ticket, demand_id=demand_id, status=status, note=note)


# What can become a published contract (the relay decodes nothing else);
# tests/unit/test_follower_topics.py holds this to the isinstance checks below.
TOPICS = event_topics(Demand, ProjectSuggestion, ResidentContact.Erased)


def to_contracts(event: object) -> Iterator[Contract]:
    if isinstance(event, Demand.Submitted):
        yield c.DemandSubmitted(
            demand_id=event.originator_id,
            channel=event.channel,
            town=event.town,
            category=event.category,
            text=event.text,
            submitted_at=event.meta.occurred_at,
            hotline_ticket_id=event.hotline_ticket_id,
        )
        if event.hotline_ticket_id:
            yield c.HotlineTicketAccepted(
                ticket_id=event.hotline_ticket_id, demand_id=event.originator_id, tracking_code=event.tracking_code
            )
    elif isinstance(event, Demand.StageNoted):
        yield from _status(event.originator_id, event.hotline_ticket_id, event.status, event.title)
    elif isinstance(event, (Demand.Routed, Demand.Escalated)):
        escalated = isinstance(event, Demand.Escalated)
        tier = event.to_tier if escalated else event.tier
        yield c.DemandRouted(
            demand_id=event.originator_id,
            kind=event.kind,
            tier=tier,
            reason=event.reason,
            rules_version=event.rules_version,
            scope=event.scope,
            estimate=event.estimate,
            escalated_from=event.from_tier if escalated else "",
        )
        yield from _status(event.originator_id, event.ticket, STEP_STATUS[type(event)], event.reason)
    elif isinstance(event, Demand.Replied):
        yield from _status(event.originator_id, event.ticket, "replied", "")
        if event.ticket:
            yield c.HotlineTicketReplied(
                ticket_id=event.ticket,
                demand_id=event.originator_id,
                text=event.text,
                replied_at=event.meta.occurred_at,
            )
    elif isinstance(event, Demand.Closed):
        yield from _status(event.originator_id, event.ticket, "closed", event.note)
        if event.ticket:
            yield c.HotlineTicketClosed(
                ticket_id=event.ticket, demand_id=event.originator_id, note=event.note, closed_at=event.meta.occurred_at
            )
    elif isinstance(event, Demand.WishStep) and event.step == "visited":
        yield from _status(event.originator_id, event.ticket, "closed", event.details.get("satisfaction", ""))
        if event.ticket:
            yield c.HotlineTicketClosed(
                ticket_id=event.ticket,
                demand_id=event.originator_id,
                note=event.details.get("note", ""),
                closed_at=event.meta.occurred_at,
            )
    elif isinstance(event, (Demand.Classified, Demand.MergedInto, Demand.SplitOut, Demand.MarkedDuplicate)):
        note = {
            Demand.Classified: lambda e: e.kind,
            Demand.MergedInto: lambda e: e.title,
            Demand.SplitOut: lambda e: str(e.suggestion_id),
            Demand.MarkedDuplicate: lambda e: e.primary_code,
        }[type(event)](event)
        yield from _status(event.originator_id, event.ticket, STEP_STATUS[type(event)], note)
    elif isinstance(event, Demand.OverdueWarned):
        yield c.ReplyOverdue(demand_id=event.originator_id, due_at=event.due_at)
    elif isinstance(event, ProjectSuggestion.Raised):
        yield c.SuggestionRaised(
            suggestion_id=event.originator_id,
            title=event.title,
            category=event.category,
            towns=event.towns,
            demand_ids=event.demand_ids,
            split_from=event.split_from,
        )
    elif isinstance(event, ProjectSuggestion.Split):
        yield c.SuggestionSplit(
            suggestion_id=event.originator_id,
            removed_demand_ids=event.demand_ids,
            remaining_demand_ids=event.remaining,
            new_suggestion_id=event.into,
        )
    elif isinstance(event, ResidentContact.Erased):
        yield c.ResidentContactErased(contact_id=event.originator_id, erased_at=event.meta.occurred_at)
