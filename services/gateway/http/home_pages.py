"""The shell's own pages: home, the dev login (local mode only), logout, language switch.

Home is each role's own: a visitor or a resident gets the public home (submit, track, the yearly
loop); congress staff, a government office, a deputy and an auditor get their worklist (工作台,
``services/gateway/read/worklist.py``); a province viewer lands on the province view."""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from services.gateway.http.worklist_texts import messages
from shared.auth import ANONYMOUS, AuthError, Principal, Role, issue_token
from shared.auth import COOKIE as TOKEN_COOKIE
from shared.config import SERVICES
from shared.kernel.meta import is_county_code
from shared.web.access import principal_of
from shared.web.i18n import COOKIE as LANG_COOKIE
from shared.web.i18n import SUPPORTED, language, register_messages, translate
from shared.web.templating import CHINA, render

DEFAULT_COUNTY = "440781"
TOKEN_TTL_SECONDS = 12 * 3600
LANG_MAX_AGE = 365 * 24 * 3600
COUNTY_SCOPE = re.compile(r"^(\d{6}|\d{0,5}\*)$")  # 440781, 4407*, 44*, *
DEV_SUBJECT_NAMESPACE = uuid.UUID("6f1d2c3a-5b4e-4f60-9a7b-8c9d0e1f2a3b")
register_messages(messages())
WORKING = {Role.CONGRESS_STAFF, Role.GOV_UNIT, Role.DEPUTY}
Worklist = Callable[[Request, Principal], Awaitable[list[dict]]]


def parse_counties(raw: str) -> list[str]:
    """``"440781, 4407*"`` -> ``["440781", "4407*"]``; raises ValueError on a malformed entry."""
    scopes = [part.strip() for part in re.split(r"[,，\s]+", raw) if part.strip()]
    if not scopes or not all(COUNTY_SCOPE.match(s) for s in scopes):
        raise ValueError(raw)
    return scopes


def dev_subject(role: str, name: str) -> str:
    """The same name and role always log in as the same subject, so their work stays theirs."""
    if not name:
        return str(uuid.uuid4())
    return str(uuid.uuid5(DEV_SUBJECT_NAMESPACE, f"{role}:{name}"))


def same_site_target(request: Request, default: str = "/") -> str:
    """Where to send the user back: the Referer's path when it is this site, else ``default``."""
    referer = request.headers.get("referer", "")
    if not referer:
        return default
    parts = urlsplit(referer)
    if parts.netloc and parts.netloc != request.url.netloc:
        return default
    if not parts.path.startswith("/") or parts.path.startswith("//"):
        return default
    return parts.path + (f"?{parts.query}" if parts.query else "")


def china_today() -> date:
    return datetime.now(UTC).astimezone(CHINA).date()


def viewer(request: Request) -> Principal:
    """Who is looking; a visitor when the page has no token verifier or the cookie is stale."""
    try:
        return principal_of(request)
    except (AuthError, AttributeError):
        return ANONYMOUS


def worded(counties: list[dict], lang: str, today: str) -> list[dict]:
    """Each task item's text in the page's language: its label when the service gave one, else its
    title (data: a project's or a demand's own words); a warning's kind by name; whether it is overdue
    (its due date before ``today``, China time)."""
    for county in counties:
        for found in county["roles"].values():
            for task in found:
                for item in task["items"]:
                    label = item.get("label") or {}
                    params = {k: v for k, v in label.items() if k != "key"}
                    item["text"] = translate(lang, label["key"], **params) if label else item["title"]
                    note = item.get("note") or ""
                    item["note"] = translate(lang, f"warning_{note}") if note else ""
                    item["overdue"] = bool(item.get("due")) and str(item["due"]) < today
    return counties


def make_shell_router(
    templates: Jinja2Templates,
    *,
    secret_provider: Callable[[], str],
    local_mode: bool,
    worklist: Worklist | None = None,
) -> APIRouter:
    """Home, dev login/logout and the language switch, for the gateway (or a lone service).
    ``worklist(request, principal)``: the role's tasks by county; without it everyone gets the public home."""
    router = APIRouter()
    roles = [role.value for role in Role]

    def login_form(request: Request, form: dict[str, str], problem: dict | None = None) -> HTMLResponse:
        status = 422 if problem else 200
        context = {"roles": roles, "form": form, "problem": problem}
        return render(templates, request, "login.html", context, status_code=status)

    def require_local() -> None:
        if not local_mode:
            raise HTTPException(status_code=404)

    @router.get("/", response_class=HTMLResponse)
    async def home(request: Request) -> Response:
        principal = viewer(request)
        if Role.PROVINCE_VIEWER in principal.roles and not principal.has_any({*WORKING, Role.AUDITOR}):
            return RedirectResponse("/province", status_code=303)
        if worklist is None or not principal.has_any({*WORKING, Role.AUDITOR}):
            return render(templates, request, "home.html")
        counties = await worklist(request, principal) if principal.has_any(WORKING) else []
        codes = [c for c in principal.counties if is_county_code(c)]
        context = {
            "counties": worded(counties, language(request), china_today().isoformat()),
            "wide_scope": not codes,
            "audit": {"services": SERVICES, "counties": codes} if Role.AUDITOR in principal.roles else None,
        }
        return render(templates, request, "worklist.html", context)

    @router.get("/login", response_class=HTMLResponse)
    def login_page(request: Request) -> HTMLResponse:
        require_local()
        return login_form(request, {"role": Role.RESIDENT.value, "counties": DEFAULT_COUNTY, "name": ""})

    @router.post("/login", response_model=None)
    def login(
        request: Request,
        role: Annotated[str, Form()],
        counties: Annotated[str, Form()] = DEFAULT_COUNTY,
        name: Annotated[str, Form()] = "",
    ) -> Response:
        require_local()
        name = name.strip()
        form = {"role": role, "counties": counties, "name": name}
        lang = language(request)
        if role not in roles:
            problem = {"title": translate(lang, "login_invalid_role"), "detail": role, "status": 422}
            return login_form(request, form, problem)
        try:
            scopes = parse_counties(counties)
        except ValueError:
            problem = {"title": translate(lang, "login_invalid_counties"), "detail": counties, "status": 422}
            return login_form(request, form, problem)
        token = issue_token(
            secret_provider(),
            subject=dev_subject(role, name),
            roles=[role],
            counties=scopes,
            name=name,
            ttl_seconds=TOKEN_TTL_SECONDS,
        )
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(TOKEN_COOKIE, token, max_age=TOKEN_TTL_SECONDS, path="/", httponly=True, samesite="lax")
        return response

    @router.get("/logout")
    def logout() -> RedirectResponse:
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(TOKEN_COOKIE, path="/", httponly=True, samesite="lax")
        return response

    @router.get("/lang/{lang}")
    def switch_language(request: Request, lang: str) -> RedirectResponse:
        if lang not in SUPPORTED:
            raise HTTPException(status_code=404)
        response = RedirectResponse(same_site_target(request), status_code=303)
        response.set_cookie(LANG_COOKIE, lang, max_age=LANG_MAX_AGE, path="/", samesite="lax")
        return response

    return router
