"""What each role has to do next in supervision, worked out from the project files and the county's rules
on a given day (China time): the responsible unit's plans, monthly entries, findings and completions due;
staff's groups to form, findings to assign and acceptances due; a group deputy's answers to review and
acceptances. The pages act from these lists; ``GET /supervision/api/counties/{c}/worklist`` returns them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from services.supervision.app.application import SupervisionApplication
from services.supervision.domain.project import Project
from services.supervision.domain.rules import (
    entry_due,
    midyear_due,
    month_end,
    month_of,
    months_between,
    quarter_end,
    quarterly_due,
    quarters_between,
    yearend_due,
)
from services.supervision.domain.warning_rules import plan_due_on
from services.supervision.read.projections import PROJECT
from services.supervision.read.warnings import open_warnings
from shared.kernel.china_time import china_date
from shared.views.store import ViewStore

RECENT_DAYS = 30  # how long the unit's worklist shows the committee's decision on its change request


def brief(p: Project) -> dict[str, Any]:
    return {
        "id": str(p.id),
        "name": p.name,
        "year": p.year,
        "tier": p.tier,
        "town": p.town,
        "implementing_body": p.implementing_body,
        "status": p.status,
        "progress_pct": p.progress_pct,
        "deadline": p.deadline.isoformat(),
        "has_plan": bool(p.plans),
    }


def units_of(p: Project) -> set[str]:
    """The units named in a project's file: its implementing body, its plan's task units, the units
    its findings were assigned to."""
    found = {p.implementing_body}
    found |= {t["unit"] for t in (p.plans[-1]["tasks"] if p.plans else [])}
    found |= {f["unit"] for f in p.findings.values() if f["unit"]}
    return {u for u in found if u}


def names_of(p: Project) -> dict[str, str]:
    """A project's people by account: its supervision group, then whoever signed its events with a name."""
    names = {m["id"]: m["name"] for m in p.group["deputies"] + p.group["residents"]}
    for f in p.findings.values():
        if f.get("inspector_name"):
            names.setdefault(f["inspector"], f["inspector_name"])
    return names


class Worklists:
    def __init__(self, app: SupervisionApplication, views: ViewStore) -> None:
        self.app = app
        self.views = views

    def _open_projects(self, county: str) -> list[Project]:
        docs = sorted(
            (d for d in self.views.list(PROJECT, county) if d["status"] != "accepted"),
            key=lambda d: (d["year"], d["name"]),
        )
        return [self.app.project(UUID(d["id"]), county) for d in docs]

    def entries_due(self, p: Project, rules: dict[str, Any], today: date) -> list[dict[str, Any]]:
        """Each month from the plan's filing to this month with no entry yet, its due day, and whether late."""
        if not p.plans or p.status != "open":
            return []
        start = date.fromisoformat(p.plans[0]["filed_on"])
        out = []
        for period in months_between(start, today):
            if period not in p.entries:
                due = entry_due(period, rules)
                out.append({"period": period, "due_on": due.isoformat(), "late": today > due})
        return out

    @staticmethod
    def reports_due(p: Project, rules: dict[str, Any], today: date) -> list[dict[str, Any]]:
        """The cadence reports not yet filed (一季一汇报、年中问进度、年终问结果), each from the first day of
        its period's last month (2026Q1 from March; mid-year from June; year-end from December), with
        its due day under the county's rules and whether it is late; from the plan's filing on, as the
        warning sweep counts them."""
        if not p.plans or p.status != "open":
            return []
        start = date.fromisoformat(p.plans[0]["filed_on"])
        wanted: list[tuple[str, str, date, date]] = [
            ("quarterly", q, quarter_end(q), quarterly_due(q, rules)) for q in quarters_between(start, today)
        ]
        year = str(p.year)
        wanted += [
            ("midyear", year, month_end(f"{year}-06"), midyear_due(p.year, rules)),
            ("yearend", year, month_end(f"{year}-12"), yearend_due(p.year, rules)),
        ]
        out = []
        for kind, period, ends, due in wanted:
            if f"{kind}:{period}" in p.reports or due < start or today < ends.replace(day=1):
                continue
            out.append({"kind": kind, "period": period, "due_on": due.isoformat(), "late": today > due})
        return out

    @staticmethod
    def pending_changes(p: Project) -> list[dict[str, Any]]:
        return [c for c in p.changes.values() if c["status"] == "pending"]

    @staticmethod
    def recent_decisions(p: Project, today: date) -> list[dict[str, Any]]:
        """The committee's decisions on the project's change requests in the last 30 days (China time)."""
        return [
            c
            for c in p.changes.values()
            if c.get("decided_at") and (today - china_date(datetime.fromisoformat(c["decided_at"]))).days <= RECENT_DAYS
        ]

    def unit(self, county: str, today: date, unit: str = "") -> dict[str, Any]:
        """The responsible unit's worklist, per project (only ``unit``'s projects when named)."""
        _, rules = self.app.rules(county)
        projects = self._open_projects(county)
        units = sorted(set().union(*(units_of(p) for p in projects))) if projects else []
        items: list[dict[str, Any]] = []
        for p in projects:
            if unit and unit not in units_of(p):
                continue
            plan_due: dict[str, Any] | None = None
            if not p.plans and p.status == "open":
                due = plan_due_on(p.session_closed_on, rules)
                plan_due = {"due_on": due.isoformat(), "days_left": (due - today).days, "late": today > due}
            names = names_of(p)
            findings = [
                {**f, "inspector_name": names.get(f["inspector"], "")}
                for f in p.findings.values()
                if f["status"] in ("assigned", "reopened") and (not unit or f["unit"] == unit)
            ]
            sent_back = p.acceptance if p.acceptance and p.acceptance["verdict"] == "rejected" else None
            items.append(
                {
                    "project": brief(p),
                    "plan_due": plan_due,
                    "entries_due": self.entries_due(p, rules, today),
                    "reports_due": self.reports_due(p, rules, today),
                    "changes": self.pending_changes(p),
                    "decisions": self.recent_decisions(p, today),
                    "can_request_change": p.status == "open" and bool(p.plans),
                    "findings": findings,
                    "can_report_progress": p.status == "open",
                    "can_report_completion": p.status == "open" and bool(p.plans),
                    "sent_back": sent_back,
                    "this_month": month_of(today),
                    "this_month_done": month_of(today) in p.entries,
                }
            )
        ids = {i["project"]["id"] for i in items}
        warnings = [w for w in open_warnings(self.views, county) if w["project_id"] in ids]
        return {
            "county": county,
            "on": today.isoformat(),
            "unit": unit,
            "units": units,
            "projects": items,
            "warnings": warnings,
        }

    def staff(self, county: str, today: date) -> dict[str, Any]:
        """Congress staff: groups to form, change requests to decide, plans overdue, monthly entries and
        cadence reports late,
        findings to assign or awaiting their inspector's review, completions awaiting the acceptance check
        (验收), and every open project (for the steps staff take at any time: inquiries, audits, the
        session's close, the group's roster)."""
        _, rules = self.app.rules(county)
        projects = self._open_projects(county)
        groups, plans_overdue, entries_late, to_assign, to_review, acceptance = [], [], [], [], [], []
        changes: list[dict[str, Any]] = []
        reports_late: list[dict[str, Any]] = []
        for p in projects:
            changes += [{"project": brief(p), **c} for c in self.pending_changes(p)]
            if not p.group["deputies"]:
                groups.append(brief(p))
            due = plan_due_on(p.session_closed_on, rules)
            if not p.plans and p.status == "open" and today > due:
                plans_overdue.append({**brief(p), "due_on": due.isoformat(), "days_late": (today - due).days})
            late = [e for e in self.entries_due(p, rules, today) if e["late"]]
            if late:
                entries_late.append({**brief(p), "late": late})
            late_reports = [r for r in self.reports_due(p, rules, today) if r["late"]]
            if late_reports:
                reports_late.append({**brief(p), "late": late_reports})
            names = names_of(p)
            for f in p.findings.values():
                row = {"project": brief(p), **f, "inspector_name": names.get(f["inspector"], "")}
                if f["status"] == "open":
                    to_assign.append({**row, "units": sorted(units_of(p))})
                elif f["status"] == "answered":
                    to_review.append(row)
            if p.status == "completion_reported":
                acceptance.append({**brief(p), "completion": p.completion})
        return {
            "county": county,
            "on": today.isoformat(),
            "groups_missing": groups,
            "changes_pending": changes,
            "plans_overdue": plans_overdue,
            "entries_late": entries_late,
            "reports_late": reports_late,
            "findings_to_assign": to_assign,
            "findings_awaiting_review": to_review,
            "acceptance_due": acceptance,
            "projects": [{**brief(p), "has_group": bool(p.group["deputies"])} for p in projects],
        }

    def deputy(self, counties: list[str], deputy_id: str) -> dict[str, Any]:
        """A supervision group member: their projects, the answers they are to review, the acceptances due."""
        items = []
        for county in counties:
            for p in self._open_projects(county):
                if deputy_id not in p.member_ids():
                    continue
                names = names_of(p)
                findings = [
                    {**f, "inspector_name": names.get(f["inspector"], ""), "mine": f["inspector"] == deputy_id}
                    for f in p.findings.values()
                    if f["status"] != "closed"
                ]
                items.append(
                    {
                        "project": brief(p),
                        "findings": findings,
                        "to_review": [f for f in findings if f["mine"] and f["status"] == "answered"],
                        "acceptance_due": p.status == "completion_reported"
                        and deputy_id in [m["id"] for m in p.group["deputies"]],
                    }
                )
        return {"deputy": deputy_id, "projects": items}
