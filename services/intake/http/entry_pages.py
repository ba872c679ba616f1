"""Demands that staff and deputies take down (``/intake/entry``): raised at a liaison station (代表联络站),
a deputy's suggestion (代表建议), or a department's own list (部门清单, one demand a line). The station and
the deputy are picked by name from intake's registries; the day it was received is China time."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, BeforeValidator, Field, ValidationError, field_validator

from services.intake.app.application import IntakeApplication, NewDemand
from services.intake.domain.rules import CATEGORIES
from services.intake.http.demands_api import now_of
from services.intake.http.places import town_names
from services.intake.read.overview import CHINA
from services.intake.read.registry import DEPUTY, STATION
from shared.auth import Role
from shared.divisions import county_name
from shared.kernel.meta import RuleViolation
from shared.views.store import ViewStore
from shared.web.feedback import problem_of
from shared.web.forms import FormDep
from shared.web.i18n import language
from shared.web.refusals import refusal_text, validation_text
from shared.web.requests import meta_for
from shared.web.templating import make_templates, render
from shared.web.viewer import viewer_county

TEMPLATES = Path(__file__).parent / "templates"
TAKERS = {Role.CONGRESS_STAFF, Role.GOV_UNIT, Role.DEPUTY}
CHANNELS = ("liaison_station", "deputy_suggestion", "department_list")
LABELS = {
    "zh": {
        "channel": "征集渠道",
        "station": "代表联络站",
        "deputy": "人大代表",
        "received_at": "收到时间",
        "town": "乡镇（街道）",
        "category": "类别",
        "text": "诉求内容",
        "name": "群众姓名",
        "phone": "群众电话",
        "address": "详细地址",
    },
    "en": {
        "channel": "Channel",
        "station": "Liaison station",
        "deputy": "Deputy",
        "received_at": "Received at",
        "town": "Town / street",
        "category": "Category",
        "text": "Demand",
        "name": "Resident's name",
        "phone": "Resident's phone",
        "address": "Address",
    },
}


def _blank_none(value: object) -> object:
    return None if value in ("", None) else value


class Entry(BaseModel):
    """One filled-in entry form (several demands when ``per_line``: a department's list)."""

    channel: Literal["liaison_station", "deputy_suggestion", "department_list"]
    station: Annotated[UUID | None, BeforeValidator(_blank_none)] = None
    deputy: str = Field(default="", max_length=100)
    received_at: datetime
    town: str = Field(min_length=1, max_length=40)
    category: str
    text: str = Field(min_length=2, max_length=20_000)
    per_line: bool = False
    name: str = Field(default="", max_length=60)
    phone: str = Field(default="", max_length=30)
    address: str = Field(default="", max_length=200)

    @field_validator("received_at")
    @classmethod
    def china_time(cls, value: datetime) -> datetime:
        return value if value.tzinfo else value.replace(tzinfo=CHINA)

    @field_validator("category")
    @classmethod
    def known_category(cls, value: str) -> str:
        if value not in CATEGORIES:
            raise ValueError("请从列表中选择 / choose one from the list")
        return value

    def texts(self) -> list[str]:
        if not self.per_line:
            return [self.text.strip()]
        return [line.strip() for line in self.text.splitlines() if len(line.strip()) >= 2]


def make_entry_pages(app: IntakeApplication, views: ViewStore) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    templates = make_templates(TEMPLATES, static_base="/intake/static")

    def show(request: Request, county: str, values: dict, errors: list[str], status_code: int = 200) -> Response:
        principal, county, allowed = viewer_county(request, county)
        if not principal.has_any(TAKERS):
            return RedirectResponse("/login", status_code=303)
        lang = language(request)
        if not allowed:
            context = {"county": county, "denied": True, "problem": problem_of(request, OUTSIDE)}
            return render(templates, request, "entry.html", context, status_code=403)
        deputies = sorted((d for d in views.list(DEPUTY, county) if d["active"]), key=lambda d: (d["town"], d["name"]))
        stations = sorted(views.list(STATION, county), key=lambda s: (s["town"], s["name"]))
        me_deputy = principal.has_any({Role.DEPUTY}) and not principal.has_any({Role.CONGRESS_STAFF, Role.GOV_UNIT})
        now = now_of(request).astimezone(CHINA).strftime("%Y-%m-%dT%H:%M")
        defaults = {"channel": "deputy_suggestion" if me_deputy else "liaison_station", "received_at": now}
        if me_deputy:
            defaults["deputy"] = principal.subject
        done = [c for c in request.query_params.get("done", "").split(",") if c]
        context = {
            "county": county,
            "county_name": county_name(county),
            "channels": CHANNELS if not me_deputy else ("deputy_suggestion", "liaison_station"),
            "stations": stations,
            "deputies": deputies,
            "towns": town_names(county),
            "categories": list(CATEGORIES),
            "labels": LABELS["zh" if lang == "zh" else "en"],
            "v": {**defaults, **values},
            "errors": errors,
            "done": done,
            "problem": problem_of(request),
        }
        return render(templates, request, "entry.html", context, status_code=status_code)

    @router.get("/entry", response_class=HTMLResponse)
    def entry_form(request: Request, county: str = "") -> Response:
        return show(request, county, {}, [])

    @router.post("/entry")
    def take_down(request: Request, form: FormDep) -> Response:
        principal, county, allowed = viewer_county(request, str(form.get("county") or ""))
        if not principal.has_any(TAKERS) or not allowed:
            return RedirectResponse("/login", status_code=303)
        lang = language(request)
        values = {k: str(form.get(k) or "").strip() for k in (*LABELS["en"], "per_line")}
        try:
            entry = Entry.model_validate({**values, "per_line": values["per_line"] == "1"})
        except ValidationError as exc:
            errors = validation_text(exc.errors(), LABELS["zh" if lang == "zh" else "en"], lang)
            return show(request, county, values, errors, 422)
        errors = check(entry, lang, now_of(request))
        if errors:
            return show(request, county, values, errors, 422)
        meta = replace(meta_for(request, principal, county), occurred_at=entry.received_at.astimezone(UTC))
        codes = []
        try:
            for text in entry.texts():
                demand = app.submit(
                    meta,
                    NewDemand(
                        channel=entry.channel,
                        town=entry.town,
                        category=entry.category,
                        text=text,
                        name="" if entry.per_line else entry.name,
                        phone="" if entry.per_line else entry.phone,
                        address="" if entry.per_line else entry.address,
                        station_id=entry.station,
                        deputy_id=entry.deputy,
                    ),
                )
                codes.append(demand.tracking_code)
        except RuleViolation as exc:
            taken = [f"已登记 {len(codes)} 条" if lang == "zh" else f"{len(codes)} taken down"] if codes else []
            return show(request, county, values, [refusal_text(str(exc), lang), *taken], 409)
        return RedirectResponse(f"/intake/entry?county={county}&done={quote(','.join(codes))}", status_code=303)

    return router


def check(entry: Entry, lang: str, now: datetime) -> list[str]:
    """What the channel needs: a station for a station's demand, a deputy for a deputy's suggestion; a
    received time not ahead of now; a list with at least one line."""
    zh = lang == "zh"
    errors = []
    if entry.channel == "liaison_station" and entry.station is None:
        errors.append("请选择代表联络站" if zh else "choose the liaison station")
    if entry.channel == "deputy_suggestion" and not entry.deputy:
        errors.append("请选择提出建议的代表" if zh else "choose the deputy who made the suggestion")
    if entry.received_at > now + timedelta(minutes=5):
        errors.append("收到时间不能晚于现在" if zh else "the time received cannot be in the future")
    if entry.received_at.year < 2000:
        errors.append("收到时间须在 2000 年以后" if zh else "the time received is before 2000")
    if entry.per_line and not entry.texts():
        errors.append("清单中没有诉求（每行一条，至少 2 个字）" if zh else "the list has no demand (one a line)")
    return errors


OUTSIDE = "无权查看该县 / County outside your scope"
