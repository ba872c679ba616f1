"""Intake's use cases: submit and follow demands, take hotline tickets, record lineage."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from shared.application import Inbound, NotFound, ServiceApplication, UnitOfWork
from shared.contracts import HotlineTicket
from shared.meta import Meta, RuleViolation
from services.intake.domain import Demand, ResidentContact, TrackingCode, hotline_demand_id, tracking_index_id
from services.intake.rules import CATEGORIES, is_tracking_code, new_tracking_code


@dataclass(frozen=True)
class NewDemand:
    channel: str
    town: str
    category: str
    text: str
    name: str = ""
    phone: str = ""
    address: str = ""
    location: dict | None = None
    attachments: list | None = None


class IntakeApplication(ServiceApplication):
    name = "intake"

    def submit(self, meta: Meta, new: NewDemand) -> Demand:
        """A demand from the web form, a liaison station, a deputy or a department list."""
        if new.category not in CATEGORIES:
            raise RuleViolation(f"unknown category {new.category!r}; one of {', '.join(CATEGORIES)}")
        uow = UnitOfWork(self)
        demand = self._create(uow, meta, new, hotline_ticket_id="")
        self.save(*uow.aggregates())
        return demand

    def _create(self, uow: UnitOfWork, meta: Meta, new: NewDemand, hotline_ticket_id: str) -> Demand:
        contact = None
        if new.name or new.phone or new.address:
            contact = uow.add(ResidentContact(meta=meta, name=new.name, phone=new.phone, address=new.address))
        code = self._unused_code(uow)
        demand = uow.add(
            Demand(
                meta=meta, channel=new.channel, town=new.town, category=new.category, text=new.text,
                contact_id=contact.id if contact else None, tracking_code=code, location=new.location,
                attachments=new.attachments, hotline_ticket_id=hotline_ticket_id,
            )
        )
        uow.add(TrackingCode(meta=meta, code=code, demand_id=demand.id))
        return demand

    def _unused_code(self, uow: UnitOfWork) -> str:
        while True:
            code = new_tracking_code()
            if uow.find(tracking_index_id(code)) is None:
                return code

    def receive_ticket(self, uow: UnitOfWork, ticket: HotlineTicket, meta: Meta) -> Demand:
        """A 12345 ticket: lands on exactly one demand, however often it is delivered."""
        existing = uow.find(hotline_demand_id(ticket.county, ticket.ticket_id))
        if existing is not None:
            return existing  # a redelivered or re-sent ticket
        category = ticket.category if ticket.category in CATEGORIES else "other"
        location = None
        if ticket.latitude is not None and ticket.longitude is not None:
            location = {"lat": ticket.latitude, "long": ticket.longitude}
        new = NewDemand(channel="hotline", town=ticket.town, category=category, text=ticket.text,
                        name=ticket.caller_name, phone=ticket.caller_phone, address=ticket.address, location=location)
        return self._create(uow, meta, new, hotline_ticket_id=ticket.ticket_id)

    def demand(self, demand_id: UUID, county: str | None = None) -> Demand:
        demand = self.load(demand_id, county)
        if not isinstance(demand, Demand):
            raise NotFound(str(demand_id))
        return demand

    def track(self, code: str) -> Demand:
        if not is_tracking_code(code):
            raise NotFound(code)
        index = self.find(tracking_index_id(code))
        if not isinstance(index, TrackingCode):
            raise NotFound(code)
        return self.demand(index.demand_id)

    def contact(self, contact_id: UUID, county: str) -> ResidentContact:
        contact = self.load(contact_id, county)
        if not isinstance(contact, ResidentContact):
            raise NotFound(str(contact_id))
        return contact

    def note_stage(self, uow: UnitOfWork, meta: Meta, demand_ids: list[UUID], stage: str, ref_id: str,
                   title: str, detail: str = "") -> int:
        """Lineage from decision, supervision and evaluation onto each original demand."""
        noted = 0
        for demand_id in demand_ids:
            demand = uow.find(demand_id)
            if isinstance(demand, Demand) and demand.county == meta.county:
                demand.note_stage(meta, stage, ref_id, title, detail)
                noted += 1
        return noted


__all__ = ["IntakeApplication", "NewDemand", "Inbound"]
