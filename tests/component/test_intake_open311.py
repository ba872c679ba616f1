"""Open311 GeoReport v2 at /intake/open311/v2/, all of it: the read calls through the `georeport` PyPI
client in JSON and in XML against a real HTTP server; POST requests (form-encoded, api_key), paging,
errors and discovery written against the published spec (http://wiki.open311.org/GeoReport_v2).
Every answer's shape is checked against the Open311 schemas in tests/contract/test_open311_schemas.py."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree

import pytest
import requests
import xmltodict
from fastapi.testclient import TestClient
from georeport import GeoReport

from services.gateway.main import create_gateway
from shared.config import Settings
from tests.fixtures.open311 import ROOT, Open311Server
from tests.fixtures.service import COUNTY


@pytest.fixture
def open311(tmp_path: Path) -> Iterator[Open311Server]:
    with Open311Server(tmp_path) as server:
        yield server


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_services_and_definitions_through_the_georeport_client(open311: Open311Server, fmt: str) -> None:
    client = GeoReport(open311.root, jurisdiction=COUNTY, output_format=fmt)
    services = client.get_service_list()
    assert {s["service_code"] for s in services} >= {"roads", "water", "housing", "elderly"}
    roads = next(s for s in services if s["service_code"] == "roads")
    assert roads["service_name"] == "道路交通" and roads["type"] == "realtime"
    assert roads["metadata"] in (True, "true")
    housing = next(s for s in services if s["service_code"] == "housing")
    assert (
        housing["group"] == "民生实事（可提请票决）" and roads["group"] == "民生诉求"
    )  # the county's major categories
    definition = client.get_service_definition("roads")
    town = definition["attributes"][0] if fmt == "json" else definition["attributes"]["attribute"]
    assert town["code"] == "town" and town["datatype"] == "singlevaluelist" and town["required"] in (True, "true")
    values = town["values"] if fmt == "json" else town["values"]["value"]
    assert {"key": "440781001", "name": "台城街道"} in values and len(values) == 17  # 台山市's towns and streets
    with pytest.raises(requests.HTTPError) as unknown:
        client.get_service_definition("unicorns")
    assert unknown.value.response.status_code == 404


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_answers_the_id_only_and_the_request_reads_back_in_both_formats(open311: Open311Server, fmt: str) -> None:
    created = open311.post(fmt, media_url="https://img.example.cn/pothole.jpg")
    assert created.status_code == 200, created.text
    receipt = created.json()[0] if fmt == "json" else xmltodict.parse(created.content)["service_requests"]["request"]
    assert "token" not in receipt  # the spec: the id or a token, not both
    request_id = receipt["service_request_id"]
    code = receipt["service_notice"].rsplit(" ", 1)[-1]  # the tracking code (跟踪码) for the resident
    open311.post(service_code="water", description=None, lat=None, long=None, address_string="水步镇政府旁")

    client = GeoReport(open311.root, jurisdiction=COUNTY, output_format=fmt)
    one = client.get_service_request(request_id)
    assert one["status"] == "open" and one["status_notes"].startswith("received")
    assert one["description"] == "环市路路面坑洼" and one["address"] == "台城街道"
    assert float(one["lat"]) == 22.25 and float(one["long"]) == 112.79
    assert one["media_url"] == "https://img.example.cn/pothole.jpg"
    roads = client.get_service_requests(service_code="roads")  # XML: one request parses as one dict, not a list
    assert [r["service_request_id"] for r in (roads if fmt == "json" else [roads])] == [request_id]
    everything = requests.get(f"{open311.root}/requests.json", params={"jurisdiction_id": COUNTY}, timeout=10).json()
    water = next(r for r in everything if r["service_code"] == "water")
    assert water["description"] is None and water["lat"] is None and water["long"] is None  # null when absent
    assert water["media_url"] is None
    assert "13600002222" not in str(everything) and "王" not in str(everything)  # contact details never published
    by_token = open311.get(f"tokens/{code}.{fmt}")
    token = by_token.json()[0] if fmt == "json" else xmltodict.parse(by_token.content)["service_requests"]["request"]
    assert token == {"service_request_id": request_id, "token": code}
    track = requests.get(f"{open311.origin}/intake/api/track/{code}", timeout=10).json()
    assert track["channel"] == "open311"


def test_closed_demand_is_closed_with_our_status_in_notes_and_an_agency_by_name(open311: Open311Server) -> None:
    [receipt] = open311.post().json()
    demand = receipt["service_request_id"]
    open311.call("POST", f"/demands/{demand}/close", json={"text": "已修复"})
    one = GeoReport(open311.root, jurisdiction=COUNTY).get_service_request(demand)
    assert one["status"] == "closed" and one["status_notes"] == "closed"
    assert one["agency_responsible"] is None  # never routed: nobody answers for it yet


def test_service_request_id_overrides_every_other_filter_and_dates_page_and_span(open311: Open311Server) -> None:
    ids = []
    for day in range(1, 6):
        open311.at(datetime(2025, 2, day, 9, tzinfo=UTC))
        ids.append(open311.post(description=f"第{day}天的诉求").json()[0]["service_request_id"])
    open311.at(datetime(2025, 6, 1, 10, tzinfo=UTC))

    def listed(**params: str) -> list[str]:
        r = open311.get("requests.json", **params)
        assert r.status_code == 200, r.text
        return [x["service_request_id"] for x in r.json()]

    assert listed() == []  # the default is the last 90 days: February is older
    assert listed(service_request_id=f"{ids[0]},{ids[3]}", status="closed", end_date="2024-01-01T00:00:00Z") == [
        ids[3],
        ids[0],
    ]
    assert listed(start_date="2025-02-02T00:00:00Z") == ids[:0:-1]  # start alone: 90 days from it, newest first
    assert listed(end_date="2025-02-03T12:00:00+08:00") == [ids[1], ids[0]]  # end alone: 90 days up to it
    assert listed(start_date="2025-02-01T00:00:00Z", page_size="2") == [ids[4], ids[3]]
    assert listed(start_date="2025-02-01T00:00:00Z", page_size="2", page="3") == [ids[0]]
    assert listed(start_date="2025-02-01T00:00:00Z", page="4", page_size="2") == []
    r = open311.get("requests.json", start_date="2025-01-01T00:00:00Z", end_date="2025-06-01T00:00:00Z")
    assert r.status_code == 400 and "90 days" in r.json()[0]["description"]
    for bad in ({"page": "0"}, {"page_size": "1001"}, {"page": "x"}, {"status": "pending"}):
        assert open311.get("requests.json", **bad).status_code == 400, bad


@pytest.mark.parametrize(
    ("fields", "code", "words"),
    [
        ({"api_key": None}, 403, "api_key"),
        ({"api_key": "not-a-token"}, 403, "api_key"),
        ({"jurisdiction_id": "440703"}, 403, "jurisdiction"),  # a key of another county
        ({"jurisdiction_id": None}, 400, "jurisdiction_id"),
        ({"jurisdiction_id": "999999"}, 404, "jurisdiction_id"),  # no such county, whatever the key
        ({"service_code": "unicorns"}, 404, "service_code"),
        ({"service_code": None}, 400, "service_code"),
        ({"description": "长" * 4001}, 400, "description"),  # refused, never cut
        ({"attribute[town]": None}, 400, "town"),
        ({"attribute[town]": "环市街道"}, 400, "town"),  # a town of 蓬江区, not of 台山市
        ({"lat": None, "long": None}, 400, "location"),
        ({"lat": "north"}, 400, "lat"),
        ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
    ],
)
def test_bad_posts_get_spec_errors(open311: Open311Server, fields: dict, code: int, words: str) -> None:
    if fields.get("jurisdiction_id") == "999999":
        fields = {**fields, "api_key": open311.token("admin", county="*")}
    response = open311.post(**fields)
    assert response.status_code == code, response.text
    [error] = response.json()
    assert error["code"] == code and words in error["description"]
    assert open311.views.list("demand", COUNTY) == []


def test_a_description_of_exactly_4000_characters_is_kept_whole(open311: Open311Server) -> None:
    [receipt] = open311.post(description="长" * 4000).json()
    one = open311.get(f"requests/{receipt['service_request_id']}.json").json()[0]
    assert one["description"] == "长" * 4000


def test_jurisdictions_are_checked_on_every_call_and_tokens_honour_them(open311: Open311Server) -> None:
    [receipt] = open311.post().json()
    request_id = receipt["service_request_id"]
    code = receipt["service_notice"].rsplit(" ", 1)[-1]
    for path in ("services.json", "services/roads.json", "requests.json", f"requests/{request_id}.json"):
        assert open311.get(path, jurisdiction_id="999999").status_code == 404, path
        missing = requests.get(f"{open311.root}/{path}", timeout=10)
        assert missing.status_code == 400 and missing.json()[0]["code"] == 400, path
    assert open311.get("requests.json", jurisdiction_id="440703").json() == []  # a real county, none of its requests
    assert open311.get(f"requests/{request_id}.json", jurisdiction_id="440703").status_code == 404
    assert open311.get(f"tokens/{code}.json", jurisdiction_id="440703").status_code == 404
    assert open311.get(f"tokens/{code}.json").status_code == 200
    assert open311.get("tokens/ZZZZZZZZZZ.json").status_code == 404
    assert open311.get("requests/nope.json").status_code == 404


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_every_error_is_the_specs_error_list_unmatched_routes_included(open311: Open311Server, fmt: str) -> None:
    for method, path, status in [
        ("GET", f"nothing-here.{fmt}", 404),
        ("GET", f"requests/a/b.{fmt}", 404),
        ("DELETE", f"requests.{fmt}", 405),
        ("GET", f"services/unicorns.{fmt}?jurisdiction_id={COUNTY}", 404),
    ]:
        r = requests.request(method, f"{open311.root}/{path}", timeout=10)
        assert r.status_code == status, (path, r.text)
        if fmt == "json":
            assert r.headers["content-type"].startswith("application/json")
            [error] = r.json()
        else:
            assert r.headers["content-type"].startswith("text/xml") and r.text.startswith("<?xml")
            error = xmltodict.parse(r.content)["errors"]["error"]
            error["code"] = int(error["code"])
        assert error["code"] == status and error["description"], path
    assert requests.get(f"{open311.root}/services.html?jurisdiction_id={COUNTY}", timeout=10).status_code == 404


def test_discovery_in_both_formats_with_a_changeset_from_the_data(open311: Open311Server) -> None:
    as_json = requests.get(f"{open311.root}/discovery.json", timeout=10).json()
    as_xml = ElementTree.fromstring(requests.get(f"{open311.root}/discovery.xml", timeout=10).content)
    [endpoint] = as_json["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == f"{open311.root}/" and endpoint["formats"] == ["text/xml", "application/json"]
    assert as_xml.tag == "discovery" and as_xml.findtext("endpoints/endpoint/url") == endpoint["url"]
    assert [f.text for f in as_xml.findall("endpoints/endpoint/formats/format")] == endpoint["formats"]
    # the towns of the definitions are the registry's edition's, until a county changes its rules
    assert as_json["changeset"] == endpoint["changeset"] == "2025-12-31T00:00:00+08:00"
    assert as_xml.findtext("changeset") == as_json["changeset"]
    open311.at(datetime(2026, 2, 3, 4, 5, tzinfo=UTC))
    open311.call(
        "PUT", f"/counties/{COUNTY}/rules", json={"changes": {"major_categories": ["roads"]}, "reason": "县人大决定"}
    )
    after = requests.get(f"{open311.root}/discovery.json", timeout=10).json()
    assert after["changeset"] == after["endpoints"][0]["changeset"] == "2026-02-03T04:05:00+00:00"
    roads = next(s for s in open311.get("services.json").json() if s["service_code"] == "roads")
    assert roads["group"] == "民生实事（可提请票决）"


def test_discovery_advertises_the_origin_a_proxy_forwarded(open311: Open311Server) -> None:
    forwarded = requests.get(
        f"{open311.root}/discovery.json",
        headers={"x-forwarded-host": "shishi.jiangmen.gov.cn", "x-forwarded-proto": "https"},
        timeout=10,
    ).json()
    assert forwarded["endpoints"][0]["url"] == "https://shishi.jiangmen.gov.cn/intake/open311/v2/"
    junk = requests.get(f"{open311.root}/discovery.json", headers={"x-forwarded-host": "a b/<c>"}, timeout=10).json()
    assert junk["endpoints"][0]["url"] == f"{open311.root}/"  # not a host: ignored


def test_through_the_gateway_discovery_names_the_gateways_origin_not_the_services_port(
    open311: Open311Server, tmp_path: Path
) -> None:
    gateway = create_gateway(Settings(service="gateway", data_dir=tmp_path / "gw"), {"intake": open311.origin})
    with TestClient(gateway, base_url="http://shishi.example.cn") as client:
        document = client.get(f"{ROOT}/discovery.json").json()
        assert document["endpoints"][0]["url"] == f"http://shishi.example.cn{ROOT}/"
        assert str(open311.port) not in str(document)
        xml = client.get(f"{ROOT}/services.xml", params={"jurisdiction_id": COUNTY})
        assert xml.headers["content-type"].startswith("text/xml")
