"""Congress staff's pages (人大常委会工作人员): the supervision worklist (groups to form, plans overdue,
findings to assign to a unit, answers awaiting their inspector, completions awaiting the acceptance
check), the supervision group of a project, and the acceptance check (验收) — made by a deputy of the
project's group or by staff."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from services.supervision.app.worklists import Worklists, names_of, units_of
from services.supervision.domain.project import Project
from services.supervision.http.forms import text
from services.supervision.http.oversight_api import GroupIn, RosterIn
from services.supervision.http.page_frame import ACCEPTORS, STAFF, PageFrame, Refused
from services.supervision.http.projects_api import AcceptanceIn
from shared.web.forms import FormDep
from shared.web.i18n import language, translate

DEPUTY_ROWS, RESIDENT_ROWS, MAX_ROWS = 5, 2, 51  # rows offered (more when the county's rules ask)
JOIN_DEPUTY_ROWS, JOIN_RESIDENT_ROWS = 2, 1  # rows a roster change offers for members joining


def make_staff_pages(frame: PageFrame, lists: Worklists) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    app = frame.app

    def worklist(request: Request, county: str) -> dict[str, Any]:
        return {"county": county, "w": lists.staff(county, frame.today(request))}

    @router.get("/staff", response_class=HTMLResponse)
    def staff_board(request: Request, county: str = "") -> Response:
        """监督工作台: what staff have to do next in the county's supervision."""
        gate = frame.gate(request, county, STAFF, "staff.html", write=True)
        if isinstance(gate, Response):
            return gate
        _, county = gate
        return frame.page(request, "staff.html", worklist(request, county))

    @router.post("/projects/{project_id}/findings/{finding_id}/assign")
    def assign(request: Request, project_id: UUID, finding_id: str, form: FormDep) -> Response:
        """A finding goes to the unit that must rectify it (交办)."""
        gate = frame.project_gate(request, project_id, STAFF, "staff.html")
        if isinstance(gate, Response):
            return gate
        principal, p = gate
        meta = frame.meta(request, principal, p.county)
        try:
            frame.run(
                request,
                lambda: app.assign_finding(meta, project_id, finding_id, text(form, "unit")),
                {"unit": translate(language(request), "assign_to")},
            )
        except Refused as refusal:
            return frame.refused_page(request, "staff.html", worklist(request, p.county), refusal)
        return frame.done(f"/supervision/staff?county={p.county}", "finding_assigned")

    # -- the supervision group (监督小组) ---------------------------------------------------------------
    def group_context(p: Project, form: FormData | None = None) -> dict[str, Any]:
        values = {k: str(v) for k, v in (form or {}).items()}
        _, rules = app.rules(p.county)
        deputy_rows = max(DEPUTY_ROWS, int(rules["group_max"]))
        resident_rows = max(RESIDENT_ROWS, int(rules["resident_reps_min"]) + 1)
        return {
            "p": p,
            "values": values,
            "leaving": [str(v) for v in form.getlist("leave")] if form else [],
            "rules": rules,
            "deputy_rows": deputy_rows,
            "resident_rows": resident_rows,
            "join_rows": {"deputy": JOIN_DEPUTY_ROWS, "resident": JOIN_RESIDENT_ROWS},
        }

    def group_body(form: FormData, lang: str) -> tuple[dict[str, Any], dict[str, str]]:
        deputies: list[dict[str, str]] = []
        residents: list[dict[str, str]] = []
        labels = {"reason": translate(lang, "reason")}
        for n in range(1, MAX_ROWS + 1):
            name, account = text(form, f"dep_name_{n}"), text(form, f"dep_id_{n}")
            if name or account:
                k = len(deputies)
                labels |= {
                    f"deputies.{k}.name": translate(lang, "deputy_name_n", n=n),
                    f"deputies.{k}.id": translate(lang, "deputy_account_n", n=n),
                }
                deputies.append({k2: v for k2, v in (("name", name), ("id", account)) if v})
        for n in range(1, MAX_ROWS + 1):
            name = text(form, f"res_name_{n}")
            if name:
                labels[f"residents.{len(residents)}.name"] = translate(lang, "resident_name_n", n=n)
                residents.append({"name": name, "id": f"res-{uuid4().hex[:10]}", "kind": "resident"})
        return {"deputies": deputies, "residents": residents, "reason": text(form, "reason")}, labels

    @router.get("/projects/{project_id}/group", response_class=HTMLResponse)
    def group_page(request: Request, project_id: UUID) -> Response:
        """Form the project's supervision group: deputies (picked from the county's registry of deputies
        when the page can reach it) and resident representatives (监督员)."""
        gate = frame.project_gate(request, project_id, STAFF, "group_form.html")
        if isinstance(gate, Response):
            return gate
        return frame.page(request, "group_form.html", group_context(gate[1]))

    @router.post("/projects/{project_id}/group")
    def group_submit(request: Request, project_id: UUID, form: FormDep) -> Response:
        gate = frame.project_gate(request, project_id, STAFF, "group_form.html")
        if isinstance(gate, Response):
            return gate
        principal, p = gate
        body, labels = group_body(form, language(request))

        def assign() -> None:
            group = GroupIn.model_validate(body)
            meta = frame.meta(request, principal, p.county, reason=group.reason or "assigned")
            deputies = [{**m.model_dump(), "kind": "deputy"} for m in group.deputies]
            residents = [{**m.model_dump(), "kind": "resident"} for m in group.residents]
            app.assign_group(meta, project_id, deputies, residents)

        try:
            frame.run(request, assign, labels)
        except Refused as refusal:
            return frame.refused_page(request, "group_form.html", group_context(p, form), refusal)
        return frame.done(f"/supervision/staff?county={p.county}", "group_assigned")

    @router.post("/projects/{project_id}/group/roster")
    def roster_submit(request: Request, project_id: UUID, form: FormDep) -> Response:
        """Members leave (ticked) or join (deputies by name and account, resident representatives by
        name), with the reason recorded; the group's size is checked against the county's rules."""
        gate = frame.project_gate(request, project_id, STAFF, "group_form.html")
        if isinstance(gate, Response):
            return gate
        principal, p = gate
        lang = language(request)
        labels = {"reason": translate(lang, "roster_reason")}
        join: list[dict[str, str]] = []
        for n in range(1, JOIN_DEPUTY_ROWS + 1):
            name, account = text(form, f"join_dep_name_{n}"), text(form, f"join_dep_id_{n}")
            if name or account:
                labels |= {
                    f"join.{len(join)}.name": translate(lang, "deputy_name_n", n=n),
                    f"join.{len(join)}.id": translate(lang, "deputy_account_n", n=n),
                }
                join.append({k: v for k, v in (("name", name), ("id", account)) if v} | {"kind": "deputy"})
        for n in range(1, JOIN_RESIDENT_ROWS + 1):
            if name := text(form, f"join_res_name_{n}"):
                labels[f"join.{len(join)}.name"] = translate(lang, "resident_name_n", n=n)
                join.append({"name": name, "id": f"res-{uuid4().hex[:10]}", "kind": "resident"})

        def change() -> None:
            body = RosterIn.model_validate(
                {"join": join, "leave": [str(v) for v in form.getlist("leave")], "reason": text(form, "reason")}
            )
            meta = frame.meta(request, principal, p.county, reason=body.reason)
            app.change_roster(meta, project_id, [m.model_dump() for m in body.join], body.leave)

        try:
            frame.run(request, change, labels)
        except Refused as refusal:
            return frame.refused_page(request, "group_form.html", group_context(p, form), refusal)
        return frame.done(f"/supervision/projects/{p.id}/group", "roster_changed")

    # -- the acceptance check (验收) ----------------------------------------------------------------------
    def acceptance_context(p: Project, can_accept: bool, form: FormData | None = None) -> dict[str, Any]:
        open_findings = [f for f in p.findings.values() if f["status"] != "closed"]
        return {
            "p": p,
            "names": names_of(p),
            "units": sorted(units_of(p)),
            "funds": p.funds(),
            "open_findings": open_findings,
            "can_accept": can_accept,
            "values": {k: str(v) for k, v in (form or {}).items()},
        }

    def may_accept(principal: Any, p: Project) -> bool:
        return principal.has_any(STAFF) or principal.subject in [m["id"] for m in p.group["deputies"]]

    @router.get("/projects/{project_id}/acceptance", response_class=HTMLResponse)
    def acceptance_page(request: Request, project_id: UUID) -> Response:
        """The completion report as the group sees it (date, spending against the plan, the progress last
        reported and the reason given below 100%, findings still open), and the verdict with its reason."""
        gate = frame.project_gate(request, project_id, ACCEPTORS, "acceptance.html")
        if isinstance(gate, Response):
            return gate
        principal, p = gate
        return frame.page(request, "acceptance.html", acceptance_context(p, may_accept(principal, p)))

    @router.post("/projects/{project_id}/acceptance")
    def acceptance_submit(request: Request, project_id: UUID, form: FormDep) -> Response:
        gate = frame.project_gate(request, project_id, ACCEPTORS, "acceptance.html")
        if isinstance(gate, Response):
            return gate
        principal, p = gate
        lang = language(request)

        def check() -> None:
            body = AcceptanceIn.model_validate({"verdict": text(form, "verdict"), "reason": text(form, "reason")})
            app.accept(frame.meta(request, principal, p.county, reason=body.reason), project_id, body.verdict)

        labels = {"verdict": translate(lang, "verdict"), "reason": translate(lang, "reason")}
        try:
            frame.run(request, check, labels)
        except Refused as refusal:
            context = acceptance_context(p, may_accept(principal, p), form)
            return frame.refused_page(request, "acceptance.html", context, refusal)
        back = f"/supervision/staff?county={p.county}" if principal.has_any(STAFF) else "/supervision/inspect"
        return frame.done(back, "acceptance_checked")

    return router
