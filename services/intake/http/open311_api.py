"""Open311 GeoReport v2 at ``/intake/open311/v2/`` (http://wiki.open311.org/GeoReport_v2), JSON format.

``jurisdiction_id`` is the county code (行政区划代码). Services are our categories; a request is a
demand (``service_request_id`` = demand id, ``token`` = its tracking code). ``status`` is
``open``/``closed`` with our detailed status in ``status_notes``. ``POST requests`` needs an
``api_key``: a Shishi token whose scope covers the jurisdiction. Published requests never carry
the resident's name, phone, e-mail or exact address; ``address`` is the town/street.
Errors follow the spec: a list of ``{code, description}`` with the HTTP status.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from services.intake.app.application import IntakeApplication, NewDemand
from services.intake.domain.demand import Demand
from services.intake.domain.rules import CATEGORIES
from services.intake.read.projections import DEMAND
from shared.auth import READ_ONLY_ROLES, AuthError, Principal
from shared.divisions import is_county
from shared.kernel.meta import RuleViolation, is_county_code
from shared.views.store import ViewStore
from shared.web.access import PUBLIC, allow
from shared.web.forms import FormDep
from shared.web.requests import meta_for

CLOSED = ("closed", "completed", "rated", "duplicate")
ANYONE = allow(PUBLIC)


class Open311Error(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


def error(code: int, description: str) -> JSONResponse:
    return JSONResponse([{"code": code, "description": description}], status_code=code)


def parse_time(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise Open311Error(400, f"{name} must be a w3c datetime") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def service(code: str, lang: str = "zh") -> dict:
    names = CATEGORIES[code]
    return {
        "service_code": code,
        "service_name": names["zh"],
        "description": f"{names['zh']} / {names['en']}",
        "metadata": True,
        "type": "realtime",
        "keywords": code,
        "group": "民生诉求",
    }


def as_request(doc: dict) -> dict:
    status = "closed" if doc["status"] in CLOSED else "open"
    notes = doc["status"] + (f"; tier={doc['tier']}" if doc.get("tier") else "")
    return {
        "service_request_id": doc["id"],
        "status": status,
        "status_notes": notes,
        "service_name": CATEGORIES.get(doc["category"], CATEGORIES["other"])["zh"],
        "service_code": doc["category"],
        "description": doc["text"],
        "agency_responsible": doc.get("owner") or "",
        "service_notice": "",
        "requested_datetime": doc["submitted_at"],
        "updated_datetime": doc["last_moved_at"],
        "expected_datetime": doc.get("due_at"),
        "address": doc["town"],
        "address_id": "",
        "zipcode": "",
        "lat": None,
        "long": None,
        "media_url": "",
    }


def make_open311_router(app: IntakeApplication, views: ViewStore) -> APIRouter:
    router = APIRouter(prefix="/open311/v2", tags=["open311"])

    def jurisdiction(value: str | None) -> str:
        if not value or not is_county_code(value):
            raise Open311Error(400, "jurisdiction_id (6-digit county code) is required")
        if not is_county(value):
            raise Open311Error(404, f"jurisdiction_id {value} is not a known county (MCA codes)")
        return value

    def handled(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except Open311Error as exc:
                return error(exc.code, exc.description)

        return wrapper

    @router.get("/discovery.json")
    def discovery(request: Request, principal: Annotated[Principal, Depends(ANYONE)]) -> dict:
        """Where the endpoint is and what it speaks."""
        base = str(request.base_url).rstrip("/") + "/intake/open311/v2/"
        return {
            "changeset": "2025-01-01T00:00:00Z",
            "contact": "所在县人大常委会 / the county congress office",
            "key_service": "api_key: a token from `shishi token` (or your county's identity provider)",
            "endpoints": [
                {
                    "specification": "http://wiki.open311.org/GeoReport_v2",
                    "url": base,
                    "changeset": "2025-01-01T00:00:00Z",
                    "type": "production",
                    "formats": ["application/json"],
                }
            ],
        }

    @router.get("/services.json")
    def services(principal: Annotated[Principal, Depends(ANYONE)], jurisdiction_id: str | None = None) -> Any:
        """Our categories as Open311 services."""
        try:
            jurisdiction(jurisdiction_id)
        except Open311Error as exc:
            return error(exc.code, exc.description)
        return [service(code) for code in CATEGORIES]

    @router.get("/services/{service_code}.json")
    def service_definition(
        service_code: str, principal: Annotated[Principal, Depends(ANYONE)], jurisdiction_id: str | None = None
    ) -> Any:
        """The attributes a request of this service takes: the town/street is required."""
        if service_code not in CATEGORIES:
            return error(404, f"unknown service_code {service_code}")
        return {
            "service_code": service_code,
            "attributes": [
                {
                    "variable": True,
                    "code": "town",
                    "datatype": "string",
                    "required": True,
                    "datatype_description": "乡镇/街道 name",
                    "order": 1,
                    "description": "乡镇/街道 (town or street)",
                    "values": [],
                }
            ],
        }

    @router.post("/requests.json")
    def create_request(request: Request, principal: Annotated[Principal, Depends(ANYONE)], form: FormDep) -> Any:
        """Create a service request (form-encoded, with ``api_key``) → one demand."""

        def field(name: str) -> str:
            return str(form.get(name) or "").strip()

        try:
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
            if code not in CATEGORIES:
                raise Open311Error(400, f"service_code {code!r} is not one of our services")
            description = field("description")
            if len(description) < 2:
                raise Open311Error(400, "description is required")
            town = field("attribute[town]")
            if not town:
                raise Open311Error(400, "attribute[town] (乡镇/街道) is required")
            location = None
            if field("lat") or field("long"):
                try:
                    lat, lon = float(field("lat")), float(field("long"))
                except ValueError as exc:
                    raise Open311Error(400, "lat and long must be numbers") from exc
                if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                    raise Open311Error(400, "lat/long out of range")
                location = {"lat": lat, "long": lon}
            elif not field("address_string") and not field("address_id"):
                raise Open311Error(400, "a location is required: lat & long, address_string or address_id")
            name = " ".join(x for x in (field("last_name"), field("first_name")) if x)
            new = NewDemand(
                channel="open311",
                town=town[:40],
                category=code,
                text=description[:4000],
                name=name[:60],
                phone=field("phone")[:30],
                address=field("address_string")[:200],
                location=location,
                attachments=[{"name": "media_url", "content_type": "text/uri-list", "size": len(field("media_url"))}]
                if field("media_url")
                else [],
            )
            meta = meta_for(request, caller, county, role=caller.primary_role)
            demand = app.submit(meta, new)
        except Open311Error as exc:
            return error(exc.code, exc.description)
        except RuleViolation as exc:
            return error(400, str(exc))
        return [
            {
                "service_request_id": str(demand.id),
                "token": demand.tracking_code,
                "service_notice": f"跟踪码 / tracking code: {demand.tracking_code}",
                "account_id": None,
            }
        ]

    @router.get("/requests.json")
    @handled
    def requests_(
        request: Request,
        principal: Annotated[Principal, Depends(ANYONE)],
        jurisdiction_id: str | None = None,
        service_request_id: str | None = None,
        service_code: str | None = None,
        start_date: str | None = None,
        end_date: str | None = None,
        status: str | None = None,
    ) -> Any:
        """Service requests with the spec's filters (default: the last 90 days, at most 1000)."""
        county = jurisdiction(jurisdiction_id)
        docs = views.list(DEMAND, county)
        if service_request_id:
            wanted = {s.strip() for s in service_request_id.split(",")}
            docs = [d for d in docs if d["id"] in wanted]
        else:
            now = getattr(request.app.state, "clock", lambda: datetime.now(UTC))()
            end = parse_time(end_date, "end_date") or now
            start = parse_time(start_date, "start_date") or end - timedelta(days=90)
            if end - start > timedelta(days=90):
                raise Open311Error(400, "start_date and end_date may not span more than 90 days")
            if service_code:
                codes = {s.strip() for s in service_code.split(",")}
                docs = [d for d in docs if d["category"] in codes]
            docs = [d for d in docs if start <= datetime.fromisoformat(d["submitted_at"]) <= end]
        out = [as_request(d) for d in docs]
        if status:
            statuses = {s.strip() for s in status.split(",")}
            if not statuses <= {"open", "closed"}:
                raise Open311Error(400, "status is open or closed")
            out = [r for r in out if r["status"] in statuses]
        out.sort(key=lambda r: r["requested_datetime"], reverse=True)
        return out[:1000]

    @router.get("/requests/{request_id}.json")
    def one_request(
        request_id: str, principal: Annotated[Principal, Depends(ANYONE)], jurisdiction_id: str | None = None
    ) -> Any:
        try:
            found = app.find(UUID(request_id))
        except ValueError:
            found = None
        doc = views.get(DEMAND, request_id) if isinstance(found, Demand) else None
        if doc is None or (jurisdiction_id and doc["county"] != jurisdiction_id):
            return error(404, f"no service request {request_id}")
        return [as_request(doc)]

    @router.get("/tokens/{token}.json")
    def token(token: str, principal: Annotated[Principal, Depends(ANYONE)], jurisdiction_id: str | None = None) -> Any:
        try:
            demand = app.track(token)
        except LookupError:
            return error(404, f"no request for token {token}")
        return [{"service_request_id": str(demand.id), "token": demand.tracking_code}]

    return router
