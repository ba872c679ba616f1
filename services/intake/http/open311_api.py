"""Open311 GeoReport v2 at ``/intake/open311/v2/`` (http://wiki.open311.org/GeoReport_v2), every call in
JSON and in XML (``.json`` / ``.xml``), ``discovery`` included.

``jurisdiction_id`` is the county code (行政区划代码), checked against the county registry (an unknown
one is 404). Services are our categories; their definition asks for the town/street, one of the county's
towns in the registry. A request is a demand (``service_request_id`` = demand id); ``POST requests``
answers its id (the demand exists at once), with the tracking code (跟踪码) in ``service_notice``, and
``tokens/{token}`` finds a demand by that code. ``status`` is ``open``/``closed`` with our detailed status
in ``status_notes``. ``POST requests`` needs an ``api_key``: a Shishi token whose scope covers the
jurisdiction. Published requests never carry the resident's name, phone, e-mail or exact address;
``address`` is the town/street. Every error, unmatched routes included, is the spec's list of
``{code, description}`` with the HTTP status. ``page``/``page_size`` page ``GET requests`` (the
extension Chicago, Boston and Toronto implement).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlsplit
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from services.intake.app.application import IntakeApplication, NewDemand
from services.intake.domain.rules import CATEGORIES
from services.intake.http.open311_format import (
    Open311Error,
    answer,
    error_answer,
    format_in_path,
    format_of,
)
from services.intake.read.projections import DEMAND, OPEN311_CHANGESET
from shared import divisions
from shared.auth import READ_ONLY_ROLES, AuthError, Principal
from shared.kernel.meta import RuleViolation, is_county_code
from shared.persistence.application import NotFound
from shared.views.store import ViewStore
from shared.web.access import PUBLIC, allow
from shared.web.forms import FormDep
from shared.web.idempotency import origin_of
from shared.web.requests import meta_for, public_origin

SPEC = "http://wiki.open311.org/GeoReport_v2"
CLOSED = ("closed", "completed", "rated", "duplicate")
ANYONE = allow(PUBLIC)
Caller = Annotated[Principal, Depends(ANYONE)]
MAX_SPAN = timedelta(days=90)
MAX_PAGE_SIZE = 1000
# the service definitions' towns are the registry's, as of its edition (China time)
EDITION_AT = datetime.fromisoformat(divisions.EDITION + "T00:00:00+08:00")
LIMITS = {"description": 4000, "address_string": 200, "first_name": 30, "last_name": 30, "phone": 30, "media_url": 2000}
KNOWN_PATHS = re.compile(r"(discovery|services|requests)\.\w+|(services|requests|tokens)/[^/]+\.\w+")


def parse_time(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise Open311Error(400, f"{name} must be a w3c datetime, e.g. 2026-01-01T00:00:00Z") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def jurisdiction(value: str | None) -> str:
    if not value:
        raise Open311Error(400, "jurisdiction_id (the county's 6-digit code) is required")
    if not is_county_code(value) or not divisions.is_county(value):
        raise Open311Error(404, f"jurisdiction_id {value} not found: not a county in the registry")
    return value


def agency(doc: dict, county: str) -> str | None:
    """Who answers for the demand now, by name: the tier's body, a deputy, or whom it was forwarded to."""
    owner, name = doc.get("owner") or "", divisions.county_name(county)
    if owner.startswith("deputy:"):
        return f"{name}人大代表"
    bodies = {
        "department": f"{name}人民政府相关职能部门",
        "micro_wish": f"{name}人大代表（微心愿认领）",
        "micro": f"{doc['town']}（民生微实事）" if doc.get("town") else f"{name}（民生微实事）",
        "major": f"{name}人民政府（民生实事项目）",
        "suggestion": f"{name}人大常委会（项目建议）",
    }
    return bodies.get(owner, owner) or None


def as_request(doc: dict) -> dict:
    status = "closed" if doc["status"] in CLOSED else "open"
    location = doc.get("location") or {}
    return {
        "service_request_id": doc["id"],
        "status": status,
        "status_notes": doc["status"] + (f"; tier={doc['tier']}" if doc.get("tier") else ""),
        "service_name": CATEGORIES.get(doc["category"], CATEGORIES["other"])["zh"],
        "service_code": doc["category"],
        "description": doc["text"] or None,
        "agency_responsible": agency(doc, doc["county"]),
        "service_notice": None,
        "requested_datetime": doc["submitted_at"],
        "updated_datetime": doc["last_moved_at"],
        "expected_datetime": doc.get("due_at"),
        "address": doc["town"] or None,
        "address_id": None,
        "zipcode": None,
        "lat": location.get("lat"),
        "long": location.get("long"),
        "media_url": doc.get("media_url"),
    }


def spoken(fn: Callable[..., Response]) -> Callable[..., Response]:
    """An ``Open311Error`` (or a rule the domain refuses) becomes the spec's error, in the call's format."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        fmt = format_in_path(f".{kwargs.get('fmt', 'json')}")
        try:
            return fn(*args, **kwargs)
        except Open311Error as exc:
            return error_answer(fmt, exc.code, exc.description)
        except RuleViolation as exc:
            return error_answer(fmt, 400, str(exc))

    return wrapper


def make_open311_router(app: IntakeApplication, views: ViewStore) -> APIRouter:
    router = APIRouter(prefix="/open311/v2", tags=["open311"])

    def changeset(county: str | None = None) -> str:
        """When the service list or a definition last changed: the registry edition its towns come from,
        or the county's (any county's) last change of its intake rules, whichever is later."""
        docs = [views.get(OPEN311_CHANGESET, county)] if county else views.list(OPEN311_CHANGESET)
        times = [EDITION_AT, *(datetime.fromisoformat(d["changed_at"]) for d in docs if d)]
        return max(times).isoformat()

    def services_of(county: str) -> list[dict]:
        _, rules = app.rules(county)
        major = set(rules["major_categories"])
        return [
            {
                "service_code": code,
                "service_name": names["zh"],
                "description": f"{names['zh']} / {names['en']}",
                "metadata": True,
                "type": "realtime",
                "keywords": f"{code},{names['en']}",
                "group": "民生实事（可提请票决）" if code in major else "民生诉求",
            }
            for code, names in CATEGORIES.items()
        ]

    def town_attribute(county: str) -> dict:
        towns = divisions.towns_of(county)
        return {
            "variable": True,
            "code": "town",
            "datatype": "singlevaluelist" if towns else "string",
            "required": True,
            "datatype_description": "乡镇/街道：本县（市、区）的乡镇或街道（名称或9位代码）"
            if towns
            else "乡镇/街道名称",
            "order": 1,
            "description": "问题所在的乡镇/街道 (town or street)",
            "values": [{"key": code, "name": name} for code, name in towns],
        }

    def town_of(county: str, value: str) -> str:
        if not value:
            raise Open311Error(400, "attribute[town] (乡镇/街道) is required")
        towns = divisions.towns_of(county)
        if not towns:
            return value[:40]
        for code, name in towns:
            if value in (code, name):
                return name
        raise Open311Error(400, f"attribute[town] {value!r} is not a town or street of jurisdiction {county}")

    @router.get("/discovery.{fmt}")
    @spoken
    def discovery(request: Request, principal: Caller, fmt: str) -> Response:
        """Where the endpoint is (the origin the client used) and what it speaks."""
        fmt_ = format_of(fmt)
        base = public_origin(request) + request.url.path.split("/open311/v2/")[0] + "/open311/v2/"
        when = changeset()
        production = getattr(request.app.state, "settings", None)
        kind = "production" if getattr(production, "mode", "") == "production" else "test"
        document = {
            "changeset": when,
            "contact": "所在县（市、区）人大常委会办公室 / the county people's congress office",
            "key_service": "api_key: a Shishi token covering the county (from the county's identity provider)",
            "endpoints": [
                {
                    "specification": SPEC,
                    "url": base,
                    "changeset": when,
                    "type": kind,
                    "formats": ["text/xml", "application/json"],
                }
            ],
        }
        return answer(fmt_, "discovery", document)

    @router.get("/services.{fmt}")
    @spoken
    def services(principal: Caller, fmt: str, jurisdiction_id: str | None = None) -> Response:
        """Our categories as Open311 services; the county's major categories are grouped apart."""
        fmt_ = format_of(fmt)
        return answer(fmt_, "services", services_of(jurisdiction(jurisdiction_id)))

    @router.get("/services/{service_code}.{fmt}")
    @spoken
    def service_definition(
        service_code: str, principal: Caller, fmt: str, jurisdiction_id: str | None = None
    ) -> Response:
        """The attributes a request of this service takes: the town/street, one of the county's."""
        fmt_ = format_of(fmt)
        county = jurisdiction(jurisdiction_id)
        if service_code not in CATEGORIES:
            raise Open311Error(404, f"service_code {service_code} not found")
        return answer(
            fmt_, "service_definition", {"service_code": service_code, "attributes": [town_attribute(county)]}
        )

    @router.post("/requests.{fmt}")
    @spoken
    def create_request(request: Request, principal: Caller, form: FormDep, fmt: str) -> Response:
        """Create a service request (form-encoded, with ``api_key``): one demand, answered with its id."""
        fmt_ = format_of(fmt)

        def field(name: str) -> str:
            value = str(form.get(name) or "").strip()
            if name in LIMITS and len(value) > LIMITS[name]:
                raise Open311Error(400, f"{name} is {len(value)} characters long; at most {LIMITS[name]} are allowed")
            return value

        county = jurisdiction(field("jurisdiction_id"))
        try:
            caller = request.app.state.verifier.verify(field("api_key")) if field("api_key") else None
        except AuthError:
            caller = None
        if caller is None:
            raise Open311Error(403, "a valid api_key is required")
        if not caller.covers(county) or caller.roles <= READ_ONLY_ROLES:
            raise Open311Error(403, f"api_key may not create requests in jurisdiction {county}")
        code = field("service_code")
        if not code:
            raise Open311Error(400, "service_code is required")
        if code not in CATEGORIES:
            raise Open311Error(404, f"service_code {code} not found")
        town = town_of(county, field("attribute[town]"))
        location = None
        if field("lat") or field("long"):
            try:
                lat, lon = float(field("lat")), float(field("long"))
            except ValueError as exc:
                raise Open311Error(400, "lat and long must both be numbers (WGS84)") from exc
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise Open311Error(400, "lat/long out of range")
            location = {"lat": lat, "long": lon}
        elif not field("address_string") and not field("address_id"):
            raise Open311Error(400, "a location is required: lat & long, address_string or address_id")
        media_url = field("media_url")
        if media_url and (urlsplit(media_url).scheme not in ("http", "https") or not urlsplit(media_url).netloc):
            raise Open311Error(400, "media_url must be an http(s) URL")
        new = NewDemand(
            channel="open311",
            town=town,
            category=code,
            text=field("description"),
            name=" ".join(x for x in (field("last_name"), field("first_name")) if x),
            phone=field("phone"),
            address=field("address_string"),
            location=location,
            attachments=[{"name": "media_url", "url": media_url, "content_type": "text/uri-list"}] if media_url else [],
            origin_key=origin_of(request.state),
        )
        demand = app.submit(meta_for(request, caller, county, role=caller.primary_role), new)
        receipt = {
            "service_request_id": str(demand.id),
            "service_notice": f"跟踪码 / tracking code: {demand.tracking_code}",
        }
        return answer(fmt_, "service_requests", [receipt])

    @router.get("/requests.{fmt}")
    @spoken
    def requests_(
        request: Request,
        principal: Caller,
        fmt: str,
        jurisdiction_id: str | None = None,
        service_request_id: str | None = None,
        service_code: str | None = None,
        start_date: str | None = None,
        end_date: str | None = None,
        status: str | None = None,
        page: str | None = None,
        page_size: str | None = None,
    ) -> Response:
        """Service requests, newest first. ``service_request_id`` (comma-separated) overrides every other
        filter; otherwise ``start_date``..``end_date`` (at most 90 days; either alone spans 90 days from it;
        neither: the last 90 days), ``service_code`` and ``status`` (comma-separated). ``page`` (from 1) and
        ``page_size`` (at most 1,000, the default) page the answer."""
        fmt_ = format_of(fmt)
        county = jurisdiction(jurisdiction_id)
        number, size = _positive(page, "page", 1), _positive(page_size, "page_size", MAX_PAGE_SIZE)
        if size > MAX_PAGE_SIZE:
            raise Open311Error(400, f"page_size may be at most {MAX_PAGE_SIZE}")
        docs = views.list(DEMAND, county)
        if service_request_id:
            wanted = {s.strip() for s in service_request_id.split(",")}
            docs = [d for d in docs if d["id"] in wanted]
        else:
            start, end = parse_time(start_date, "start_date"), parse_time(end_date, "end_date")
            if start and end and end - start > MAX_SPAN:
                raise Open311Error(400, "start_date and end_date may not span more than 90 days")
            if start is None:
                end = end or request.app.state.clock()
                start = end - MAX_SPAN
            elif end is None:
                end = start + MAX_SPAN
            if service_code:
                codes = {s.strip() for s in service_code.split(",")}
                unknown = codes - set(CATEGORIES)
                if unknown:
                    raise Open311Error(404, f"service_code {', '.join(sorted(unknown))} not found")
                docs = [d for d in docs if d["category"] in codes]
            docs = [d for d in docs if start <= datetime.fromisoformat(d["submitted_at"]) <= end]
            if status:
                statuses = {s.strip() for s in status.split(",")}
                if not statuses <= {"open", "closed"}:
                    raise Open311Error(400, "status is open or closed (comma-separated)")
                docs = [d for d in docs if ("closed" if d["status"] in CLOSED else "open") in statuses]
        docs.sort(key=lambda d: (d["submitted_at"], d["id"]), reverse=True)
        chosen = docs[(number - 1) * size : number * size]
        return answer(fmt_, "service_requests", [as_request(d) for d in chosen])

    @router.get("/requests/{request_id}.{fmt}")
    @spoken
    def one_request(request_id: str, principal: Caller, fmt: str, jurisdiction_id: str | None = None) -> Response:
        """One service request of the jurisdiction."""
        fmt_ = format_of(fmt)
        county = jurisdiction(jurisdiction_id)
        try:
            UUID(request_id)
        except ValueError:
            raise Open311Error(404, f"service_request_id {request_id} not found") from None
        doc = views.get(DEMAND, request_id)
        if doc is None or doc["county"] != county:
            raise Open311Error(404, f"service_request_id {request_id} not found in jurisdiction {county}")
        return answer(fmt_, "service_requests", [as_request(doc)])

    @router.get("/tokens/{token}.{fmt}")
    @spoken
    def token(token: str, principal: Caller, fmt: str, jurisdiction_id: str | None = None) -> Response:
        """The request a token (the resident's tracking code, 跟踪码) stands for, in the jurisdiction."""
        fmt_ = format_of(fmt)
        county = jurisdiction(jurisdiction_id)
        try:
            demand = app.track(token)
        except NotFound:
            raise Open311Error(404, f"token {token} not found") from None
        if demand.county != county:
            raise Open311Error(404, f"token {token} not found in jurisdiction {county}")
        return answer(fmt_, "service_requests", [{"service_request_id": str(demand.id), "token": demand.tracking_code}])

    @router.api_route("/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
    def unmatched(rest: str, principal: Caller) -> Response:
        """Anything else under the endpoint: the spec's error, not the framework's ``{"detail": …}``."""
        fmt = format_in_path(rest)
        resource = rest.removesuffix(f".{fmt}") or "(the endpoint root)"
        if KNOWN_PATHS.fullmatch(rest):
            return error_answer(fmt, 405, f"method not allowed on {resource}")
        return error_answer(fmt, 404, f"no such resource: {resource}; see discovery")

    return router


def _positive(value: str | None, name: str, default: int) -> int:
    if value is None or value == "":
        return default
    if not value.isdigit() or int(value) < 1:
        raise Open311Error(400, f"{name} must be a whole number of at least 1")
    return int(value)
