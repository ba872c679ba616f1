"""What decision's working pages share: the templates (with the refusal and name filters), the county
gate by role, a command run from a form (refused in the page's language, or on to the next page once the
read models show it), form validation in Chinese named by the form's labels, and the China date."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from services.decision.http.page_texts import register as register_page_texts
from services.decision.http.texts import register as register_vote_texts
from shared.auth import Principal, Role
from shared.kernel.meta import RuleViolation
from shared.persistence.application import NotFound
from shared.web.feedback import settle
from shared.web.i18n import language, translate
from shared.web.refusals import refusal_text, validation_text
from shared.web.templating import CHINA, make_templates, render
from shared.web.viewer import viewer_county

TEMPLATES = Path(__file__).parent / "templates"
STAFF = frozenset({Role.CONGRESS_STAFF})
GOV = frozenset({Role.GOV_UNIT})
DEPUTY = frozenset({Role.DEPUTY})
DRAFTERS = frozenset({Role.GOV_UNIT, Role.CONGRESS_STAFF})  # draft and screen candidates, draft lists
T = TypeVar("T")
READERS = frozenset({Role.CONGRESS_STAFF, Role.GOV_UNIT, Role.DEPUTY, Role.AUDITOR, Role.PROVINCE_VIEWER})


def who(entry: Mapping[str, Any], lang: str = "zh", names: Mapping[str, str] | None = None) -> str:
    """Who did it: their name from the login (every event since 2026-12), else from a registry (the
    roll), else their role's name; never an account id."""
    if entry.get("by_name"):
        return str(entry["by_name"])
    if names and entry.get("by") in names:
        return names[str(entry["by"])]
    if entry.get("role"):
        return translate(lang, f"role_{entry['role']}")
    return "—"


def named(text: str, names: Mapping[str, str]) -> str:
    """A stored text with the ids it mentions (candidates in a box's flags) replaced by their names."""
    for key, name in names.items():
        text = text.replace(key, name)
    return text


class PageFrame:
    def __init__(self) -> None:
        register_vote_texts()
        register_page_texts()
        self.templates: Jinja2Templates = make_templates(TEMPLATES, static_base="/decision/static")
        env = self.templates.env
        env.filters["refusal"] = refusal_text  # a stored '中文 / English' reason in the page's language
        env.filters["named"] = named
        env.globals["who"] = who

    def page(self, request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> Response:
        return render(self.templates, request, name, context, status_code=status_code)

    def denied(self, request: Request, status_code: int = 403) -> Response:
        return self.page(request, "vote_denied.html", {}, status_code=status_code)

    def gate(self, request: Request, county: str, roles: Iterable[Role]) -> tuple[Principal, str, Response | None]:
        """(principal, county, refusal): the login page for a visitor, 403 for another role or county."""
        principal, county, allowed = viewer_county(request, county)
        if not principal.roles:
            return principal, county, RedirectResponse("/login", status_code=303)
        if not (allowed and principal.has_any(frozenset(roles))):
            return principal, county, self.denied(request)
        return principal, county, None

    @staticmethod
    def refusal(request: Request, exc: Exception) -> str:
        """A refusal in the page's language: the rule's half, or 'not found'."""
        lang = language(request)
        if isinstance(exc, NotFound):
            return translate(lang, "not_found")
        return refusal_text(str(exc), lang)

    @staticmethod
    def invalid(request: Request, exc: ValidationError, labels: Mapping[str, str]) -> dict[str, Any]:
        """A problem to show: pydantic's errors as sentences named by the form's labels."""
        sentences = validation_text(exc.errors(), labels, language(request))
        return {"title": sentences[0], "errors": sentences[1:]}

    def act(self, request: Request, command: Callable[[], T], then: Callable[[T], str]) -> Response | str:
        """Run a command; on success wait for the read models and redirect to ``then(result)``; on a
        refusal return its text for the caller to show beside the form."""
        try:
            result = command()
        except (RuleViolation, NotFound, ValueError) as exc:
            return self.refusal(request, exc)
        settle(request)
        return RedirectResponse(then(result), status_code=303)


def filled(entered: Mapping[str, Any]) -> dict[str, Any]:
    """A form's values without the empty ones, so an empty required field reads "请填写…" (missing)."""
    return {k: v for k, v in entered.items() if v != ""}


def today(request: Request) -> date:
    """The business date now, in China (Asia/Shanghai), from the service's clock."""
    return request.app.state.clock().astimezone(CHINA).date()


def labels(request: Request, fields: Mapping[str, str]) -> dict[str, str]:
    """{field: its label in the page's language}, from {field: text key}."""
    lang = language(request)
    return {field: translate(lang, key) for field, key in fields.items()}
