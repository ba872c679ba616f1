"""Deputies by name where evaluation's own events do not name them (a check-in recorded before names
were kept, or by a login without a name): intake's public registry of deputies
(``GET /intake/api/counties/{c}/deputies``). When intake does not answer, nobody is named from it."""

from __future__ import annotations

from typing import Any, Protocol

import httpx

from shared.views.paging import Paging, every_page


class DeputyNames(Protocol):
    def __call__(self, county: str) -> dict[str, str]: ...


def intake_deputy_names(base_url: str, timeout: float = 3.0) -> DeputyNames:
    """``{deputy_id: name}`` of a county's registry (retired deputies too: they attended past rounds)."""

    def lookup(county: str) -> dict[str, str]:
        def page(paging: Paging) -> dict[str, Any]:
            response = httpx.get(
                f"{base_url.rstrip('/')}/intake/api/counties/{county}/deputies",
                params={"include_retired": "true", "page": paging.page, "limit": paging.limit},
                timeout=timeout,
            )
            response.raise_for_status()
            return dict(response.json())

        try:
            items = every_page(page)  # the whole registry, a page at a time
        except httpx.HTTPError:
            return {}
        return {str(d["deputy_id"]): str(d["name"]) for d in items if d.get("deputy_id") and d.get("name")}

    return lookup


def no_names(county: str) -> dict[str, str]:
    """For a deployment (or a test) without intake's registry."""
    return {}
