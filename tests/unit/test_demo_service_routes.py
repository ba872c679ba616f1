"""The demo sends each service's calls straight to that service (its first replica), with the Host the
origin would have forwarded, and everything else (posters, the province view) to the origin."""

from __future__ import annotations

import httpx

from services.tools.demo.context import ServiceRoutes


def test_calls_go_to_their_service_and_the_rest_to_the_origin() -> None:
    seen: list[tuple[str, str]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append((str(request.url), request.headers["host"]))
        return httpx.Response(200, json={})

    routes = ServiceRoutes(
        {"intake": "http://127.0.0.1:8101", "decision": ["http://127.0.0.1:8102", "http://127.0.0.1:8112"]},
        httpx.Limits(),
    )
    setattr(routes, "_inner", httpx.MockTransport(answer))  # noqa: B010 - the services, answered here
    client = httpx.Client(base_url="http://127.0.0.1:8100", transport=routes)
    client.post("/intake/api/demands?x=1", json={})
    client.get("/decision/api/sessions")
    client.get("/posters/440781.pdf")
    client.get("/intakes/elsewhere")
    assert seen == [
        ("http://127.0.0.1:8101/intake/api/demands?x=1", "127.0.0.1:8100"),
        ("http://127.0.0.1:8102/decision/api/sessions", "127.0.0.1:8100"),
        ("http://127.0.0.1:8100/posters/440781.pdf", "127.0.0.1:8100"),
        ("http://127.0.0.1:8100/intakes/elsewhere", "127.0.0.1:8100"),
    ]
