"""The roll of a vote session comes from intake's deputies registry (亮身份: public), asked of intake's
public API (``GET /intake/api/counties/{c}/deputies``) through the address the service is configured
with; residents' representatives, who have no account and are in no registry, are entered by hand."""

from __future__ import annotations

from typing import Any, Protocol

import httpx

from shared.views.paging import Paging, every_page


class DeputyRegistry(Protocol):
    def __call__(self, county: str) -> list[dict[str, Any]] | None:
        """The county's active deputies (``deputy_id``, ``name``, ``level``, ``town``, ``group``), or None
        when the registry cannot be read just now."""


def intake_deputies(base_url: str, timeout: float = 10.0) -> DeputyRegistry:
    def lookup(county: str) -> list[dict[str, Any]] | None:
        def page(paging: Paging) -> dict[str, Any]:
            response = httpx.get(
                f"{base_url.rstrip('/')}/intake/api/counties/{county}/deputies",
                params={"page": paging.page, "limit": paging.limit},
                timeout=timeout,
            )
            response.raise_for_status()
            return dict(response.json())

        try:
            found = every_page(page)  # the whole registry, a page at a time
        except httpx.HTTPError:
            return None
        keys = ("deputy_id", "name", "level", "town", "group")
        return [{k: d.get(k, "") for k in keys} for d in found]

    return lookup
