"""Intake's use cases: submit and follow demands, take hotline tickets, keep residents' contact
sealed and erasable, record lineage. Triage, merging and deputies' work are in their own mixins."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any
from uuid import UUID, uuid4, uuid5

from eventsourcing.persistence import RecordConflictError, Recording

from services.intake.app.vault import ContactVault, KeyErased, vault_for_env
from services.intake.domain.contact import ResidentContact
from services.intake.domain.demand import NAMESPACE, Demand, hotline_demand_id
from services.intake.domain.deputy import Deputy, deputy_key
from services.intake.domain.reception import Reception
from services.intake.domain.rules import CATEGORIES, DEFAULTS, RANGES, is_tracking_code, new_tracking_code
from services.intake.domain.station import LiaisonStation
from services.intake.domain.tracking_code import TrackingCode, tracking_index_id
from shared.contracts import HotlineTicket
from shared.kernel.meta import Meta, RuleViolation
from shared.persistence.application import Inbound, NotFound, ServiceApplication, UnitOfWork
from shared.persistence.group_commit import GroupCommit

SERVICE = "intake"


@dataclass(frozen=True)
class NewDemand:
    channel: str
    town: str
    category: str
    text: str
    name: str = ""
    phone: str = ""
    address: str = ""
    location: dict[str, Any] | None = None
    attachments: list[Any] | None = None
    # the source: a liaison station, a deputy (their account), a reception (through a code or at the station)
    station_id: UUID | None = None
    deputy_id: str = ""
    reception_id: UUID | None = None
    # names the demand: a retry of the same request (an Idempotency-Key's digest) finds the demand it made
    origin_key: str = ""


@dataclass(frozen=True)
class Contact:
    """A resident's contact as staff see it; ``erased`` once the key was destroyed."""

    name: str = ""
    phone: str = ""
    address: str = ""
    erased: bool = False


def hotline_contact_id(ticket: HotlineTicket) -> UUID:
    """Derived from the ticket, so a retried batch reuses the same key in the vault."""
    return ticket_contact_id(ticket.county, ticket.ticket_id)


@lru_cache(maxsize=8192)  # asked twice per ticket (the batch's key lookup, then sealing)
def ticket_contact_id(county: str, ticket_id: str) -> UUID:
    return uuid5(NAMESPACE, f"contact:hotline:{county}:{ticket_id}")


class IntakeCore(ServiceApplication):
    name = "intake"
    RULE_RANGES = RANGES

    def __init__(self, env: dict[str, str] | None = None, *, vault: ContactVault | None = None) -> None:
        super().__init__(env)
        self.vault = vault if vault is not None else vault_for_env(dict(self.env))
        # Submissions arriving together are saved together: one transaction (and one key-store write)
        # for every demand that came in while the previous transaction was being written.
        self.submissions: GroupCommit[tuple[Meta, NewDemand], Demand] = GroupCommit(self._submit_together)

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[Any]]:
        """Residents' new keys are written first: no sealed contact is ever stored without its key."""
        self.vault.flush()
        return super().save(*objs, **kwargs)

    def process_batch(
        self,
        messages: Sequence[Inbound],
        handle: Callable[[UnitOfWork, Inbound], None],
        prefetch: Callable[[UnitOfWork, Sequence[Inbound]], None] | None = None,
    ) -> None:
        self.vault.discard_pending()
        try:
            super().process_batch(messages, handle, prefetch)
        finally:
            self.vault.discard_pending()

    def close(self) -> None:
        super().close()
        self.vault.close()

    def rules(self, county: str) -> tuple[int, dict[str, Any]]:
        return self.current_rules(SERVICE, county, DEFAULTS)

    # -- submitting ------------------------------------------------------------------------------
    def submit(self, meta: Meta, new: NewDemand) -> Demand:
        """A demand from the web form, a liaison station, a deputy, a department list or Open311;
        saved in one transaction with the other submissions that arrive meanwhile (group commit)."""
        if new.category not in CATEGORIES:
            raise RuleViolation(f"没有这个诉求类别 / unknown category {new.category!r}; one of {', '.join(CATEGORIES)}")
        return self.submissions.submit((meta, new))

    async def submit_async(self, meta: Meta, new: NewDemand) -> Demand:
        """:meth:`submit` for an async route: its request waits on the event loop, not in a thread."""
        if new.category not in CATEGORIES:
            raise RuleViolation(f"没有这个诉求类别 / unknown category {new.category!r}; one of {', '.join(CATEGORIES)}")
        return await self.submissions.submit_async((meta, new))

    def _submit_together(self, items: Sequence[tuple[Meta, NewDemand]]) -> list[Demand | BaseException]:
        """Each submission checked and built on its own (a refused one answers its refusal alone), then
        every accepted one saved in one transaction. Should that save fail (a random tracking code
        taken, 1 in 32^10), each is saved alone instead, drawing new codes."""
        memo: dict[object, Any] = {}
        answers: list[Demand | BaseException] = []
        aggregates: list[Any] = []
        self.vault.discard_pending()
        for meta, new in items:
            uow = UnitOfWork(self, memo)
            try:
                demand = self._build_submission(uow, meta, new)
            except Exception as exc:  # noqa: BLE001 - this submission's refusal (or failure) is its answer alone
                answers.append(exc)
                continue
            answers.append(demand)
            aggregates += uow.aggregates()
        if not aggregates:
            return answers
        try:
            self.save(*aggregates)
            return answers
        except RecordConflictError:
            pass
        return [
            answer if isinstance(answer, BaseException) else self._submit_alone(meta, new)
            for (meta, new), answer in zip(items, answers, strict=True)
        ]

    def _submit_alone(self, meta: Meta, new: NewDemand) -> Demand | BaseException:
        try:
            return self._save_alone(meta, new)
        except Exception as exc:  # noqa: BLE001 - its own answer; the others of the batch are saved
            return exc

    def _build_submission(self, uow: UnitOfWork, meta: Meta, new: NewDemand) -> Demand:
        """The demand a submission makes, not yet saved; or, sent again after its first answer was lost
        (the same origin key), the demand the first one made (nothing to save). Two of one origin in one
        batch make the same demand id: the batch's save fails and each is saved alone, the second
        finding the first."""
        if new.origin_key:
            existing = uow.find(uuid5(NAMESPACE, f"origin:{meta.county}:{new.origin_key}"))
            if isinstance(existing, Demand):
                return existing
        new, receivers = self._check_source(uow, meta, new)
        # a contact's key stored ahead: the request then writes only its events (vault.py)
        spare = self.vault.take_spare(meta.county) if (new.name or new.phone or new.address) else None
        contact_id = spare or uuid4()
        demand = self._create(uow, meta, new, hotline_ticket_id="", contact_id=contact_id, origin_key=new.origin_key)
        for deputy_id in receivers:
            demand.push_to_deputy(meta, deputy_id)  # 代表线上接单: whoever the resident turned to
        return demand

    def _save_alone(self, meta: Meta, new: NewDemand) -> Demand:
        for attempt in range(3):
            uow = UnitOfWork(self)
            self.vault.discard_pending()
            demand = self._build_submission(uow, meta, new)
            try:
                self.save(*uow.aggregates())
            except RecordConflictError:  # the random tracking code was taken: draw again
                if attempt == 2:
                    raise
                continue
            return demand
        raise AssertionError("unreachable")

    def _check_source(self, uow: UnitOfWork, meta: Meta, new: NewDemand) -> tuple[NewDemand, list[str]]:
        """A demand naming a station, deputy or reception names real ones of its county (a reception
        not cancelled and already begun, at its own station). Returns the demand with the reception's
        station filled in, and the deputies who receive it: the deputy named, else the reception's
        deputies (those present, else those expected), else the station's."""
        station = reception = None
        if new.reception_id is not None:
            reception = uow.find_as(Reception, new.reception_id)
            if reception is None or reception.county != meta.county:
                raise RuleViolation(
                    f"本县没有这次接待活动 / no reception {new.reception_id} in county {meta.county}",
                    reason="unknown_source",
                )
            if not reception.takes_demands_at(meta.occurred_at):
                raise RuleViolation(
                    "这次接待活动已取消或尚未开始 / that reception was cancelled or has not begun",
                    reason="reception_not_open",
                )
            if new.station_id is not None and new.station_id != reception.station_id:
                raise RuleViolation(
                    "这次接待活动在另一个联络站举行 / the reception is held at another station", reason="unknown_source"
                )
            new = replace(new, station_id=reception.station_id)
        station_id = new.station_id
        if station_id is not None:
            station = uow.find_as(LiaisonStation, station_id)
            if station is None or station.county != meta.county:
                raise RuleViolation(
                    f"本县没有这个代表联络站 / no liaison station {station_id} in county {meta.county}",
                    reason="unknown_source",
                )
        if new.deputy_id:
            deputy = uow.find_as(Deputy, deputy_key(meta.county, new.deputy_id))
            if deputy is None:
                raise RuleViolation(
                    f"本县代表名册中没有这位代表 / no deputy {new.deputy_id} in county {meta.county}",
                    reason="unknown_source",
                )
            if not deputy.active:
                raise RuleViolation("这位代表已届满离任 / this deputy's term has ended", reason="deputy_retired")
            return new, [new.deputy_id]
        if reception is not None:
            return new, list(reception.present or reception.deputy_ids)
        return new, list(station.deputy_ids) if station is not None else []

    def _create(
        self,
        uow: UnitOfWork,
        meta: Meta,
        new: NewDemand,
        hotline_ticket_id: str,
        contact_id: UUID,
        origin_key: str = "",
    ) -> Demand:
        contact = None
        fields = {k: v for k, v in (("name", new.name), ("phone", new.phone), ("address", new.address)) if v}
        if fields:
            sealed = self.vault.seal(contact_id, meta.county, fields)
            contact = uow.add(ResidentContact(meta=meta, contact_id=contact_id, sealed=sealed))
        code = new_tracking_code()  # 32^10 codes: a clash fails the save (unique id) and is retried
        demand = uow.add(
            Demand(
                meta=meta,
                channel=new.channel,
                town=new.town,
                category=new.category,
                text=new.text,
                contact_id=contact.id if contact else None,
                tracking_code=code,
                location=new.location,
                attachments=new.attachments,
                hotline_ticket_id=hotline_ticket_id,
                origin_key=origin_key,
                station_id=new.station_id,
                deputy_id=new.deputy_id,
                reception_id=new.reception_id,
            )
        )
        uow.add(TrackingCode(meta=meta, code=code, demand_id=demand.id))
        _, rules = uow.memo(("rules", meta.county), lambda: self.rules(meta.county))
        for deputy in rules["deputy_areas"].get(new.town, []):
            demand.push_to_deputy(meta, str(deputy))  # 代表线上接单
        return demand

    def open_lookback_demand(
        self,
        uow: UnitOfWork,
        meta: Meta,
        lookback_id: UUID,
        project_id: UUID,
        project_name: str,
        town: str,
        problem: str,
    ) -> Demand:
        """翌年回头看 found a problem with a completed project: it becomes a new demand, linked to the
        project, once however often the finding is delivered."""
        origin_key = f"lookback:{lookback_id}"
        existing = uow.find(uuid5(NAMESPACE, f"origin:{meta.county}:{origin_key}"))
        if isinstance(existing, Demand):
            return existing
        text = f"【回头看】{project_name}（项目 {project_id}）：{problem}"
        new = NewDemand(channel="lookback", town=town or "-", category="other", text=text[:4000])
        return self._create(uow, meta, new, hotline_ticket_id="", contact_id=uuid4(), origin_key=origin_key)

    def receive_ticket(self, uow: UnitOfWork, ticket: HotlineTicket, meta: Meta) -> Demand:
        """A 12345 ticket: lands on exactly one demand, however often it is delivered."""
        existing = uow.find_as(Demand, hotline_demand_id(ticket.county, ticket.ticket_id))
        if existing is not None:
            return existing  # a redelivered or re-sent ticket
        category = ticket.category if ticket.category in CATEGORIES else "other"
        location = None
        if ticket.latitude is not None and ticket.longitude is not None:
            location = {"lat": ticket.latitude, "long": ticket.longitude}
        new = NewDemand(
            channel="hotline",
            town=ticket.town,
            category=category,
            text=ticket.text,
            name=ticket.caller_name,
            phone=ticket.caller_phone,
            address=ticket.address,
            location=location,
        )
        return self._create(uow, meta, new, hotline_ticket_id=ticket.ticket_id, contact_id=hotline_contact_id(ticket))

    # -- reading ---------------------------------------------------------------------------------
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

    def contact(self, contact_id: UUID, county: str) -> Contact:
        """The resident's contact in clear, for the county's staff; blank and ``erased`` after erasure."""
        aggregate = self.load(contact_id, county)
        if not isinstance(aggregate, ResidentContact):
            raise NotFound(str(contact_id))
        if aggregate.erased:
            return Contact(erased=True)
        try:
            fields = self.vault.open(aggregate.id, aggregate.sealed)
            return Contact(
                name=fields.get("name", ""), phone=fields.get("phone", ""), address=fields.get("address", "")
            )
        except KeyErased:
            return Contact(erased=True)

    # -- erasure (crypto-shredding) ------------------------------------------------------------
    def erase_contact(self, meta: Meta, demand_id: UUID) -> dict[str, Any]:
        """Destroy the resident's key, then record who erased it and why. History stays intact."""
        demand = self.demand(demand_id, meta.county)
        if demand.contact_id is None:
            raise RuleViolation("这条诉求没有可删除的联系方式 / this demand has no contact details to erase")
        contact = self.load(demand.contact_id, meta.county)
        assert isinstance(contact, ResidentContact)
        if not meta.reason:
            raise RuleViolation("删除群众个人信息须说明理由 / erasing a resident's details needs a reason")
        destroyed = self.vault.erase(contact.id)
        contact.erase(meta, demand.id)
        self.save(contact)
        return {
            "demand_id": str(demand.id),
            "contact_id": str(contact.id),
            "key_destroyed": destroyed,
            "erased_at": contact.erased_at,
        }

    # -- lineage ---------------------------------------------------------------------------------
    def escalate_from_micro(
        self, uow: UnitOfWork, meta: Meta, demand_ids: list[UUID], investment: int, reason: str
    ) -> int:
        """Decision found a micro proposal over the cap: its demands move up to the major tier
        (a project suggestion for the vote), with decision's reason. Closed or duplicate demands stay."""
        version, _ = self.rules(meta.county)
        moved = 0
        for demand_id in demand_ids:
            demand = uow.find(demand_id)
            if (
                not isinstance(demand, Demand)
                or demand.county != meta.county
                or demand.closed
                or demand.duplicate_of is not None
                or demand.tier == "major"
            ):
                continue
            demand.escalate(meta, "major", reason, version, demand.scope or "town", investment)
            moved += 1
        return moved

    def note_stage(
        self, uow: UnitOfWork, meta: Meta, demand_ids: list[UUID], stage: str, ref_id: str, title: str, detail: str = ""
    ) -> int:
        """Lineage from decision, supervision and evaluation onto each original demand."""
        noted = 0
        for demand_id in demand_ids:
            demand = uow.find(demand_id)
            if isinstance(demand, Demand) and demand.county == meta.county:
                demand.note_stage(meta, stage, ref_id, title, detail)
                noted += 1
        return noted
