"""Deputies by name where evaluation's own events do not name them (a check-in recorded before names
were kept, or by a login without a name): intake's public registry of deputies
(``GET /intake/api/counties/{c}/deputies``). When intake does not answer, nobody is named from it."""

from __future__ import annotations

from typing import Protocol

import httpx


class DeputyNames(Protocol):
    def __call__(self, county: str) -> dict[str, str]: ...


def intake_deputy_names(base_url: str, timeout: float = 3.0) -> DeputyNames:
    """``{deputy_id: name}`` of a county's registry (retired deputies too: they attended past rounds)."""

    def lookup(county: str) -> dict[str, str]:
        try:
            response = httpx.get(
                f"{base_url.rstrip('/')}/intake/api/counties/{county}/deputies",
                params={"include_retired": "true"},
                timeout=timeout,
            )
        except httpx.HTTPError:
            return {}
        if response.status_code != 200:
            return {}
        items = response.json().get("items", [])
        return {str(d["deputy_id"]): str(d["name"]) for d in items if d.get("deputy_id") and d.get("name")}

    return lookup


def no_names(county: str) -> dict[str, str]:
    """For a deployment (or a test) without intake's registry."""
    return {}
