"""Staff resolve a dead letter (死信): a hotline ticket that could not be applied is corrected and
applied, or dismissed with a reason; who did it and when is recorded. Applying a corrected ticket is
what intake's consumer does with any ticket (one demand per ticket id, however often it comes), done
here in the same transaction as the resolution: nothing is published from the request."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from services.intake.app.core import IntakeCore
from services.intake.app.sealed_letters import forget
from services.intake.domain.deadletter_resolution import DeadLetterResolution, resolution_id
from shared.bus.deadletter import DeadLetter, county_of_subject
from shared.bus.streams import HOTLINE
from shared.contracts import HotlineTicket
from shared.kernel.meta import Meta, RuleViolation
from shared.persistence.application import UnitOfWork


class StillMalformed(ValueError):
    """The corrected ticket is still not a valid ticket of the county: the reason says why."""


class AlreadyResolved(RuleViolation):
    """Somebody resolved this dead letter already."""

    reason = "already_resolved"


def corrected_ticket(body: Any, county: str) -> HotlineTicket:
    """The corrected body as a ticket of ``county``, or ``StillMalformed`` with the reason."""
    try:
        ticket = HotlineTicket.model_validate(body if not isinstance(body, (str, bytes)) else json.loads(body))
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or '(root)'}: {e['msg']}" for e in exc.errors()[:5])
        raise StillMalformed(f"更正后的工单仍有错误 / the corrected ticket is not valid: {problems}") from exc
    except ValueError as exc:
        raise StillMalformed(f"更正后的工单仍有错误 / the corrected ticket is not valid: {exc}") from exc
    if ticket.county != county:
        raise StillMalformed(f"工单的县不是本县 / ticket county {ticket.county} is not {county}")
    return ticket


def resubmittable(letter: DeadLetter) -> bool:
    return letter.service == "intake" and letter.original_stream == HOTLINE


class DeadLetterWork(IntakeCore):
    def resolve_dead_letter(self, meta: Meta, letter: DeadLetter, action: str, corrected: Any) -> DeadLetterResolution:
        """Apply the corrected ticket (``resubmit``) or ``dismiss`` dead letter ``letter`` of ``meta.county``."""
        county, sequence = meta.county, letter.sequence
        if self.find(resolution_id(county, sequence)) is not None:
            raise AlreadyResolved(f"这条死信已经处理过 / dead letter {sequence} was already resolved")
        uow = UnitOfWork(self)
        if action == "dismiss":
            resolution = DeadLetterResolution(
                meta=meta, sequence=sequence, action="dismissed", subject=letter.original_subject, note=""
            )
        elif action == "resubmit":
            if not resubmittable(letter) or county_of_subject(letter.original_subject) != county:
                raise RuleViolation(
                    "只有本县的12345工单可以更正后重新提交 / "
                    "only a hotline ticket of this county can be corrected and applied here",
                    reason="not_resubmittable",
                )
            if letter.erased and corrected in (None, ""):
                raise RuleViolation(
                    "来电人信息已删除，请完整填写更正后的工单 / the caller's details in this letter were erased: "
                    "give the corrected ticket in full",
                    reason="erased",
                )
            ticket = corrected_ticket(corrected if corrected not in (None, "") else letter.text(), county)
            self.vault.discard_pending()
            ticket_meta = Meta(
                county=county,
                actor_role=meta.actor_role,
                actor_id=meta.actor_id,
                occurred_at=ticket.received_at,
                correlation_id=f"hotline:{ticket.ticket_id}",
                causation_id=f"deadletter:{sequence}",
                reason=meta.reason,
            )
            demand = self.receive_ticket(uow, ticket, ticket_meta)
            resolution = DeadLetterResolution(
                meta=meta,
                sequence=sequence,
                action="resubmitted",
                subject=letter.original_subject,
                note=f"demand:{demand.id}",
            )
        else:
            raise RuleViolation("请选择更正后重新提交或作废 / action must be resubmit or dismiss")
        uow.add(resolution)
        self.save(*uow.aggregates())
        forget(self, letter)  # resolved: the letter's own copy of the details goes
        return resolution


__all__ = ["AlreadyResolved", "DeadLetterWork", "StillMalformed", "corrected_ticket", "resubmittable"]
