"""``GET /<service>/api/counties``: the counties this service holds data for, with their names from the
county registry (public: which counties use the product is no secret). The province view lists every
county that has data from it, and pickers offer them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from shared import divisions
from shared.auth import Principal
from shared.views.store import ViewStore
from shared.web.access import PUBLIC, allow


def make_counties_router(views: ViewStore) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["counties"])

    @router.get("/counties")
    def counties(_: Annotated[Principal, Depends(allow(PUBLIC))]) -> dict:
        """Counties with data here, each with its name and full name (province, prefecture, county)."""
        return {
            "edition": divisions.EDITION,
            "items": [
                {"code": code, "name": divisions.county_name(code), "full_name": divisions.full_name(code)}
                for code in views.all_counties()
            ],
        }

    return router
