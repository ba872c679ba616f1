"""The audit pages of every service (审计): the log's checkpoints, any object as of any moment
with its event history, and the county's read models as of a moment."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from shared.audit.asof import (
    aggregate_as_of,
    dashboard_as_of,
    history_entry,
    live_summary,
    parse_moment,
    state_of,
    views_as_of,
)
from shared.audit.signing import public_key_text
from shared.auth import Role
from shared.kernel.meta import is_county_code
from shared.web.access import principal_of
from shared.web.i18n import register_messages
from shared.web.templating import make_templates, render

TEMPLATES = Path(__file__).parent / "templates"
READERS = {Role.AUDITOR, Role.CONGRESS_STAFF, Role.PROVINCE_VIEWER}

register_messages(
    {
        "zh": {
            "audit_title": "审计与回溯",
            "audit_log": "防篡改日志",
            "tree_size": "日志长度（事件数）",
            "root_hash": "根哈希",
            "signed_at": "签名时间",
            "public_key": "验签公钥",
            "as_of": "回溯时点",
            "object_id": "对象编号",
            "look_up": "查询",
            "history": "事件历史（谁、何时、做了什么、为什么）",
            "actor": "操作人",
            "event": "事件",
            "reason": "原因",
            "occurred_at": "业务时间",
            "recorded_at": "记录时间",
            "state_as_of": "该时点的状态",
            "not_existing": "该时点对象尚不存在。",
            "county_views": "本县数据看板（回溯）",
            "documents": "条记录",
            "checkpoints": "签名检查点",
            "verify_hint": "离线核验：shishi audit verify --data-dir <数据目录> 或 --bundle <导出包>",
            "ballots_in_box": "票箱中已有选票（开箱前只显示张数，闭箱时随机顺序公布）",
        },
        "en": {
            "audit_title": "Audit and replay",
            "audit_log": "Tamper-evident log",
            "tree_size": "Log size (events)",
            "root_hash": "Root hash",
            "signed_at": "Signed at",
            "public_key": "Public key",
            "as_of": "As of",
            "object_id": "Object id",
            "look_up": "Look up",
            "history": "History (who did what, when and why)",
            "actor": "Actor",
            "event": "Event",
            "reason": "Reason",
            "occurred_at": "Business time",
            "recorded_at": "Recorded",
            "state_as_of": "State at that moment",
            "not_existing": "The object did not exist yet at that moment.",
            "county_views": "County dashboards as of a moment",
            "documents": "documents",
            "checkpoints": "Signed checkpoints",
            "verify_hint": "Verify offline: shishi audit verify --data-dir <dir> or --bundle <bundle>",
            "ballots_in_box": "Ballots in the box (only their number until it closes, then published shuffled)",
        },
    }
)


def make_audit_pages(ctx: Any) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    templates = make_templates(TEMPLATES, static_base=f"/{ctx.service}/static")

    def problem(request: Request, status: int, title: str, detail: str = "") -> Response:
        return render(
            templates,
            request,
            "audit_index.html",
            {"service": ctx.service, "checkpoints": [], "problem": {"title": title, "detail": detail}},
            status_code=status,
        )

    def moment(request: Request, as_of: str) -> Any:
        return parse_moment(as_of) if as_of else None

    @router.get("/audit", response_class=HTMLResponse)
    def index(request: Request) -> Response:
        principal = principal_of(request)
        if not principal.has_any(READERS):
            return RedirectResponse("/login", status_code=303)
        ctx.follower.catch_up()
        checkpoints = list(reversed(ctx.log.checkpoints()))[:50]
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
                "county": next((c for c in principal.counties if is_county_code(c)), ""),
            },
        )

    @router.get("/audit/aggregates/{aggregate_id}", response_class=HTMLResponse)
    def aggregate(request: Request, aggregate_id: UUID, as_of: str = "") -> Response:
        principal = principal_of(request)
        if not principal.has_any(READERS):
            return RedirectResponse("/login", status_code=303)
        try:
            when = moment(request, as_of)
        except ValueError as exc:
            return problem(request, 422, str(exc))
        current, events = aggregate_as_of(ctx.app, aggregate_id, None)
        county = getattr(current, "county", None) if events else None
        if county is None or not principal.covers(county):
            return problem(request, 404, "没有这个对象 / No such object", str(aggregate_id))
        past, _ = aggregate_as_of(ctx.app, aggregate_id, when)
        return render(
            templates,
            request,
            "audit_aggregate.html",
            {
                "service": ctx.service,
                "aggregate_id": aggregate_id,
                "as_of": as_of,
                "state": state_of(past) if past is not None else None,
                "history": [history_entry(e) for e in events],
                "live": live_summary(ctx.app, current),
            },
        )

    @router.get("/audit/counties/{county}", response_class=HTMLResponse)
    def county_views(request: Request, county: str, as_of: str = "") -> Response:
        principal = principal_of(request)
        if not principal.has_any(READERS):
            return RedirectResponse("/login", status_code=303)
        if not is_county_code(county) or not principal.covers(county):
            return problem(request, 403, "无权查看该县 / County outside your scope", county)
        try:
            when = moment(request, as_of)
        except ValueError as exc:
            return problem(request, 422, str(exc))
        replayed = views_as_of(ctx.app, ctx.project, when, "occurred", county)
        try:
            kinds = dashboard_as_of(replayed, county)
        finally:
            replayed.close()
        return render(
            templates,
            request,
            "audit_county.html",
            {"service": ctx.service, "county": county, "as_of": as_of, "kinds": kinds},
        )

    return router
