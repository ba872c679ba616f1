"""What supervision's pages share: the templates, the gates (the login page for a role that may not
act here, 403 for another county, 404 for another county's project), today's date in China from the
service's clock, commands run from a form with the refusal shown back in the page's language, and
the confirmations a page shows after a step (``?done=<step>``: only the steps listed here)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from services.supervision.app.application import SupervisionApplication
from services.supervision.domain.project import Project
from services.supervision.http.texts import register
from shared.auth import Principal, Role
from shared.kernel.china_time import china_date
from shared.kernel.meta import Meta, RuleViolation
from shared.persistence.application import NotFound
from shared.web.access import principal_of
from shared.web.feedback import settle
from shared.web.i18n import language, translate
from shared.web.problems import Problem
from shared.web.refusals import refusal_text, validation_text
from shared.web.requests import meta_for
from shared.web.templating import make_templates, render
from shared.web.viewer import viewer_county

TEMPLATES = Path(__file__).parent / "templates"
STAFF = {Role.CONGRESS_STAFF}
UNIT = {Role.GOV_UNIT}
INSPECTORS = {Role.DEPUTY, Role.CONGRESS_STAFF}
ACCEPTORS = {Role.DEPUTY, Role.CONGRESS_STAFF}
READ_ONLY = {Role.AUDITOR, Role.PROVINCE_VIEWER}
DONE = (
    "plan_filed",
    "progress_reported",
    "completion_reported",
    "finding_answered",
    "finding_assigned",
    "finding_recorded",
    "finding_reviewed",
    "group_assigned",
    "acceptance_checked",
    "change_requested",
    "change_decided",
    "report_filed",
    "inquiry_recorded",
    "audit_recorded",
    "session_close_recorded",
    "warning_resolved",
    "roster_changed",
)


class Refused(Exception):
    """A page's command was refused: the sentences to show, and the status to answer with."""

    def __init__(self, messages: list[str], status: int) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages
        self.status = status


class PageFrame:
    def __init__(self, app: SupervisionApplication) -> None:
        register()
        self.app = app
        self.templates = make_templates(TEMPLATES, static_base="/supervision/static")

    # -- rendering -------------------------------------------------------------------------------
    def page(self, request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> Response:
        done = request.query_params.get("done", "")
        flash = translate(language(request), f"done_{done}") if done in DONE else ""
        return render(self.templates, request, name, {"flash": flash, **context}, status_code=status_code)

    def refused_page(self, request: Request, name: str, context: dict[str, Any], refusal: Refused) -> Response:
        problem = {"title": translate(language(request), "refused"), "errors": refusal.messages}
        return self.page(request, name, {**context, "problem": problem}, status_code=refusal.status)

    @staticmethod
    def today(request: Request) -> date:
        clock: Callable[[], datetime] = request.app.state.clock
        return china_date(clock())

    # -- gates -----------------------------------------------------------------------------------
    def gate(
        self, request: Request, county: str, roles: set[Role], name: str, *, write: bool = False
    ) -> tuple[Principal, str] | Response:
        """(principal, county), or the answer instead of the page: the login page for a role that may
        not be here (or may only read, when ``write``), 403 for a county outside the caller's scope."""
        principal, county, allowed = viewer_county(request, county)
        if not principal.has_any(roles) or (write and principal.roles <= READ_ONLY):
            return RedirectResponse("/login", status_code=303)
        if not allowed:
            problem = {"title": translate(language(request), "county_outside_scope"), "detail": county}
            return self.page(request, name, {"county": county, "problem": problem}, 403)
        return principal, county

    def project_gate(
        self, request: Request, project_id: UUID, roles: set[Role], name: str
    ) -> tuple[Principal, Project] | Response:
        """(principal, project) for a role that acts on it, or the answer instead: the login page, or
        404 for no such project and for another county's (as in the API)."""
        principal = principal_of(request)
        if not principal.has_any(roles) or principal.roles <= READ_ONLY:
            return RedirectResponse("/login", status_code=303)
        try:
            project = self.app.project(project_id)
        except NotFound:
            project = None
        if project is None or not principal.covers(project.county):
            problem = {"title": translate(language(request), "no_such_project"), "detail": ""}
            return self.page(request, name, {"p": None, "problem": problem}, 404)
        return principal, project

    # -- commands --------------------------------------------------------------------------------
    def run(self, request: Request, fn: Callable[[], object], labels: Mapping[str, str] | None = None) -> None:
        """Run a command, then wait until the read models include what it stored (the page shown next
        shows it); a refusal becomes :class:`Refused` with its text in the page's language: a rule's
        Chinese (or English) half, or pydantic's errors named by the form's ``labels``."""
        lang = language(request)
        try:
            fn()
            settle(request)
        except ValidationError as exc:
            raise Refused(validation_text(exc.errors(), labels or {}, lang), 422) from exc
        except Problem as exc:
            raise Refused([refusal_text(exc.detail or exc.title, lang)], exc.status) from exc
        except NotFound as exc:
            raise Refused([translate(lang, "no_such_project")], 404) from exc
        except RuleViolation as exc:
            raise Refused([refusal_text(str(exc), lang)], 409) from exc

    @staticmethod
    def meta(request: Request, principal: Principal, county: str, reason: str = "") -> Meta:
        return meta_for(request, principal, county, reason=reason.strip())

    @staticmethod
    def done(url: str, step: str) -> Response:
        sep = "&" if "?" in url else "?"
        return RedirectResponse(f"{url}{sep}done={step}", status_code=303)
