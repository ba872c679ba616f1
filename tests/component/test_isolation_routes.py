"""County isolation, proven route by route: every route of the four services, read from their
OpenAPI documents, is called by every role scoped to county A against county B's data (B in
the path, in the body, B's object ids) — no read or write crosses the boundary: such a call is
answered 401, 403, 404 or 422 and nothing else, not even a 409 from a domain rule — and every
write is refused to the read-only roles (auditor, province viewer) even in their own county.

Each service runs in-process (``create_app(start_runtime=False)``, a temporary data dir) and is
first filled through its own routes (by every role of each county, with bodies generated from
the OpenAPI schemas) and through its own inbound policies (the contracts it consumes), so the
ids used are real objects of the other county.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from shared.auth import Role, issue_token
from shared.bus.messages import Delivered
from shared.config import SERVICES
from shared.contracts.envelope import Actor, Envelope
from shared.persistence.application import Inbound
from tests.fixtures.service import InProcessService

A, B = "440781", "440703"
ROLES = [r.value for r in Role]
READ_ONLY = {Role.AUDITOR.value, Role.PROVINCE_VIEWER.value}
WRITES = {"post", "put", "patch", "delete"}
REFUSED = {401, 403, 404, 422}  # the only answers a call on another county's data may get


# --- example values from a JSON schema -----------------------------------------------------

KNOWN = {"category": "roads"}  # values a domain rule checks beyond the schema


def example(
    schema: dict, defs: dict, county: str, name: str = "", depth: int = 0, ids: dict[str, list[str]] | None = None
) -> Any:
    if "$ref" in schema:
        return example(defs[schema["$ref"].split("/")[-1]], defs, county, name, depth, ids)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"] or schema[key]
            return example(options[0], defs, county, name, depth, ids)
    if name in KNOWN:
        return KNOWN[name]
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    kind, fmt, lower = schema.get("type"), schema.get("format", ""), name.lower()
    if "county" in lower and kind in (None, "string"):
        return county
    if kind == "object" or "properties" in schema:
        if depth > 4:
            return {}
        props = schema.get("properties", {})
        return {
            k: example(v, defs, county, k, depth + 1, ids)
            for k, v in props.items()
            if k in schema.get("required", []) or k in ("reason", "county")
        }
    if kind == "array":
        items = example(schema.get("items", {}), defs, county, name, depth + 1, ids)
        return [items] * max(1, schema.get("minItems", 0)) if schema.get("minItems") else []
    if kind == "string":
        if fmt == "uuid":
            return pick_id(name, ids) if ids else str(uuid.uuid4())
        if fmt == "date":
            return "2025-05-01"
        if fmt == "date-time":
            return "2025-05-01T09:00:00+08:00"
        if "phone" in lower:
            return "13800000000"
        text = "测试内容，用于隔离检查"
        return text[: schema.get("maxLength", len(text))].ljust(schema.get("minLength", 0), "字")
    if kind in ("integer", "number"):
        low = schema.get("minimum", schema.get("exclusiveMinimum", 0) + (1 if "exclusiveMinimum" in schema else 0))
        high = schema.get("maximum", schema.get("exclusiveMaximum", 10**9))
        value = 2025 if "year" in lower else max(low, 1)
        return min(value, high) if kind == "integer" else float(min(value, high))
    if kind == "boolean":
        return False
    return "x"


def contract_payload(model: type, county: str) -> Any:
    schema = model.model_json_schema()
    data = example(schema, schema.get("$defs", {}), county)
    for key in ("investment", "planned_investment", "spent"):
        if key in data:
            data[key] = "50000"
    return model.model_validate(data)


# --- one service, filled for both counties -------------------------------------------------


class Service(InProcessService):
    def __init__(self, name: str, data_dir: Path) -> None:
        # a 500 is an answer too (not a crossing)
        super().__init__(name, data_dir, now=datetime(2025, 5, 1, 9, tzinfo=UTC), raise_server_exceptions=False)
        self.secret = self.settings.resolved_jwt_secret()
        self.openapi = self.client.get(f"/{name}/openapi.json").json()
        self.defs = self.openapi.get("components", {}).get("schemas", {})
        self.seq = itertools.count(1)
        self.fed: dict[str, dict[str, list[str]]] = {}

    def headers_for(self, role: str | None, county: str) -> dict:
        if role is None:
            return {}
        return {
            "authorization": "Bearer "
            + issue_token(self.secret, subject=f"{role}-{county}", roles=[role], counties=[county])
        }

    def operations(self) -> Iterator[tuple[str, str, dict]]:
        for path, methods in self.openapi["paths"].items():
            for method, op in methods.items():
                yield path, method, op

    def body_for(self, op: dict, county: str, ids: dict[str, list[str]] | None = None) -> Any:
        content = op.get("requestBody", {}).get("content", {})
        schema = (content.get("application/json") or {}).get("schema")
        return example(schema, self.defs, county, ids=ids) if schema else None

    def ids_of(self, county: str) -> dict[str, list[str]]:
        """Ids of ``county``'s objects: those fed in (by field, e.g. ``project``), then every aggregate
        in this service's store, by class name."""
        app = self.api.state.application
        found: dict[str, list[str]] = {k: list(v) for k, v in self.fed.get(county, {}).items()}
        for n in app.recorder.select_notifications(0, 1_000_000):
            if n.originator_version != 1:
                continue
            event = app.mapper.to_domain_event(n)
            if getattr(getattr(event, "meta", None), "county", None) == county:
                cls = n.topic.split(":")[1].split(".")[0]
                found.setdefault(cls, []).append(str(n.originator_id))
        return found

    def request(
        self,
        method: str,
        path: str,
        op: dict,
        role: str | None,
        scope: str,
        target: str,
        ids: dict[str, list[str]],
        with_text: bool = False,
    ) -> Any:
        url = path
        for param in op.get("parameters", []):
            if param.get("in") != "path":
                continue
            pname = param["name"]
            if pname == "county":
                value = target
            elif pname.endswith("_id") or param.get("schema", {}).get("format") == "uuid":
                value = pick_id(pname, ids)
            elif "year" in pname:
                value = "2025"
            else:
                value = "X"
            url = url.replace("{" + pname + "}", value)
        query = {
            p["name"]: (target if "county" in p["name"] else example(p.get("schema", {}), self.defs, target, p["name"]))
            for p in op.get("parameters", [])
            if p.get("in") == "query" and p.get("required")
        }
        body = self.body_for(op, target, ids) if method in WRITES else None
        r = self.client.request(method.upper(), url, params=query, json=body, headers=self.headers_for(role, scope))
        return (r.status_code, r.text) if with_text else r.status_code


def targets_a_county(op: dict, service: Service) -> bool:
    """Whether a call names a county or an object: a path parameter, a county query or body field."""
    params = op.get("parameters", [])
    if any(p.get("in") == "path" or "county" in p["name"] for p in params):
        return True
    body = service.body_for(op, B)
    return isinstance(body, dict) and "county" in body


def pick_id(param: str, ids: dict[str, list[str]]) -> str:
    wanted = param.removesuffix("_ids").removesuffix("_id").replace("_", "").lower()
    for cls, values in ids.items():
        if cls.lower() == wanted:
            return values[0]
    for cls, values in ids.items():
        if wanted in cls.lower() or cls.lower() in wanted:
            return values[0]
    every = [v for cls, values in sorted(ids.items(), key=lambda kv: not kv[0][:1].isupper()) for v in values]
    return every[0] if every else str(uuid.uuid4())


def feed(service: Service, county: str) -> None:
    """What the service consumes from the others, applied as its consumer would."""
    import importlib

    app = service.api.state.application
    subs = importlib.import_module(f"services.{service.name}.inbound.handlers").subscriptions(app)
    from shared.contracts import decision as d
    from shared.contracts import intake as i
    from shared.contracts import supervision as s

    by_stream = {"INTAKE": [i.DemandSubmitted], "DECISION": [d.ProjectAdopted], "SUPERVISION": [s.ProjectCompleted]}
    for sub in subs:
        for model in by_stream.get(sub.stream, []):
            payload = contract_payload(model, county)
            env = Envelope(
                event_id=uuid.uuid4(),
                type=model.type_name(),
                schema_version=1,
                county=county,
                occurred_at=datetime(2025, 4, 1, tzinfo=UTC),
                recorded_at=datetime(2025, 4, 1, tzinfo=UTC),
                actor=Actor(role="system", id="test"),
                payload=payload.model_dump(mode="json"),
            )
            app.process_batch([Inbound(sub.stream, next(service.seq), Delivered(env, payload))], sub.handle)
            for field, value in payload.model_dump(mode="json").items():
                if field.endswith("_id") and isinstance(value, str):
                    service.fed.setdefault(county, {}).setdefault(
                        field.removesuffix("_id").replace("_", ""), []
                    ).append(value)


@pytest.fixture(scope="module", params=SERVICES)
def service(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    svc = Service(request.param, tmp_path_factory.mktemp(request.param))
    with svc.client:
        for county in (A, B):
            feed(svc, county)
            for path, method, op in svc.operations():  # fill through the service's own writes
                if method in WRITES:
                    for role in ROLES:
                        svc.request(method, path, op, role, county, county, svc.ids_of(county))
        yield svc


def test_no_route_crosses_a_county_boundary(service: Service) -> None:
    ids_b, ids_a = service.ids_of(B), service.ids_of(A)
    assert ids_b and ids_a, "the service holds objects of both counties"
    crossings, checked, answered_in_own_county = [], 0, 0
    for path, method, op in service.operations():
        public = service.request(method, path, op, None, A, B, ids_b) not in (401, 403)
        if public:
            continue  # public by design (submit a demand, follow a tracking code, the progress board ...)
        for role in ROLES:
            status, text = service.request(method, path, op, role, A, B, ids_b, with_text=True)
            checked += 1
            if not targets_a_county(op, service) and method == "get":
                if B in text:  # an installation-wide read (checkpoints, public key): no county's data in it
                    crossings.append(f"{method.upper()} {path} as {role} of {A} shows {B}'s data")
            elif status not in REFUSED:  # not even a 409: the route must not act on B's objects at all
                crossings.append(f"{method.upper()} {path} as {role} of {A} on {B}: {status}")
            if method == "get" and 200 <= service.request(method, path, op, role, A, A, ids_a) < 300:
                answered_in_own_county += 1
    assert not crossings, "\n".join(crossings)
    assert checked > 0 and answered_in_own_county > 0  # the same calls do answer inside the county


def test_read_only_roles_never_write(service: Service) -> None:
    ids = service.ids_of(A)
    written = []
    for path, method, op in service.operations():
        if method not in WRITES or service.request(method, path, op, None, A, A, ids) not in (401, 403):
            continue
        for role in READ_ONLY:
            status = service.request(method, path, op, role, A, A, ids)
            if status != 403:
                written.append(f"{method.upper()} {path} as {role}: {status}")
    assert not written, "\n".join(written)
