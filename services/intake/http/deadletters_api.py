"""Intake's JSON API, part 4 (staff): dead letters (死信) with their reasons, re-submission after
correction, and dismissal. Resolutions are recorded in intake's store, so the view shows who
resolved each one and when."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field, ValidationError

from services.intake.app.application import IntakeApplication
from services.intake.app.sealed_letters import forget, open_letter
from services.intake.domain.deadletter_resolution import DeadLetterResolution, resolution_id
from services.intake.http.demands_api import County
from services.intake.read.projections import RESOLUTION
from shared.auth import Principal, Role
from shared.bus.deadletter import DeadLetter, county_of_subject, list_deadletters
from shared.bus.streams import HOTLINE
from shared.contracts import HotlineTicket
from shared.kernel.meta import Meta
from shared.views.store import ViewStore
from shared.web.access import allow, check_county
from shared.web.problems import Problem
from shared.web.requests import meta_for


class ResolutionIn(BaseModel):
    action: Literal["resubmit", "dismiss"]
    body: Any = Field(default=None, description="the corrected message (JSON object) for resubmit")
    reason: str = Field(default="", max_length=500)


def validate_ticket(body: Any, county: str) -> bytes:
    """The corrected body must now be a valid ticket of this county, or we refuse with the reason."""
    try:
        ticket = HotlineTicket.model_validate(body if not isinstance(body, (str, bytes)) else json.loads(body))
    except (ValidationError, ValueError) as exc:
        detail = (
            str(exc)
            if not isinstance(exc, ValidationError)
            else "; ".join(f"{'.'.join(map(str, e['loc'])) or '(root)'}: {e['msg']}" for e in exc.errors()[:5])
        )
        raise Problem(
            422, "Still malformed", f"the corrected ticket is not valid: {detail}", reason="still_malformed"
        ) from exc
    if ticket.county != county:
        raise Problem(
            422, "Still malformed", f"ticket county {ticket.county} is not {county}", reason="still_malformed"
        )
    return ticket.model_dump_json().encode()


def letter_view(letter: DeadLetter, resolution: dict | None) -> dict:
    return {
        **letter.as_dict(),
        "resolution": resolution,
        "resolved": resolution is not None,
        "resubmittable": letter.service == "intake" and letter.original_stream == HOTLINE,
    }


async def resolve_letter(
    app: IntakeApplication, js: Any, county: str, sequence: int, meta: Meta, action: str, corrected: Any
) -> DeadLetterResolution:
    """Re-submit (the corrected body, to the original subject) or dismiss dead letter ``sequence``,
    and record who did it. Refusals are problems with a reason."""
    if js is None:
        raise Problem(503, "Unavailable", "not connected to NATS", reason="nats_unavailable")
    letter = next((x for x in await opened_letters(app, js, county) if x.sequence == sequence), None)
    if letter is None:
        raise Problem(404, "Not found", f"no dead letter {sequence} in county {county}", reason="not_found")
    if await asyncio.to_thread(app.find, resolution_id(county, sequence)) is not None:
        raise Problem(
            409, "Already resolved", f"dead letter {sequence} was already resolved", reason="already_resolved"
        )
    if action == "dismiss":
        resolution = DeadLetterResolution(
            meta=meta, sequence=sequence, action="dismissed", subject=letter.original_subject, note=""
        )
    else:
        if not (letter.service == "intake" and letter.original_stream == HOTLINE):
            raise Problem(
                409, "Not re-submittable", "only hotline tickets can be re-submitted here", reason="not_resubmittable"
            )
        if county_of_subject(letter.original_subject) != county:
            raise Problem(409, "Not re-submittable", "the original subject names no county", reason="not_resubmittable")
        if letter.erased and corrected in (None, ""):
            raise Problem(
                409,
                "Erased",
                "the caller's details in this letter were erased: re-submit a corrected ticket in full",
                reason="erased",
            )
        data = validate_ticket(corrected if corrected not in (None, "") else letter.text(), county)
        # Nats-Msg-Id per dead letter: pressing the button twice publishes once.
        ack = await js.publish(letter.original_subject, data, headers={"Nats-Msg-Id": f"resubmit:{county}:{sequence}"})
        resolution = DeadLetterResolution(
            meta=meta,
            sequence=sequence,
            action="resubmitted",
            subject=letter.original_subject,
            note=f"{ack.stream}:{ack.seq}",
        )
    await asyncio.to_thread(app.save, resolution)
    await asyncio.to_thread(forget, app, letter)  # resolved: the letter's own copy of the details goes
    return resolution


async def opened_letters(app: IntakeApplication, js: Any, county: str) -> list[DeadLetter]:
    """A county's dead letters, hotline tickets' bodies opened with the caller's key (or erased)."""
    letters = await list_deadletters(js, county=county, limit=1000)
    return await asyncio.to_thread(lambda: [open_letter(app, x) for x in letters])


def make_deadletter_router(app: IntakeApplication, views: ViewStore) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["dead letters"])

    async def letters(request: Request, county: str) -> list[DeadLetter]:
        runtime = request.app.state.runtime
        if runtime.js is None:
            raise Problem(503, "Unavailable", "not connected to NATS", reason="nats_unavailable")
        return await opened_letters(app, runtime.js, county)

    @router.get("/counties/{county}/deadletters")
    async def deadletters(
        county: County,
        request: Request,
        principal: Annotated[Principal, Depends(allow(Role.CONGRESS_STAFF, Role.GOV_UNIT, Role.AUDITOR))],
        resolved: bool | None = None,
    ) -> dict:
        """Messages that could not be processed, with their reasons (死信) and how each was resolved."""
        check_county(principal, county)
        resolutions = {d["sequence"]: d for d in views.list(RESOLUTION, county)}
        items = [letter_view(x, resolutions.get(x.sequence)) for x in await letters(request, county)]
        if resolved is not None:
            items = [i for i in items if i["resolved"] == resolved]
        return {
            "county": county,
            "total": len(items),
            "open": sum(1 for i in items if not i["resolved"]),
            "items": items,
        }

    @router.get("/deadletters/without-county")
    async def deadletters_without_county(
        request: Request, principal: Annotated[Principal, Depends(allow(Role.ADMIN, Role.AUDITOR))]
    ) -> dict:
        """Dead letters whose subject names no valid county (they belong to no county's staff): for the
        installation's administrators and auditors, so nothing dead-lettered is out of sight."""
        if Role.ADMIN not in principal.roles and "*" not in principal.counties:
            raise Problem(
                403, "Forbidden", "only an administrator or an auditor of every county sees these", reason="forbidden"
            )
        items = [letter_view(x, None) for x in await letters(request, "unknown")]
        return {"county": "unknown", "total": len(items), "items": items}

    @router.post("/counties/{county}/deadletters/{sequence}")
    async def resolve(
        county: County,
        sequence: int,
        body: ResolutionIn,
        request: Request,
        principal: Annotated[Principal, Depends(allow(Role.CONGRESS_STAFF, Role.GOV_UNIT, write=True))],
    ) -> dict:
        """Re-submit a corrected hotline ticket to its original subject, or dismiss the dead letter."""
        check_county(principal, county)
        meta = meta_for(request, principal, county, reason=body.reason)
        resolution = await resolve_letter(
            app, request.app.state.runtime.js, county, sequence, meta, body.action, body.body
        )
        return {
            "sequence": sequence,
            "action": resolution.action,
            "resolved_by": resolution.resolved_by,
            "resolved_at": resolution.resolved_at,
            "note": resolution.note,
        }

    return router
