"""What every page about deputies, stations and receptions shares: the templates with the
registry's lists, the county gate (staff of the county only), commands run from a form with the
refusal shown back, deputies' names, receptions ahead."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from services.intake.domain.deputy import LEVELS
from services.intake.domain.reception import KINDS
from services.intake.domain.rules import CATEGORIES
from services.intake.http.registry_texts import MESSAGES
from services.intake.read.overview import CHINA
from services.intake.read.registry import DEPUTY, RECEPTION
from shared.auth import Principal, Role
from shared.views.store import ViewStore
from shared.web.feedback import done_then_back, problem_of
from shared.web.i18n import register_messages
from shared.web.templating import make_templates, render
from shared.web.viewer import viewer_county

TEMPLATES = Path(__file__).parent / "templates"
STAFF = {Role.CONGRESS_STAFF}
READERS = {Role.CONGRESS_STAFF, Role.GOV_UNIT, Role.DEPUTY, Role.AUDITOR, Role.PROVINCE_VIEWER}
register_messages(MESSAGES)


def local_time(value: str) -> datetime:
    """A ``datetime-local`` field (``2026-03-15T19:00``), read as China time."""
    moment = datetime.fromisoformat(value.strip())
    return moment if moment.tzinfo else moment.replace(tzinfo=CHINA)


class LiaisonFrame:
    def __init__(self, views: ViewStore) -> None:
        self.views = views
        self.templates = make_templates(TEMPLATES, static_base="/intake/static")

    def page(self, request: Request, name: str, context: dict, status_code: int = 200) -> Response:
        problem = context.get("problem") or problem_of(request)
        context = {**context, "problem": problem}
        base = {"levels": LEVELS, "kinds": KINDS, "categories": list(CATEGORIES)}
        return render(self.templates, request, name, {**base, **context}, status_code=status_code)

    def gate(self, request: Request, county: str, roles: set[Role]) -> tuple[Principal, str, Response | None]:
        """(principal, county, refusal): the login page for other roles, 403 for another county."""
        principal, county, allowed = viewer_county(request, county)
        if not principal.has_any(roles):
            return principal, county, RedirectResponse("/login", status_code=303)
        if not allowed:
            problem = problem_of(request, "无权查看该县 / County outside your scope")
            context = {"county": county, "denied": True, "problem": problem}
            return principal, county, self.page(request, "registry.html", context, 403)
        return principal, county, None

    @staticmethod
    def act(request: Request, back: str, fn: Callable[[], object]) -> Response:
        """Run a command from a form; back to the page once it shows it, or with the refusal shown."""
        return done_then_back(request, back, fn)

    def names(self, county: str) -> dict[str, str]:
        return {d["deputy_id"]: d["name"] for d in self.views.list(DEPUTY, county)}

    def upcoming(self, county: str, now: datetime, station_ids: set[str], deputy_id: str = "") -> list[dict]:
        """Receptions ahead at these stations, or expecting this deputy (the next ten)."""
        found = [
            r
            for r in self.views.list(RECEPTION, county)
            if r["status"] == "scheduled"
            and datetime.fromisoformat(r["ends_at"]) >= now
            and (r["station_id"] in station_ids or (deputy_id and deputy_id in r["deputy_ids"]))
        ]
        return sorted(found, key=lambda r: r["starts_at"])[:10]
