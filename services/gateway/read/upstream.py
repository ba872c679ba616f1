"""Reading the services' JSON APIs from the gateway, with the viewer's own credentials (so each
service still checks the viewer's scope)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import httpx

Fetch = Callable[[str, str, dict[str, Any]], Awaitable[dict | None]]


def http_fetch(client: httpx.AsyncClient, upstreams: Mapping[str, str], headers: dict[str, str]) -> Fetch:
    """``fetch(service, path, params)``: the JSON of ``/<service>/api/<path>``; None when the service
    does not answer, or answers an error (the caller says which part is missing)."""

    async def fetch(service: str, path: str, params: dict[str, Any]) -> dict | None:
        if service not in upstreams:
            return None
        try:
            r = await client.get(f"{upstreams[service]}/{service}/api/{path}", params=params, headers=headers)
        except httpx.HTTPError:
            return None
        return r.json() if r.status_code == 200 else None

    return fetch
