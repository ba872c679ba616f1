"""Intake's staff and deputy pages: triage queue (filters, counts, overdue first), one demand
(triage, reply, close, duplicates, erasure), merge workspace, deputy inbox, stranded view. Every page is
county-scoped; forms post back and redirect (303), a refusal shown in the page's language. People by
name (``names.py``); dead letters have their own page (``deadletter_pages.py``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.intake.app.application import IntakeApplication
from services.intake.domain.demand import KINDS, Demand
from services.intake.domain.rules import CATEGORIES, SCOPES, TIERS, likely_duplicates
from services.intake.http.demands_api import now_of
from services.intake.http.feedback import whole_number
from services.intake.http.names import Names
from services.intake.http.texts import MESSAGES
from services.intake.http.timeline import timeline_of
from services.intake.read.lists import inbox_query, wishes_query
from services.intake.read.projections import DEMAND, SUGGESTION
from services.intake.read.queue import QueueFilter, queue_page, stranded
from shared.auth import Principal, Role
from shared.divisions import county_name
from shared.views.paging import Paging, page_in_store, page_of
from shared.views.store import ViewStore
from shared.web.feedback import done_then_back, problem_of
from shared.web.forms import FormDep
from shared.web.i18n import language, register_messages
from shared.web.paging import OtherPageNumber, PageNumber
from shared.web.requests import meta_for
from shared.web.templating import make_templates, render
from shared.web.viewer import viewer_county

TEMPLATES = Path(__file__).parent / "templates"
STAFF = {Role.CONGRESS_STAFF, Role.GOV_UNIT}
READERS = {*STAFF, Role.DEPUTY, Role.AUDITOR, Role.PROVINCE_VIEWER}
PER_PAGE = 50  # items on one page of the queue, the stranded list and the inbox (the JSON API takes up to 1,000)
register_messages(MESSAGES)


def make_staff_pages(app: IntakeApplication, views: ViewStore) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    templates = make_templates(TEMPLATES, static_base="/intake/static")

    def gate(request: Request, county: str, roles: set[Role]) -> tuple[Principal, str, Response | None]:
        principal, county, allowed = viewer_county(request, county)
        if not principal.has_any(roles):
            return principal, county, RedirectResponse("/login", status_code=303)
        if not allowed:
            return (
                principal,
                county,
                render(
                    templates,
                    request,
                    "queue.html",
                    {
                        "county": county,
                        "result": {"items": [], "counts": {}, "total": 0, "page": 1, "pages": 1},
                        "f": {},
                        "lists": lists(),
                        "problem": problem_of(request, "无权查看该县 / County outside your scope"),
                    },
                    status_code=403,
                ),
            )
        return principal, county, None

    def lists() -> dict:
        return {
            "kinds": KINDS,
            "scopes": SCOPES,
            "tiers": TIERS,
            "categories": list(CATEGORIES),
            "statuses": [
                "received",
                "triaged",
                "routed",
                "escalated",
                "replied",
                "merged",
                "duplicate",
                "claimed",
                "fulfilled",
                "closed",
            ],
        }

    def page(request: Request, name: str, context: dict, status_code: int = 200) -> Response:
        problem = context.get("problem") or problem_of(request)
        county = str(context.get("county") or "")
        named = {"county_name": county_name(county)} if county else {}
        return render(
            templates,
            request,
            name,
            {"lists": lists(), **named, **context, "problem": problem},
            status_code=status_code,
        )

    def act(request: Request, back: str, fn: Callable[[], object]) -> Response:
        """Run a command from a form; back to the page once it shows it, or with the refusal shown."""
        return done_then_back(request, back, fn)

    def own_demand(request: Request, demand_id: UUID, roles: set[Role]) -> tuple[Principal, Demand | None]:
        principal, _, _ = viewer_county(request)
        found = app.find(demand_id)
        if not isinstance(found, Demand) or not principal.covers(found.county) or not principal.has_any(roles):
            return principal, None
        return principal, found

    @router.get("/queue", response_class=HTMLResponse)
    def staff_queue(
        request: Request,
        county: str = "",
        status: str = "",
        kind: str = "",
        tier: str = "",
        channel: str = "",
        town: str = "",
        category: str = "",
        overdue: str = "",
        page_number: PageNumber = 1,
    ) -> Response:
        _, county, refused = gate(request, county, READERS)
        if refused:
            return refused
        f = {
            "status": status,
            "kind": kind,
            "tier": tier,
            "channel": channel,
            "town": town,
            "category": category,
            "overdue": overdue,
        }
        wanted = QueueFilter(
            **{k: v or None for k, v in f.items() if k != "overdue"}, overdue=True if overdue == "1" else None
        )
        result = queue_page(views, county, wanted, now_of(request), Paging(page_number, PER_PAGE))
        return page(request, "queue.html", {"county": county, "result": result, "f": f})

    @router.get("/demands/{demand_id}", response_class=HTMLResponse)
    def demand_page(request: Request, demand_id: UUID) -> Response:
        principal, demand = own_demand(request, demand_id, READERS)
        if demand is None:
            return page(request, "demand.html", {"demand": None}, status_code=404)
        contact = (
            app.contact(demand.contact_id, demand.county) if demand.contact_id and principal.has_any(STAFF) else None
        )
        doc = views.get(DEMAND, str(demand.id))
        dupes = []
        if doc is not None:
            _, rules = app.rules(demand.county)
            dupes = likely_duplicates(doc, views.list(DEMAND, demand.county), rules)
        lang = language(request)
        names = Names(views, demand.county, lang)
        return page(
            request,
            "demand.html",
            {
                "demand": demand,
                "contact": contact,
                "duplicates": dupes,
                "is_staff": principal.has_any(STAFF),
                "entries": timeline_of(demand, views, lang, names),
                "owner": names.owner(demand.owner),
                "source_deputy": names.deputy(demand.deputy_id) if demand.deputy_id else "",
            },
        )

    @router.post("/demands/{demand_id}/{action}")
    def demand_action(request: Request, demand_id: UUID, action: str, form: FormDep) -> Response:
        principal, demand = own_demand(request, demand_id, STAFF)
        if demand is None:
            return RedirectResponse("/login", status_code=303)

        def get(k: str) -> str:
            return str(form.get(k) or "").strip()

        def estimate() -> int:
            return whole_number(get("estimate"), "估算金额", "the estimate")

        back = f"/intake/demands/{demand_id}"
        meta = meta_for(request, principal, demand.county, reason=get("reason"))
        commands: dict[str, Callable[[], object]] = {
            "triage": lambda: app.triage(meta, demand_id, get("kind"), get("scope"), estimate()),
            "assessment": lambda: app.reassess(meta, demand_id, get("scope"), estimate()),
            "reply": lambda: app.reply(meta, demand_id, get("text")),
            "close": lambda: app.close_demand(meta, demand_id, get("text")),
            "duplicates": lambda: app.link_duplicates(meta, demand_id, [UUID(str(x)) for x in form.getlist("dup")]),
            "erase": lambda: app.erase_contact(meta, demand_id),
        }
        if action not in commands:
            return RedirectResponse(back, status_code=303)
        return act(request, back, commands[action])

    @router.get("/merge", response_class=HTMLResponse)
    def merge_page(request: Request, county: str = "", town: str = "", category: str = "") -> Response:
        principal, county, refused = gate(request, county, STAFF)
        if refused:
            return refused
        open_docs = [
            d
            for d in views.list(DEMAND, county)
            if d["status"] in ("received", "triaged", "routed", "escalated", "replied")
            and (not town or d["town"] == town)
            and (not category or d["category"] == category)
        ]
        open_docs.sort(key=lambda d: (d["town"], d["category"], d["submitted_at"]))
        suggestions = sorted(views.list(SUGGESTION, county), key=lambda s: s["raised_at"], reverse=True)
        by_id = {d["id"]: d for d in views.list(DEMAND, county)}
        return page(
            request,
            "merge.html",
            {
                "county": county,
                "candidates": open_docs[:300],
                "town": town,
                "category": category,
                "suggestions": suggestions,
                "by_id": by_id,
                "names": Names(views, county, language(request)),
            },
        )

    @router.post("/merge")
    def merge(request: Request, form: FormDep) -> Response:
        principal, county, refused = gate(request, str(form.get("county") or ""), STAFF)
        if refused:
            return refused
        ids = [UUID(str(x)) for x in form.getlist("demand")]
        meta = meta_for(request, principal, county, reason=str(form.get("reason") or ""))
        return act(
            request, f"/intake/merge?county={county}", lambda: app.merge(meta, str(form.get("title") or ""), ids)
        )

    @router.post("/suggestions/{suggestion_id}/split")
    def split(request: Request, suggestion_id: UUID, form: FormDep) -> Response:
        found = app.find(suggestion_id)
        principal, county, refused = gate(request, getattr(found, "county", "") or "", STAFF)
        if refused or found is None:
            return refused or RedirectResponse("/intake/merge", status_code=303)
        meta = meta_for(request, principal, county, reason=str(form.get("reason") or ""))
        ids = [UUID(str(x)) for x in form.getlist("demand")]
        return act(
            request,
            f"/intake/merge?county={county}",
            lambda: app.split(meta, suggestion_id, ids, str(form.get("new_title") or "")),
        )

    @router.get("/stranded", response_class=HTMLResponse)
    def stranded_page(request: Request, county: str = "", page_number: PageNumber = 1) -> Response:
        _, county, refused = gate(request, county, READERS)
        if refused:
            return refused
        version, rules = app.rules(county)
        found = stranded(views.list(DEMAND, county), now_of(request), rules)
        result = page_of(found, Paging(page_number, PER_PAGE))
        return page(
            request,
            "stranded.html",
            {"county": county, "result": result, "days": rules["stranded_days"], "version": version},
        )

    @router.get("/inbox", response_class=HTMLResponse)
    def inbox_page(
        request: Request,
        county: str = "",
        page_number: PageNumber = 1,
        wishes_page: OtherPageNumber = 1,
    ) -> Response:
        """The deputy's inbox and the county's open micro-wishes, each a page at a time."""
        principal, county, refused = gate(request, county, {Role.DEPUTY})
        if refused:
            return refused
        mine = page_in_store(views, inbox_query(county, principal.subject), Paging(page_number, PER_PAGE))
        wishes = page_in_store(views, wishes_query(county, open_only=True), Paging(wishes_page, PER_PAGE))
        names = Names(views, county, language(request))
        context = {"county": county, "result": mine, "wishes": wishes, "me": principal.subject, "names": names}
        return page(request, "inbox.html", {**context, "pages": {"page": page_number, "wishes_page": wishes_page}})

    @router.post("/inbox/{demand_id}")
    def inbox_action(request: Request, demand_id: UUID, form: FormDep) -> Response:
        principal, demand = own_demand(request, demand_id, {Role.DEPUTY})
        if demand is None:
            return RedirectResponse("/login", status_code=303)

        def get(k: str) -> str:
            return str(form.get(k) or "").strip()

        meta = meta_for(request, principal, demand.county)
        back = f"/intake/inbox?county={demand.county}"
        if get("action") in ("claimed", "funded", "fulfilled", "visited"):
            return act(
                request,
                back,
                lambda: app.wish_step(
                    meta,
                    demand_id,
                    get("action"),
                    source=get("source"),
                    amount=get("amount"),
                    note=get("note"),
                    satisfaction=get("satisfaction"),
                ),
            )
        return act(
            request,
            back,
            lambda: app.deputy_act(meta, demand_id, get("action"), get("note"), get("forward_to"), get("title")),
        )

    return router
