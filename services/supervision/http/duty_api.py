"""Supervision's part of a deputy's record of duty (履职档案), read-only and public: the
supervision groups they serve on, the inspections (视察) they recorded in a year, and the findings
they raised, with whether each was closed."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query

from services.supervision.app.application import SupervisionApplication
from services.supervision.http.projects_api import County
from services.supervision.read.projections import PROJECT
from shared.auth import Principal
from shared.views.store import ViewStore
from shared.web.access import PUBLIC, allow


def make_duty_router(app: SupervisionApplication, views: ViewStore) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["supervision: deputies' record"])

    @router.get("/counties/{county}/deputies/{deputy_id}/duty")
    def duty(
        county: County,
        deputy_id: str,
        principal: Annotated[Principal, Depends(allow(PUBLIC))],
        year: Annotated[int, Query(ge=2000, le=2100)],
    ) -> dict:
        """Groups served on (projects of the year or the year before), inspections recorded in the
        year, findings raised in the year and whether each was closed."""
        groups, inspections, findings = [], [], []
        docs = sorted(
            (d for d in views.list(PROJECT, county) if year - 1 <= d["year"] <= year or deputy_id in d["members"]),
            key=lambda d: (d["year"], d["name"]),
        )
        for doc in docs:
            p = app.project(UUID(doc["id"]), county)
            brief = {"project_id": doc["id"], "name": p.name, "year": p.year, "tier": p.tier}
            if any(m["id"] == deputy_id for m in p.group["deputies"]):
                groups.append({**brief, "status": p.status})
            for inspection in p.inspections:
                if inspection["by"] == deputy_id and date.fromisoformat(inspection["inspected_on"]).year == year:
                    inspections.append(
                        {
                            **brief,
                            "inspected_on": inspection["inspected_on"],
                            "location": inspection.get("location", ""),
                            "findings": len(inspection.get("finding_ids", [])),
                        }
                    )
            for f in p.findings.values():
                if f["inspector"] == deputy_id and date.fromisoformat(f["found_on"]).year == year:
                    findings.append(
                        {
                            **brief,
                            "found_on": f["found_on"],
                            "text": f["text"],
                            "severity": f.get("severity", ""),
                            "status": f["status"],
                            "closed_on": f.get("closed_on"),
                        }
                    )
        return {
            "county": county,
            "deputy_id": deputy_id,
            "year": year,
            "groups": groups,
            "inspections": sorted(inspections, key=lambda i: i["inspected_on"]),
            "findings": sorted(findings, key=lambda f: f["found_on"]),
            "findings_closed": sum(1 for f in findings if f["status"] == "closed"),
        }

    return router
