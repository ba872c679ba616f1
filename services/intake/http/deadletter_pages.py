"""The dead-letter page (死信): a 12345 ticket that could not be applied, corrected through a form (each field
of the ticket a labelled input, the reason in the page's language) and applied, or dismissed with a
reason. Who resolved it and when is shown by name. Staff never edit JSON."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from services.intake.app.application import IntakeApplication
from services.intake.domain.rules import CATEGORIES
from services.intake.http.deadletters_api import letter_view, opened_letters, resolve_letter
from services.intake.http.names import Names
from services.intake.http.places import town_names
from services.intake.read.overview import CHINA
from services.intake.read.projections import RESOLUTION
from shared.auth import Role
from shared.contracts import HotlineTicket
from shared.divisions import county_name
from shared.kernel.meta import RuleViolation
from shared.views.store import ViewStore
from shared.web.feedback import problem_of, refusal_of
from shared.web.forms import FormDep
from shared.web.i18n import language
from shared.web.problems import Problem
from shared.web.refusals import refusal_text, validation_text
from shared.web.requests import meta_for
from shared.web.templating import make_templates, render
from shared.web.viewer import viewer_county

TEMPLATES = Path(__file__).parent / "templates"
STAFF = {Role.CONGRESS_STAFF, Role.GOV_UNIT}
FIELDS = ("ticket_id", "received_at", "category", "text", "town", "caller_name", "caller_phone", "address")
COORDINATES = ("latitude", "longitude")
LABELS = {
    "zh": {
        "ticket_id": "工单号",
        "county": "县（市、区）",
        "received_at": "来电时间",
        "category": "类别",
        "text": "诉求内容",
        "town": "乡镇（街道）",
        "caller_name": "来电人姓名",
        "caller_phone": "来电人电话",
        "address": "详细地址",
        "latitude": "纬度",
        "longitude": "经度",
    },
    "en": {
        "ticket_id": "Ticket number",
        "county": "County",
        "received_at": "Received at",
        "category": "Category",
        "text": "Demand",
        "town": "Town / street",
        "caller_name": "Caller's name",
        "caller_phone": "Caller's phone",
        "address": "Address",
        "latitude": "Latitude",
        "longitude": "Longitude",
    },
}
# What the consumer wrote when it gave up on a message, and what it means, in the page's language.
_REASONS: list[tuple[re.Pattern[str], tuple[str, str]]] = [
    (re.compile(r"unknown county (\S+?):"), ("未知的县级行政区划代码 {0}", "unknown county {0}")),
    (
        re.compile(r"does not match subject county"),
        ("工单的县与发送主题的县不一致", "the ticket's county is not its subject's"),
    ),
    (
        re.compile(r"delivered \d+ times without being applied"),
        ("多次投递均未能处理（每次处理时服务都停止了）", "delivered again and again without being applied"),
    ),
    (re.compile(r"exceeded \d+ deliveries"), ("多次重试仍未能处理", "retried too often without success")),
    (re.compile(r"invalid message: .*(JSON|json)"), ("工单不是有效的 JSON 消息", "the ticket is not valid JSON")),
]


def field_errors(errors: list[Any], lang: str) -> list[str]:
    """Pydantic's errors of a ticket as sentences named by the form's labels (a moment out of range too)."""
    labels = LABELS["zh" if lang == "zh" else "en"]
    out = []
    for error in errors:
        if error.get("type") == "date_out_of_range":
            label = labels.get(str(error["loc"][-1]), "")
            out.append(
                f"{label}须在 2000-01-01 之后，且不晚于明天"
                if lang == "zh"
                else f"{label}: from 2000-01-01 to tomorrow"
            )
        elif error.get("type") == "timezone_aware":
            out.append(f"{labels['received_at']}须注明时区" if lang == "zh" else "Received at needs a time zone")
        else:
            out.extend(validation_text([error], labels, lang))
    return out


def reason_of(letter: dict[str, Any], lang: str) -> list[str]:
    """Why the letter was dead-lettered, as sentences in ``lang``: the ticket's own faults when its body
    can be read, else what the consumer's reason means."""
    body = letter.get("body")
    if isinstance(body, dict):
        try:
            HotlineTicket.model_validate(body)
        except ValidationError as exc:
            return field_errors(list(exc.errors()), lang)
    reason = str(letter.get("reason", ""))
    for pattern, (zh, en) in _REASONS:
        found = pattern.search(reason)
        if found:
            return [(zh if lang == "zh" else en).format(*found.groups())]
    text = reason.removeprefix("rejected: ")
    head = text.partition(" / ")[0]
    if lang == "zh":
        return [refusal_text(text, lang)] if re.search(r"[\u3400-\u9fff]", head) else ["无法处理的消息"]
    return [refusal_text(text, lang)]


def local_input(value: object) -> str:
    """An ISO moment as a ``datetime-local`` value in China time ('' if it is not one)."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return ""
    return (moment if moment.tzinfo else moment.replace(tzinfo=CHINA)).astimezone(CHINA).strftime("%Y-%m-%dT%H:%M")


def values_of(letter: dict[str, Any]) -> dict[str, str]:
    """The form's initial values: the ticket's fields as the hotline sent them (none once erased)."""
    found = letter.get("body")
    body: dict[str, Any] = found if isinstance(found, dict) else {}
    values = {k: "" if body.get(k) is None else str(body.get(k)) for k in (*FIELDS, *COORDINATES)}
    values["received_at"] = local_input(body.get("received_at", ""))
    return values


def ticket_from(form: Any, county: str) -> dict[str, Any]:
    """The corrected ticket from the form's fields: the page's county, the time read as China time."""
    ticket: dict[str, Any] = {k: str(form.get(k) or "").strip() for k in FIELDS}
    ticket["county"] = county
    if ticket["received_at"]:
        try:
            moment = datetime.fromisoformat(ticket["received_at"])
            ticket["received_at"] = (moment if moment.tzinfo else moment.replace(tzinfo=CHINA)).isoformat()
        except ValueError:
            pass  # left as typed: the ticket's validation names the field
    for k in COORDINATES:
        value = str(form.get(k) or "").strip()
        ticket[k] = value or None
    return ticket


def make_deadletter_pages(app: IntakeApplication, views: ViewStore) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    templates = make_templates(TEMPLATES, static_base="/intake/static")

    async def show(
        request: Request, county: str, status_code: int = 200, failed: dict[int, Any] | None = None
    ) -> Response:
        principal, county, allowed = viewer_county(request, county)
        if not principal.has_any({*STAFF, Role.AUDITOR}):
            return RedirectResponse("/login", status_code=303)
        if not allowed:
            refused: dict[str, Any] = {"county": county, "items": [], "problem": problem_of(request, OUTSIDE)}
            return render(templates, request, "deadletters.html", refused, status_code=403)
        lang = language(request)
        js = request.app.state.runtime.js
        letters = await opened_letters(app, js, county) if js is not None else []
        resolutions = {d["sequence"]: d for d in await asyncio.to_thread(views.list, RESOLUTION, county)}
        names = await asyncio.to_thread(Names, views, county, lang)
        items = []
        for letter in letters:
            item = letter_view(letter, resolutions.get(letter.sequence))
            item["reasons"] = reason_of(item, lang)
            item["fields"] = values_of(item)
            if item["resolution"]:
                r = item["resolution"]
                item["resolved_by_name"] = names.person(r["resolved_by"], r.get("resolved_by_name", ""))
            if failed and letter.sequence in failed:
                item.update(failed[letter.sequence])
            items.append(item)
        known = set(CATEGORIES)
        context: dict[str, Any] = {
            "county": county,
            "county_name": county_name(county),
            "items": items,
            "connected": js is not None,
            "can_resolve": principal.has_any(STAFF),
            "labels": LABELS["zh" if lang == "zh" else "en"],
            "categories": list(CATEGORIES),
            "known_categories": known,
            "towns": town_names(county),
            "problem": problem_of(request),
        }
        return render(templates, request, "deadletters.html", context, status_code=status_code)

    @router.get("/deadletters", response_class=HTMLResponse)
    async def deadletters_page(request: Request, county: str = "") -> Response:
        return await show(request, county)

    @router.post("/deadletters/{sequence}")
    async def deadletter_action(request: Request, sequence: int, form: FormDep) -> Response:
        principal, county, allowed = viewer_county(request, str(form.get("county") or ""))
        if not principal.has_any(STAFF) or not allowed:
            return RedirectResponse("/login", status_code=303)
        lang = language(request)
        action = str(form.get("action") or "")
        reason = str(form.get("reason") or "").strip()
        back = f"/intake/deadletters?county={county}"
        corrected: dict[str, Any] | None = None
        if action == "resubmit":
            corrected = ticket_from(form, county)
            try:
                HotlineTicket.model_validate(corrected)
            except ValidationError as exc:  # shown on the form with what was typed, in the page's language
                entered = {k: str(form.get(k) or "") for k in (*FIELDS, *COORDINATES)}
                failed = {sequence: {"errors": field_errors(list(exc.errors()), lang), "fields": entered}}
                return await show(request, county, status_code=422, failed=failed)
        meta = meta_for(request, principal, county, reason=reason)
        try:
            await resolve_letter(app, request.app.state.runtime.js, county, sequence, meta, action, corrected)
        except Problem as exc:
            message = PROBLEMS.get(exc.reason) or refusal_of(ValueError(exc.detail or exc.title))
            return RedirectResponse(f"{back}&error={quote(message)}", status_code=303)
        except RuleViolation as exc:
            failed = {sequence: {"errors": [refusal_text(refusal_of(exc), lang)]}}
            return await show(request, county, status_code=409, failed=failed)
        return RedirectResponse(f"{back}&done={sequence}", status_code=303)

    return router


OUTSIDE = "无权查看该县 / County outside your scope"
PROBLEMS = {
    "nats_unavailable": "暂时连接不上消息服务，请稍后再试 / not connected to NATS: try again later",
    "not_found": "没有找到这条死信，可能已被处理 / no such dead letter",
    "still_malformed": "更正后的工单仍有错误 / the corrected ticket is not valid",
}
