"""The audit pages of every service (审计与回溯): the log's checkpoints and the county's auditor reads,
any object as of any moment with its event history, and the county's read models as of a moment.

Everything a page shows is named in the page's language: events as phrases from the service's
catalogue (``shared/audit/names.py``), people by the name their login gave (``Meta.actor_name``),
else by their role; counties by name; a field of state only when the catalogue names it (the JSON
API, linked from each page, keeps every field). Business time and recorded time stand side by side,
and an entry made after the fact is marked 补录."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from shared.audit.asof import (
    BASES,
    aggregate_as_of,
    basis_name,
    dashboard_as_of,
    history_entry,
    live_summary,
    parse_moment,
    state_of,
    views_as_of,
)
from shared.audit.names import Catalogue
from shared.audit.signing import public_key_text
from shared.auth import Principal, Role
from shared.kernel.meta import is_county_code
from shared.views.paging import Paging, page_in_store, page_of
from shared.views.query import DocQuery
from shared.views.store import ViewStore
from shared.web.access import principal_of
from shared.web.i18n import language, register_messages, translate
from shared.web.paging import PageNumber
from shared.web.templating import county_label, format_datetime, make_templates, render

TEMPLATES = Path(__file__).parent / "templates"
READERS = {Role.AUDITOR, Role.CONGRESS_STAFF, Role.PROVINCE_VIEWER}
READS_SHOWN = 20  # auditors' reads on one page of the audit index
DOCS_SHOWN = 200
LIST_SHOWN = 10

register_messages(
    {
        "zh": {
            "audit_title": "审计与回溯",
            "audit_log": "防篡改日志",
            "audit_tree_size": "日志长度（事件数）",
            "audit_root_hash": "根哈希",
            "audit_signed_at": "签名时间",
            "audit_public_key": "验签公钥",
            "audit_as_of": "回溯时点",
            "audit_as_of_hint": "日期（如 2025-06-30，指当天结束时）或日期时间，北京时间",
            "audit_basis": "按哪个时间回溯",
            "audit_basis_business": "业务时间（事情发生的时间）",
            "audit_basis_recorded": "记录时间（写入系统的时间）",
            "audit_object_id": "对象编号",
            "audit_look_up": "查询",
            "audit_history": "事件历史（谁、何时、做了什么、为什么）",
            "audit_actor": "操作人",
            "audit_event": "事件",
            "audit_reason": "原因",
            "audit_occurred_at": "业务时间",
            "audit_recorded_at": "记录时间",
            "audit_entered_late": "补录",
            "audit_entered_late_hint": "事后补录：业务时间由录入人声明，记录时间为实际录入时间",
            "audit_state_as_of": "该时点的状态",
            "audit_state_hidden": "另有 {n} 项字段未在此页列出，见 JSON 接口",
            "audit_items_count": "共 {n} 项",
            "audit_not_existing": "该时点对象尚不存在。",
            "audit_county_views": "本县数据看板（回溯）",
            "audit_documents": "条记录",
            "audit_checkpoints": "签名检查点",
            "audit_verify_hint": "离线核验：shishi audit verify --data-dir <数据目录> 或 --bundle <导出包>",
            "audit_ballots_in_box": "票箱中已有选票（开箱前只显示张数，闭箱时随机顺序公布）",
            "audit_reads": "审计查阅记录（本县，最近）",
            "audit_reads_total": "共 {n} 次查阅",
            "audit_read_path": "查阅内容",
            "audit_json_api": "JSON 接口",
            "audit_no_such_object": "没有这个对象",
            "audit_county_forbidden": "无权查看该县",
            "audit_invalid_as_of": "回溯时点须为日期（如 2025-06-30）或日期时间",
            "audit_version_short": "版本",
        },
        "en": {
            "audit_title": "Audit and replay",
            "audit_log": "Tamper-evident log",
            "audit_tree_size": "Log size (events)",
            "audit_root_hash": "Root hash",
            "audit_signed_at": "Signed at",
            "audit_public_key": "Public key",
            "audit_as_of": "As of",
            "audit_as_of_hint": "A date (2025-06-30: the end of that day) or a date and time, China time",
            "audit_basis": "Replay by",
            "audit_basis_business": "business time (when it happened)",
            "audit_basis_recorded": "recorded time (when it was stored)",
            "audit_object_id": "Object id",
            "audit_look_up": "Look up",
            "audit_history": "History (who did what, when and why)",
            "audit_actor": "Actor",
            "audit_event": "Event",
            "audit_reason": "Reason",
            "audit_occurred_at": "Business time",
            "audit_recorded_at": "Recorded",
            "audit_entered_late": "entered late",
            "audit_entered_late_hint": "Entered after the fact: the business time was declared; "
            "the recorded time is when it was entered",
            "audit_state_as_of": "State at that moment",
            "audit_state_hidden": "{n} more fields are not listed here; see the JSON API",
            "audit_items_count": "{n} items",
            "audit_not_existing": "The object did not exist yet at that moment.",
            "audit_county_views": "County dashboards as of a moment",
            "audit_documents": "documents",
            "audit_checkpoints": "Signed checkpoints",
            "audit_verify_hint": "Verify offline: shishi audit verify --data-dir <dir> or --bundle <bundle>",
            "audit_ballots_in_box": "Ballots in the box (only their number until it closes, then published shuffled)",
            "audit_reads": "Auditors' reads (this county, latest)",
            "audit_reads_total": "{n} reads in all",
            "audit_read_path": "What was read",
            "audit_json_api": "JSON API",
            "audit_no_such_object": "No such object",
            "audit_county_forbidden": "County outside your scope",
            "audit_invalid_as_of": "As of must be a date (2025-06-30) or a date and time",
            "audit_version_short": "Version",
        },
    }
)


def _is_moment(text: str) -> bool:
    if len(text) < 16 or text[4:5] != "-" or "T" not in text:
        return False
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def shown_value(key: str, value: Any, names: Catalogue, lang: str) -> str:
    """A field's value as a reader sees it: counties by name, statuses by name, times in China time,
    short lists joined, longer structures counted."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return translate(lang, "yes" if value else "no")
    if key == "county" and isinstance(value, str):
        return county_label(value)
    if isinstance(value, str):
        return format_datetime(value) if _is_moment(value) else str(names.value(value, lang))
    if isinstance(value, list) and len(value) <= LIST_SHOWN and all(isinstance(v, (str, int, float)) for v in value):
        return "、".join(str(names.value(v, lang)) for v in value)
    if isinstance(value, (list, dict)):
        return translate(lang, "audit_items_count", n=len(value))
    return str(value)


def actor_text(entry: dict, names: Catalogue, lang: str) -> str:
    """An official by name; otherwise (residents, systems, the anonymous voter) by role."""
    if entry.get("actor_name"):
        return str(entry["actor_name"])
    role = str(entry.get("actor_role") or "")
    return names.role(role, lang) or (translate(lang, f"role_{role}") if role else "—")


def history_rows(events: list, names: Catalogue, lang: str) -> list[dict]:
    rows = []
    for event in events:
        entry = history_entry(event)
        rows.append(
            {
                "version": entry["version"],
                "event": names.event(entry["event"], lang),
                "occurred_at": entry["occurred_at"],
                "recorded_at": entry["recorded_at"],
                "entered_late": entry["entered_late"],
                "actor": actor_text(entry, names, lang),
                "reason": entry["reason"],
            }
        )
    return rows


def state_rows(state: dict, names: Catalogue, lang: str) -> tuple[list[tuple[str, str]], int]:
    """(the named fields with their values, how many fields are not shown)."""
    rows, hidden = [], 0
    for key, value in state["state"].items():
        label = names.key(key, lang)
        if label is None:
            hidden += 1
            continue
        rows.append((label, shown_value(key, value, names, lang)))
    return rows, hidden


def document_title(doc: dict, names: Catalogue, lang: str) -> str:
    for key in ("name", "title", "text", "topic"):
        if doc.get(key):
            return str(doc[key])[:80]
    return names.kind(str(doc.get("kind", "")), lang)


def is_uuid(text: object) -> bool:
    try:
        UUID(str(text))
    except ValueError:
        return False
    return True


def first_county(principal: Principal) -> str:
    return next((c for c in principal.counties if is_county_code(c)), "")


def make_audit_pages(ctx: Any, views: ViewStore | None = None) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    templates = make_templates(TEMPLATES, static_base=f"/{ctx.service}/static")

    def names() -> Catalogue:
        return ctx.names

    def problem(request: Request, status: int, key: str, detail: str = "") -> Response:
        title = translate(language(request), key)
        return render(
            templates,
            request,
            "audit_index.html",
            {"service": ctx.service, "checkpoints": [], "problem": {"title": title, "detail": detail}},
            status_code=status,
        )

    def when_of(as_of: str) -> datetime | None:
        return parse_moment(as_of) if as_of else None

    @router.get("/audit", response_class=HTMLResponse)
    def index(request: Request, page_number: PageNumber = 1) -> Response:
        """The log's checkpoints, the look-up forms, and the auditors' reads of the county, newest first,
        a page at a time."""
        principal = principal_of(request)
        if not principal.has_any(READERS):
            return RedirectResponse("/login", status_code=303)
        ctx.follower.catch_up()
        checkpoints = list(reversed(ctx.log.checkpoints()))[:50]
        county = first_county(principal)
        reads = page_of([], Paging(page_number, READS_SHOWN))
        if views is not None and county:
            newest = DocQuery("auditor_read", county, order=(("at", True),))
            reads = page_in_store(views, newest, Paging(page_number, READS_SHOWN))
        return render(
            templates,
            request,
            "audit_index.html",
            {
                "service": ctx.service,
                "checkpoints": checkpoints,
                "log_size": ctx.log.size(),
                "public_key": public_key_text(ctx.signer.public),
                "key_id": ctx.signer.key_id,
                "county": county,
                "reads": reads,
                "bases": BASES,
            },
        )

    @router.get("/audit/look-up")
    def look_up(request: Request, id: str = "", as_of: str = "", basis: str = "business") -> Response:
        """The look-up form's target: the object's page (a malformed id is answered on the index)."""
        if not is_uuid(id.strip()):
            return problem(request, 404, "audit_no_such_object", id)
        query = urlencode({k: v for k, v in (("as_of", as_of.strip()), ("basis", basis_name(basis))) if v})
        return RedirectResponse(f"/{ctx.service}/audit/aggregates/{id.strip()}?{query}", status_code=303)

    @router.get("/audit/aggregates/{aggregate_id}", response_class=HTMLResponse)
    def aggregate(request: Request, aggregate_id: UUID, as_of: str = "", basis: str = "business") -> Response:
        principal = principal_of(request)
        if not principal.has_any(READERS):
            return RedirectResponse("/login", status_code=303)
        lang = language(request)
        try:
            when = when_of(as_of)
        except ValueError:
            return problem(request, 422, "audit_invalid_as_of", as_of)
        current, events = aggregate_as_of(ctx.app, aggregate_id, None)
        county = getattr(current, "county", None) if events else None
        if county is None or not principal.covers(county):
            return problem(request, 404, "audit_no_such_object", str(aggregate_id))
        request.state.county = county  # an auditor's read of it is filed under its county
        past, _ = aggregate_as_of(ctx.app, aggregate_id, when, basis_name(basis))
        state = state_of(past) if past is not None else None
        rows, hidden = state_rows(state, names(), lang) if state else ([], 0)
        live = live_summary(ctx.app, current) or {}
        return render(
            templates,
            request,
            "audit_aggregate.html",
            {
                "service": ctx.service,
                "aggregate_id": aggregate_id,
                "kind": names().kind(type(current).__name__, lang),
                "county": county,
                "as_of": as_of,
                "basis": basis_name(basis),
                "bases": BASES,
                "state": state,
                "rows": rows,
                "hidden": hidden,
                "history": history_rows(events, names(), lang),
                "live": live,
            },
        )

    @router.get("/audit/counties/{county}", response_class=HTMLResponse)
    def county_views(request: Request, county: str, as_of: str = "", basis: str = "business") -> Response:
        principal = principal_of(request)
        if not principal.has_any(READERS):
            return RedirectResponse("/login", status_code=303)
        if not is_county_code(county) or not principal.covers(county):
            return problem(request, 403, "audit_county_forbidden", county_label(county))
        try:
            when = when_of(as_of)
        except ValueError:
            return problem(request, 422, "audit_invalid_as_of", as_of)
        lang = language(request)
        replayed = views_as_of(ctx.app, ctx.project, when, basis_name(basis), county)
        try:
            kinds = dashboard_as_of(replayed, county)
        finally:
            replayed.close()
        sections = [
            {
                "kind": kind,
                "name": names().kind(kind, lang),
                "total": len(docs),
                "docs": [
                    {
                        "id": str(d.get("id", "")),
                        "link": is_uuid(d.get("id")),
                        "title": document_title(d, names(), lang),
                        "status": shown_value("status", d.get("status"), names(), lang) if d.get("status") else "",
                    }
                    for d in docs[:DOCS_SHOWN]
                ],
            }
            for kind, docs in sorted(kinds.items())
        ]
        return render(
            templates,
            request,
            "audit_county.html",
            {
                "service": ctx.service,
                "county": county,
                "as_of": as_of,
                "basis": basis_name(basis),
                "bases": BASES,
                "sections": sections,
            },
        )

    return router
