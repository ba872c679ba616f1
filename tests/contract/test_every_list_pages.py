"""Every list pages (issue 18): each GET route of the four services and the gateway whose answer is a
list envelope (``items``) takes ``page`` and ``limit`` and is declared with the shared envelope
(``shared/web/paging.py``: ``PAGED``, ``PagingDep``), so its OpenAPI operation says so; each page
(HTML) that renders such a list takes ``page`` (and shows the pager) — except the few fixed-size lists
of :data:`WHOLE`, each with its reason. A new list that answers whole fails here."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from services.gateway.main import create_gateway
from shared.config import Settings
from shared.web.paging import Page

SERVICES = ("intake", "decision", "supervision", "evaluation")

# Lists answered whole, and why each cannot grow with a county's data.
WHOLE = {
    "/{service}/api/counties": "the counties this service holds data for: at most the province's counties",
    "/intake/api/demand-totals": "a map of one number per county (the province view's column)",
    "/evaluation/api/metrics/by-county": "a map of one set of figures per county (the province view)",
    "/supervision/api/summaries": "a map of one summary per county (the province view)",
    "/intake/api/demands/{demand_id}/duplicates": "at most 10 likely duplicates (likely_duplicates' k)",
    "/decision/api/sessions/{session_id}/rounds/{round_no}/ballots": (
        "one closed round: its ``items`` are the ballot's items (what was voted on), published whole "
        "with the ballots so that anyone can repeat the count"
    ),
    "/decision/sessions/{session_id}/rounds/{round_no}": "a round's page: the ballot's items, as above",
    "/supervision/dashboard": "the standing committee's charts: a chart shows every project of the year",
}


@pytest.fixture(scope="module")
def apps(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, FastAPI]]:
    built: dict[str, FastAPI] = {}
    for service in SERVICES:
        data_dir: Path = tmp_path_factory.mktemp(service)
        main = importlib.import_module(f"services.{service}.main")
        built[service] = main.create_app(Settings(service=service, data_dir=data_dir), start_runtime=False)
    built["gateway"] = create_gateway(Settings(service="gateway", data_dir=tmp_path_factory.mktemp("gateway")), {})
    yield built
    for api in built.values():
        views = getattr(api.state, "views", None)
        if views is not None:
            views.close()


def walk(routes: list[BaseRoute], prefix: str = "") -> Iterator[tuple[str, APIRoute]]:
    """Every API route with its whole path, through the routers included (FastAPI keeps an included
    router as one route holding it, with the prefix it was included under)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path, route
        elif (inner := getattr(route, "original_router", None)) is not None:
            yield from walk(inner.routes, prefix + route.include_context.prefix)


def get_routes(api: FastAPI) -> list[tuple[str, APIRoute]]:
    return [(path, r) for path, r in walk(api.routes) if "GET" in r.methods]


def whole(service: str, path: str) -> bool:
    return path in WHOLE or path.replace(f"/{service}/", "/{service}/", 1) in WHOLE


def answers_a_list(route: APIRoute) -> bool:
    """The route's code answers an ``items`` envelope, or fills one from the shared paging."""
    source = inspect.getsource(route.endpoint)
    return '"items":' in source or any(f"{name}(" in source for name in ("page_of", "page_in_store", "page_across"))


def query_names(route: APIRoute) -> set[str]:
    return {p.alias for p in route.dependant.query_params} | {
        p.alias for d in route.dependant.dependencies for p in d.query_params
    }


def declared_paged(route: APIRoute) -> bool:
    """A JSON list declared with the shared envelope, or a page (HTML) that takes ``page``."""
    return route.responses.get(200, {}).get("model") is Page or (
        route.response_class is HTMLResponse and "page" in query_names(route)
    )


@pytest.mark.parametrize("service", [*SERVICES, "gateway"])
def test_every_list_route_pages(service: str, apps: dict[str, FastAPI]) -> None:
    routes = get_routes(apps[service])
    assert routes, service
    paged = [(path, r) for path, r in routes if declared_paged(r)]
    unpaged = [path for path, r in routes if answers_a_list(r) and not declared_paged(r) and not whole(service, path)]
    assert unpaged == [], f"{service}: lists answered whole (page them with shared/web/paging.py, or say why not)"
    for path, route in paged:
        wanted = {"page"} if route.response_class is HTMLResponse else {"page", "limit"}
        assert wanted <= query_names(route), f"{path} is declared paged but takes no page/limit"
    if service != "gateway":  # the gateway keeps no list of a county's data: it asks the services
        assert paged, f"{service} pages no list"


@pytest.mark.parametrize("service", SERVICES)
def test_the_openapi_document_says_which_lists_page(service: str, apps: dict[str, FastAPI]) -> None:
    """Through the OpenAPI document, as a client sees it: every GET operation whose answer is a list
    envelope takes ``page`` and ``limit``, and the envelope has its totals."""
    doc = apps[service].openapi()
    schemas = doc.get("components", {}).get("schemas", {})
    envelopes = 0
    for path, operations in doc["paths"].items():
        operation = operations.get("get")
        if operation is None:
            continue
        schema = operation["responses"].get("200", {}).get("content", {}).get("application/json", {}).get("schema", {})
        if "$ref" in schema:
            schema = schemas[schema["$ref"].rsplit("/", 1)[-1]]
        if "items" not in schema.get("properties", {}):
            continue
        envelopes += 1
        params = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
        assert {"page", "limit"} <= params, path
        assert {"total", "page", "per_page", "pages"} <= set(schema["properties"]), path
    assert envelopes >= 3, f"{service}: its lists are not in the OpenAPI document"


def test_the_allow_list_names_routes_that_exist(apps: dict[str, FastAPI]) -> None:
    """No stale exception: each path answered whole is a route of some service."""
    known = {
        name
        for service in SERVICES
        for path, _ in get_routes(apps[service])
        for name in (path, path.replace(f"/{service}/", "/{service}/", 1))
    }
    assert set(WHOLE) <= known, set(WHOLE) - known
