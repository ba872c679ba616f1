"""A role's home (工作台): what waits for the person signed in, gathered from the four services, each
asked with the person's own credentials for their part of it
(``GET /<service>/api/counties/{c}/worklist``, one per county of their scope), plus the dead letters
of the hotline for staff (``GET /intake/api/counties/{c}/deadletters``) and, for a deputy, whether the
registry knows them (their record of duty is then linked).

Each service answers by role (``shared/views/worklist.py``); here the answers are put side by side:
one section per role the person holds, its tasks in the order of the yearly loop. A service that does
not answer leaves its part out, and the page says which parts are missing."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

from services.gateway.read.upstream import Fetch
from shared import divisions
from shared.auth import Principal, Role
from shared.kernel.meta import is_county_code
from shared.views.worklist import item

SERVICES = ("intake", "decision", "supervision", "evaluation")
WORKING = (Role.CONGRESS_STAFF, Role.GOV_UNIT, Role.DEPUTY)
ROLE_ORDER = ("congress_staff", "gov_unit", "deputy")
SHOWN = 8
UNRESOLVED = {"resolved": "false", "limit": SHOWN}  # the unresolved dead letters: the first shown, and their total


def deadletter_task(county: str, letters: dict | None) -> dict[str, Any] | None:
    """Staff's task for the county's unresolved dead letters (poison hotline tickets), if any: the
    first page of them (:data:`UNRESOLVED`), counted by the list's ``total``."""
    if not letters:
        return None
    waiting = [x for x in letters.get("items", []) if not x.get("resolved")]
    if not waiting:
        return None
    href = f"/intake/deadletters?county={county}"
    label = "worklist_deadletter_title"
    items = [item(f"#{x['sequence']}", href, label={"key": label, "sequence": x["sequence"]}) for x in waiting[:SHOWN]]
    count = int(letters.get("total", len(waiting)))
    return {"kind": "deadletters", "count": count, "href": href, "items": items, "service": "intake"}


def merge(county: str, answers: dict[str, dict | None], letters: dict | None) -> dict[str, Any]:
    """One county's worklist: by role, the tasks of every service that answered."""
    roles: dict[str, list[dict]] = {}
    for service in SERVICES:
        for role, found in ((answers.get(service) or {}).get("roles") or {}).items():
            roles.setdefault(role, []).extend({**t, "service": service} for t in found)
    if "congress_staff" in roles or "gov_unit" in roles:
        extra = deadletter_task(county, letters)
        if extra is not None:
            roles.setdefault("congress_staff" if "congress_staff" in roles else "gov_unit", []).insert(0, extra)
    return {
        "county": county,
        "name": divisions.county_name(county) or county,
        "roles": {role: roles.get(role, []) for role in ROLE_ORDER if role in roles},
        "missing": [s for s in SERVICES if answers.get(s) is None],
    }


async def county_worklist(fetch: Fetch, principal: Principal, county: str) -> dict[str, Any]:
    answers = await asyncio.gather(*(fetch(s, f"counties/{county}/worklist", {}) for s in SERVICES))
    staff = principal.has_any({Role.CONGRESS_STAFF, Role.GOV_UNIT})
    letters = await fetch("intake", f"counties/{county}/deadletters", UNRESOLVED) if staff else None
    found = merge(county, dict(zip(SERVICES, answers, strict=True)), letters)
    if Role.DEPUTY in principal.roles:
        entry = await fetch("intake", f"counties/{county}/deputies/{quote(principal.subject, safe='')}", {})
        found["deputy_record"] = f"/deputies/{county}/{quote(principal.subject, safe='')}" if entry else None
    return found


async def worklist(fetch: Fetch, principal: Principal) -> list[dict[str, Any]]:
    """The worklist of every county the person's scope names (a city- or province-wide scope names
    none: such a person works from the province view)."""
    if not principal.has_any(set(WORKING)):
        return []
    counties = [c for c in principal.counties if is_county_code(c)]
    return list(await asyncio.gather(*(county_worklist(fetch, principal, c) for c in counties)))
