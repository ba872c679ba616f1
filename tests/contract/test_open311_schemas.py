"""Every answer of /intake/open311/v2/ is valid against the Open311 community's GeoReport v2 schemas
(vendored unchanged in tests/contract/vendor/open311-georeport-v2, see its NOTICE.md), and the XML
of every call carries exactly what its JSON carries (the schemas describe the JSON)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
import requests
import xmltodict
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from tests.fixtures.open311 import Open311Server
from tests.fixtures.service import COUNTY

VENDOR = Path(__file__).parent / "vendor" / "open311-georeport-v2"
FILES = ("request", "requests", "service", "services", "service-definition")
SCHEMAS = {name: json.loads((VENDOR / f"{name}.json").read_text()) for name in FILES}
SWAGGER = json.loads((VENDOR / "swagger.json").read_text())
REGISTRY: Registry = Registry().with_resources(
    (f"{name}.json", Resource.from_contents(schema, default_specification=DRAFT4)) for name, schema in SCHEMAS.items()
)

# Written from the spec's text (no schema for these two in the vendored set): discovery
# (http://wiki.open311.org/Service_Discovery) and the error list (GeoReport v2, "Errors").
DISCOVERY = {
    "type": "object",
    "required": ["changeset", "contact", "key_service", "endpoints"],
    "properties": {
        "changeset": {"type": "string", "format": "date-time"},
        "contact": {"type": "string"},
        "key_service": {"type": "string"},
        "endpoints": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["specification", "url", "changeset", "type", "formats"],
                "properties": {
                    "specification": {"type": "string"},
                    "url": {"type": "string"},
                    "changeset": {"type": "string", "format": "date-time"},
                    "type": {"enum": ["production", "test"]},
                    "formats": {"type": "array", "items": {"enum": ["text/xml", "application/json"]}, "minItems": 2},
                },
            },
        },
    },
}
ERRORS = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "properties": {"code": {"type": "integer"}, "description": {"type": "string", "minLength": 1}},
        "additionalProperties": False,
    },
}
# the answers to POST requests and GET tokens/{token}: the swagger's definitions, as arrays
RECEIPTS = {"type": "array", "minItems": 1, "items": SWAGGER["definitions"]["RequestResponse"]}
TOKENS = {"type": "array", "minItems": 1, "items": SWAGGER["definitions"]["TokenResponse"]}
XML_ROOTS = {
    "services": ("services", "service"),
    "service-definition": ("service_definition", None),
    "requests": ("service_requests", "request"),
    "receipts": ("service_requests", "request"),
    "tokens": ("service_requests", "request"),
    "discovery": ("discovery", None),
    "errors": ("errors", "error"),
}


def validate(kind: str, document: Any) -> None:
    schema = {"discovery": DISCOVERY, "errors": ERRORS, "receipts": RECEIPTS, "tokens": TOKENS}.get(kind)
    schema = schema or SCHEMAS[kind]
    checker = jsonschema.Draft4Validator.FORMAT_CHECKER
    jsonschema.Draft4Validator(schema, registry=REGISTRY, format_checker=checker).validate(document)
    for request in document if kind == "requests" else []:  # formats the checker cannot check here
        if request["media_url"] is not None:
            assert urlsplit(request["media_url"]).scheme in ("http", "https")
        for field in ("requested_datetime", "updated_datetime", "expected_datetime"):
            if request[field] is not None:
                assert "T" in request[field] and request[field][-6] in "+-", f"{field} needs a time zone"


def as_text(value: Any) -> Any:
    """A JSON value as the spec's XML spells it: strings throughout, true/false, absent = None."""
    if isinstance(value, dict):
        return {k: as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_text(v) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    return None if value is None else str(value)


def from_xml(kind: str, content: bytes) -> Any:
    """The XML document as JSON-shaped text values (every list forced to a list)."""
    root, item = XML_ROOTS[kind]
    lists = ("service", "request", "error", "attribute", "value", "endpoint", "format")
    parsed = xmltodict.parse(content, force_list=lists)[root]
    if item is not None:
        return (parsed or {}).get(item, [])
    if kind == "discovery":
        endpoints = parsed["endpoints"]["endpoint"]
        for endpoint in endpoints:
            endpoint["formats"] = endpoint["formats"]["format"]
        return {**parsed, "endpoints": endpoints}
    for attribute in parsed["attributes"]["attribute"]:
        attribute["values"] = (attribute["values"] or {}).get("value", [])
    return {**parsed, "attributes": parsed["attributes"]["attribute"]}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Open311Server]:
    with Open311Server(tmp_path_factory.mktemp("open311")) as server:
        server.post(media_url="https://img.example.cn/a.jpg")
        server.post(service_code="water", description=None, lat=None, long=None, address_string="水步镇")
        [routed] = server.post(service_code="elderly", description="希望增设长者饭堂").json()
        server.call("POST", f"/demands/{routed['service_request_id']}/triage", json={"kind": "common", "scope": "town"})
        [closed] = server.post(description="路灯不亮").json()
        server.call("POST", f"/demands/{closed['service_request_id']}/close", json={"text": "已修复"})
        yield server


def calls(served: Open311Server) -> list[tuple[str, str, str, dict[str, str]]]:
    """(kind, method, path, params or form) of every call, one of each answer."""
    some = requests.get(f"{served.root}/requests.json", params={"jurisdiction_id": COUNTY}, timeout=10).json()
    first = some[0]["service_request_id"]
    demand = served.views.get("demand", first)
    assert demand is not None
    jurisdiction = {"jurisdiction_id": COUNTY}
    return [
        ("discovery", "GET", "discovery", {}),
        ("services", "GET", "services", jurisdiction),
        ("service-definition", "GET", "services/roads", jurisdiction),
        ("requests", "GET", "requests", jurisdiction),
        ("requests", "GET", f"requests/{first}", jurisdiction),
        ("tokens", "GET", f"tokens/{demand['tracking_code']}", jurisdiction),
        ("errors", "GET", "services/unicorns", jurisdiction),
        ("errors", "GET", "requests", {"jurisdiction_id": "999999"}),
        ("errors", "GET", "no/such/thing", {}),
        ("errors", "POST", "requests", {"jurisdiction_id": COUNTY, "api_key": "nope"}),
    ]


def test_every_json_answer_is_valid_against_the_open311_schemas(served: Open311Server) -> None:
    checked = set()
    for kind, method, path, params in calls(served):
        r = requests.request(
            method,
            f"{served.root}/{path}.json",
            params=params if method == "GET" else None,
            data=params if method == "POST" else None,
            timeout=10,
        )
        assert (r.status_code == 200) == (kind != "errors"), (path, r.text)
        validate(kind, r.json())
        checked.add(kind)
    receipt = served.post()
    validate("receipts", receipt.json())
    assert checked | {"receipts"} == set(XML_ROOTS)
    answered = requests.get(f"{served.root}/requests.json", params={"jurisdiction_id": COUNTY}, timeout=10).json()
    assert {r["status"] for r in answered} == {"open", "closed"}
    assert any(r["lat"] is None for r in answered) and any(isinstance(r["lat"], float) for r in answered)
    agencies = {r["agency_responsible"] for r in answered}
    assert agencies == {None, "台城街道（民生微实事）"}  # the routed one: a town-wide matter, a micro project


def test_every_xml_answer_carries_exactly_its_json(served: Open311Server) -> None:
    for kind, method, path, params in calls(served):
        get = method == "GET"
        as_json = requests.request(
            method,
            f"{served.root}/{path}.json",
            params=params if get else None,
            data=None if get else params,
            timeout=10,
        )
        as_xml = requests.request(
            method,
            f"{served.root}/{path}.xml",
            params=params if get else None,
            data=None if get else params,
            timeout=10,
        )
        assert as_xml.status_code == as_json.status_code, path
        assert as_xml.headers["content-type"] == "text/xml; charset=utf-8"
        assert as_xml.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
        assert from_xml(kind, as_xml.content) == as_text(as_json.json()), path
    receipt = served.post("xml")
    assert from_xml("receipts", receipt.content)[0]["service_request_id"]
