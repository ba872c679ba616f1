"""Intake's resident pages (mobile first): pick the county and the town or street, submit a demand, follow
it by its tracking code: what became of it through merges, splits and duplicates, the project it became,
and the link to rate that project once its rating is open. The form opened by a deputy's or a liaison
station's code (亮码) is pre-filled with the county, town/street, station and deputy, and names the
reception held there at that moment, if one is."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.intake.app.application import IntakeApplication, NewDemand
from services.intake.domain.demand import Demand
from services.intake.domain.deputy import deputy_key
from services.intake.domain.rules import CATEGORIES
from services.intake.http.codes import home_station, level_title, reception_now
from services.intake.http.demands_api import now_of
from services.intake.http.names import Names
from services.intake.http.places import counties_of_province, provinces, served, town_names
from services.intake.http.timeline import fate_of, timeline_of
from services.intake.read.registry import DEPUTY, RECEPTION, STATION
from shared.divisions import county_name, full_name, is_county
from shared.kernel.meta import RuleViolation
from shared.persistence.application import NotFound
from shared.views.store import ViewStore
from shared.web.access import principal_of
from shared.web.feedback import problem_of
from shared.web.i18n import language, register_messages
from shared.web.requests import meta_for
from shared.web.templating import make_templates, render

TEMPLATES = Path(__file__).parent / "templates"

register_messages(
    {
        "zh": {
            "intake_title": "民意征集",
            "demand_text": "诉求内容",
            "your_name": "姓名（选填）",
            "your_phone": "电话（选填）",
            "your_address": "详细地址（选填）",
            "contact_private": "联系方式仅本县工作人员可见，不会公开。",
            "submitted_ok": "已收到您的诉求，请保存跟踪码：",
            "timeline": "办理进程",
            "queue_title": "诉求办理队列",
            "not_found_code": "没有找到这个跟踪码。",
            "stage_submitted": "已提交",
            "stage_candidate": "纳入候选项目",
            "stage_adopted": "确定为实事项目",
            "stage_project": "开始实施",
            "stage_progress": "实施进展",
            "stage_completed": "已完工",
            "stage_verdict": "代表测评结果",
            "channel": "渠道",
            "deadletters_title": "无法处理的消息（死信）",
            "reason": "原因",
            "stage_classified": "已分类",
            "stage_routed": "已分流",
            "stage_escalated": "已升级处理",
            "stage_replied": "已答复",
            "stage_overdue": "答复超时预警",
            "stage_merged": "已并入建议",
            "stage_split": "已从建议中拆出",
            "stage_duplicate": "已合并为重复诉求",
            "stage_deputy": "代表处理",
            "stage_wish": "微心愿",
            "stage_closed": "已办结",
        },
        "en": {
            "intake_title": "Demands",
            "demand_text": "Your demand",
            "your_name": "Name (optional)",
            "your_phone": "Phone (optional)",
            "your_address": "Exact address (optional)",
            "contact_private": "Your contact details are seen only by this county's staff and never published.",
            "submitted_ok": "We received your demand. Keep this tracking code:",
            "timeline": "What happened",
            "queue_title": "Demand queue",
            "not_found_code": "No demand has this tracking code.",
            "stage_submitted": "Submitted",
            "stage_candidate": "Part of a candidate project",
            "stage_adopted": "Adopted as a project",
            "stage_project": "Implementation started",
            "stage_progress": "Progress",
            "stage_completed": "Completed",
            "stage_verdict": "Deputies' verdict",
            "channel": "Channel",
            "deadletters_title": "Messages that could not be processed",
            "reason": "Reason",
            "stage_classified": "Classified",
            "stage_routed": "Routed",
            "stage_escalated": "Escalated",
            "stage_replied": "Replied",
            "stage_overdue": "Reply overdue",
            "stage_merged": "Merged into a suggestion",
            "stage_split": "Split off a suggestion",
            "stage_duplicate": "Linked as a duplicate",
            "stage_deputy": "Deputy",
            "stage_wish": "Micro-wish",
            "stage_closed": "Closed",
        },
    }
)


def make_pages(app: IntakeApplication, views: ViewStore) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    templates = make_templates(TEMPLATES, static_base="/intake/static")

    def categories(request: Request) -> list[tuple[str, str]]:
        lang = language(request)
        return [(key, names[lang if lang in names else "en"]) for key, names in CATEGORIES.items()]

    def form_context(request: Request, county: str, town: str = "") -> dict:
        """The form of one county: its name, and its towns and streets to pick from (a town the link or
        the code named is offered too, even when the registry does not list it)."""
        known = is_county(county)
        towns = town_names(county)
        if town and town not in towns:
            towns = [town, *towns]
        context: dict = {
            "categories": categories(request),
            "county": county,
            "county_name": county_name(county) if known else "",
            "county_full_name": full_name(county) if known else "",
            "towns": towns,
        }
        if county and not known:
            context["problem"] = problem_of(request, UNKNOWN_COUNTY)
        return context

    def picker_context(request: Request, province: str) -> dict:
        return {
            "served": served(views),
            "provinces": provinces(),
            "province": province,
            "province_counties": counties_of_province(province),
        }

    @router.get("/", response_class=HTMLResponse)
    def index(request: Request) -> Response:
        principal_of(request)
        return render(templates, request, "intake_index.html", {"categories": categories(request)})

    def source_of(request: Request, county: str, deputy: str, station: str, reception: str) -> dict[str, Any]:
        """Whom a scanned code addresses: the county, town/street, station, deputy and the reception
        held there now (a reception's own link names it). Unknown or retired ones are left out."""
        found: dict[str, Any] = {"county": county, "town": "", "station": None, "deputy": None, "reception": None}
        rec = views.get(RECEPTION, reception) if _uuid(reception) else None
        if rec is not None and rec["status"] != "cancelled":
            found.update(county=rec["county"], reception=rec)
            station = rec["station_id"]
        st = views.get(STATION, station) if _uuid(station) else None
        if st is not None:  # a station's code names no county: the station says which
            found.update(county=st["county"], station=st, town=st["town"])
        if deputy and found["county"].isdigit():
            doc = views.get(DEPUTY, str(deputy_key(found["county"], deputy)))
            if doc is not None and doc["active"]:
                found.update(
                    deputy=doc,
                    town=found["town"] or doc["town"],
                    title=level_title(doc["county"], doc["level"], doc["town"]),
                )
                if found["station"] is None:
                    home = home_station(views, found["county"], doc)
                    found.update(station=home, town=home["town"] if home else doc["town"])
            elif doc is not None:
                found["retired"] = True
        if found["station"] is not None and found["reception"] is None:
            found["reception"] = reception_now(views, found["county"], found["station"]["id"], now_of(request))
        return found

    @router.get("/submit", response_class=HTMLResponse)
    def submit_form(
        request: Request,
        county: str = "",
        deputy: str = "",
        station: str = "",
        reception: str = "",
        province: str = "",
        town: str = "",
    ) -> Response:
        """Without a county (the home page's link), the resident first picks the county; then the form,
        with the county's towns and streets to pick from."""
        principal_of(request)
        scanned = bool(deputy or station or reception)
        source = source_of(request, county, deputy, station, reception) if scanned else None
        county = source["county"] if source else county.strip()
        town = (source["town"] if source else "") or town.strip()
        context = {**form_context(request, county, town), **picker_context(request, province.strip())}
        form = {"town": town} if town else None
        status = 404 if county and not is_county(county) else 200
        return render(
            templates, request, "submit.html", {**context, "source": source, "form": form}, status_code=status
        )

    @router.post("/submit")
    def submit(
        request: Request,
        county: Annotated[str, Form()],
        category: Annotated[str, Form()],
        text: Annotated[str, Form()],
        town: Annotated[str, Form()] = "",
        name: Annotated[str, Form()] = "",
        phone: Annotated[str, Form()] = "",
        address: Annotated[str, Form()] = "",
        station: Annotated[str, Form()] = "",
        deputy: Annotated[str, Form()] = "",
        reception: Annotated[str, Form()] = "",
    ) -> Response:
        principal = principal_of(request)
        problem = None
        scanned = bool(station or deputy)
        if not is_county(county):
            problem = problem_of(request, UNKNOWN_COUNTY)
        elif len(text.strip()) < 2 or not town.strip():
            problem = problem_of(request, FILL_IN)
        if problem is None:
            try:
                demand = app.submit(
                    meta_for(request, principal, county, role="resident"),
                    NewDemand(
                        channel="qr_code" if scanned else "web",
                        town=town.strip(),
                        category=category,
                        text=text.strip(),
                        name=name.strip(),
                        phone=phone.strip(),
                        address=address.strip(),
                        station_id=UUID(station) if _uuid(station) else None,
                        deputy_id=deputy.strip(),
                        reception_id=UUID(reception) if _uuid(reception) else None,
                    ),
                )
            except RuleViolation as exc:
                problem = problem_of(request, str(exc))
            else:
                return RedirectResponse(f"/intake/track/{demand.tracking_code}?new=1", status_code=303)
        return render(
            templates,
            request,
            "submit.html",
            {
                **form_context(request, county, town.strip()),
                "source": source_of(request, county, deputy, station, reception) if scanned else None,
                "problem": problem,
                "form": {
                    "town": town,
                    "category": category,
                    "text": text,
                    "name": name,
                    "phone": phone,
                    "address": address,
                },
            },
            status_code=422,
        )

    @router.get("/track", response_class=HTMLResponse)
    def track_lookup(request: Request, code: str = "") -> Response:
        return RedirectResponse(f"/intake/track/{code.strip().upper()}", status_code=303)

    @router.get("/track/{code}", response_class=HTMLResponse)
    def track(request: Request, code: str, new: int = 0) -> Response:
        """What became of the demand: its steps, the suggestion it went into (or left), the project it
        became and, once that project's rating is open, the link to rate it."""
        principal_of(request)
        try:
            demand = app.track(code)
        except NotFound:
            return render(templates, request, "track.html", {"demand": None, "code": code}, status_code=404)
        lang = language(request)
        primary = app.find(demand.duplicate_of) if demand.duplicate_of else None
        context = {
            "demand": demand,
            "code": demand.tracking_code,
            "county_name": full_name(demand.county),
            "new": bool(new),
            "entries": timeline_of(demand, views, lang, Names(views, demand.county, lang)),
            "fate": fate_of(demand, primary if isinstance(primary, Demand) else None, views),
        }
        return render(templates, request, "track.html", context)

    return router


UNKNOWN_COUNTY = (
    "未知的县级行政区划代码，请从列表中选择县（市、区） / Unknown county code: choose the county from the list"
)
FILL_IN = "请选择乡镇（街道）并填写诉求内容（至少 2 个字） / Choose the town or street and describe the demand"


def _uuid(value: str) -> bool:
    try:
        UUID(value)
    except ValueError:
        return False
    return True
