"""A code for every adopted project's site (亮码): scanning it opens the project's public page
(plan, progress, findings, and the residents' rating once evaluation has opened it). PNG and SVG,
an A4 poster, and every site poster of a county or a town/street in one PDF."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from services.supervision.app.application import SupervisionApplication
from services.supervision.domain.project import Project
from services.supervision.http.projects_api import READERS, County
from services.supervision.read.projections import PROJECT
from shared import divisions
from shared.auth import Principal
from shared.persistence.application import NotFound
from shared.views.store import ViewStore
from shared.web.access import PUBLIC, allow, check_county
from shared.web.posters import Poster, posters_pdf, public_origin, qr_png, qr_svg
from shared.web.problems import Problem
from shared.web.templating import format_money

ANYONE = Annotated[Principal, Depends(allow(PUBLIC))]
READER = Annotated[Principal, Depends(allow(*READERS))]
TIER_ZH = {"major": "民生实事项目（票决）", "micro": "民生微实事"}


def site_url(origin: str, project_id: UUID | str) -> str:
    return f"{origin}/supervision/projects/{project_id}"


def site_poster(origin: str, p: Project) -> Poster:
    where = divisions.county_name(p.county) + (f" · {p.town}" if p.town else "")
    return Poster(
        banner="民生实事 项目公示",
        title=p.name,
        subtitle=f"{p.year}年{TIER_ZH.get(p.tier, p.tier)} · {where}",
        facts=[
            ("实施主体", p.implementing_body),
            ("投资", format_money(p.investment)),
            ("完成时限", p.deadline.isoformat()),
        ],
        url=site_url(origin, p.id),
        call="手机扫码，查看实施方案、进度和群众评价",
        footer=f"{divisions.full_name(p.county)}人大常委会 · 欢迎群众监督",
    )


def make_site_codes_router(app: SupervisionApplication, views: ViewStore) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["supervision: site codes"])

    def origin(request: Request) -> str:
        return public_origin(request, request.app.state.settings.public_origin)

    def project_of(project_id: UUID) -> Project:
        try:
            return app.project(project_id)
        except NotFound as exc:
            raise Problem(404, "Not found", "no such project", reason="not_found") from exc

    @router.get("/projects/{project_id}/qr.png", response_class=Response)
    def site_png(project_id: UUID, request: Request, principal: ANYONE) -> Response:
        """The project site's code: opens the project's public page."""
        project_of(project_id)
        return Response(qr_png(site_url(origin(request), project_id)), media_type="image/png")

    @router.get("/projects/{project_id}/qr.svg", response_class=Response)
    def site_svg(project_id: UUID, request: Request, principal: ANYONE) -> Response:
        p = project_of(project_id)
        return Response(qr_svg(site_url(origin(request), project_id), title=p.name), media_type="image/svg+xml")

    @router.get("/projects/{project_id}/poster.pdf", response_class=Response)
    def site_poster_pdf(project_id: UUID, request: Request, principal: READER) -> Response:
        """The project site's A4 poster (项目公示牌): name, body, investment, deadline, the code."""
        p = project_of(project_id)
        check_county(principal, p.county)
        poster = site_poster(origin(request), p)
        return Response(
            posters_pdf([poster], title=p.name),
            media_type="application/pdf",
            headers={"content-disposition": f'inline; filename="project-{project_id}.pdf"'},
        )

    def site_posters_of(request: Request, county: str, year: int | None, town: str) -> list[Poster]:
        docs = sorted(
            (d for d in views.list(PROJECT, county) if year is None or d["year"] == year),
            key=lambda d: (d["year"], d["name"]),
        )
        projects = [p for p in (app.project(UUID(d["id"])) for d in docs) if not town or p.town == town]
        here = origin(request)
        return [site_poster(here, p) for p in projects]

    @router.get("/counties/{county}/site-posters.pdf", response_class=Response)
    def site_posters(
        county: County, request: Request, principal: READER, year: int | None = None, town: str = ""
    ) -> Response:
        """Batch printing: the site posters of every project of the county (or of one town/street),
        of one year if asked."""
        check_county(principal, county)
        posters = site_posters_of(request, county, year, town)
        if not posters:
            raise Problem(404, "Not found", "no project to print here", reason="nothing_to_print")
        title = f"{divisions.county_name(county)}{' ' + town if town else ''} 民生实事项目公示牌"
        return Response(
            posters_pdf(posters, title=title),
            media_type="application/pdf",
            headers={"content-disposition": f'inline; filename="site-posters-{county}.pdf"'},
        )

    @router.get("/counties/{county}/site-posters.json")
    def site_poster_texts(
        county: County, request: Request, principal: READER, year: int | None = None, town: str = ""
    ) -> dict:
        """The same site posters as data, for printing them with the liaison posters in one PDF."""
        check_county(principal, county)
        return {
            "county": county,
            "town": town,
            "posters": [p.as_json() for p in site_posters_of(request, county, year, town)],
        }

    return router
