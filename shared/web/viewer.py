"""Small pieces every service's pages use: who is looking, and which county they look at."""

from __future__ import annotations

from fastapi import Request

from shared.auth import Principal
from shared.web.access import principal_of


def viewer_county(request: Request, county: str = "") -> tuple[Principal, str, bool]:
    """(principal, county, allowed): the county asked for, else the viewer's first own county."""
    principal = principal_of(request)
    county = county or next((c for c in principal.counties if c.isdigit()), "440781")
    return principal, county, principal.covers(county)
