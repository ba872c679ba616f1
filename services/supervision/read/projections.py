"""Supervision's read models: the county's progress board (民生实事进度榜) and its warnings."""

from __future__ import annotations

from decimal import Decimal

from services.supervision.domain.project import Project
from shared.views.store import ViewTx

# The fold's version: raise it whenever what the fold writes changes, and every deployment's read
# models are folded again from the start on their next start (shared.views.updater.ViewUpdater.check_version).
VERSION = 1

PROJECT = "project"
WARNING = "warning"


def warning_id(project_id: str, key: str) -> str:
    return f"{project_id}|{key}"


def project(tx: ViewTx, event: object) -> None:
    oid = str(getattr(event, "originator_id", ""))
    if isinstance(event, Project.Opened):
        tx.put(
            PROJECT,
            oid,
            event.meta.county,
            {
                "id": oid,
                "county": event.meta.county,
                "year": event.year,
                "tier": event.tier,
                "name": event.name,
                "implementing_body": event.implementing_body,
                "investment": str(event.investment),
                "deadline": event.deadline.isoformat(),
                "progress_pct": 0,
                "spent": "0",
                "status": "open",
                "opened_at": event.meta.occurred_at.isoformat(),
                "demand_count": len(event.demand_ids),
                "session_closed_on": (event.session_closed_on or event.meta.occurred_at.date()).isoformat(),
                "plan_status": "missing",
                "plan_versions": 0,
                "plan_due_on": None,
                "budget_total": "0",
                "members": [],
                "open_warnings": 0,
                "escalated_warnings": 0,
                "findings_found": 0,
                "findings_solved": 0,
                "entries": 0,
                "last_period": None,
            },
        )
    elif isinstance(event, Project.ProgressReported):
        tx.update(
            PROJECT,
            oid,
            lambda d: d.update(
                progress_pct=event.progress_pct,
                spent=str(event.spent),
                last_note=event.note,
                entries=d.get("entries", 0) + 1,
                last_period=getattr(event, "period", "") or d.get("last_period"),
            ),
        )
    elif isinstance(event, Project.PlanFiled):
        tx.update(
            PROJECT,
            oid,
            lambda d: d.update(
                plan_status="late" if event.late else "filed",
                plan_versions=1,
                plan_due_on=event.due_on,
                budget_total=str(sum((Decimal(b["amount"]) for b in event.plan["budget_lines"]), Decimal("0"))),
            ),
        )
    elif isinstance(event, Project.SessionCloseRecorded):
        tx.update(PROJECT, oid, lambda d: d.update(session_closed_on=event.closed_on.isoformat()))
    elif isinstance(event, Project.ChangeDecided) and event.approved:
        tx.update(PROJECT, oid, lambda d: d.update(plan_versions=d.get("plan_versions", 0) + 1))
    elif isinstance(event, (Project.GroupAssigned, Project.RosterChanged)):
        _members(tx, oid, event)
    elif isinstance(event, Project.InspectionRecorded):
        tx.update(PROJECT, oid, lambda d: d.update(findings_found=d.get("findings_found", 0) + len(event.findings)))
    elif isinstance(event, Project.FindingReviewed) and event.accepted:
        tx.update(PROJECT, oid, lambda d: d.update(findings_solved=d.get("findings_solved", 0) + 1))
    elif isinstance(event, (Project.WarningRaised, Project.WarningEscalated, Project.WarningResolved)):
        _warning(tx, oid, event)
    elif isinstance(event, Project.CompletionReported):
        tx.update(
            PROJECT,
            oid,
            lambda d: d.update(
                progress_pct=100,
                spent=str(event.spent),
                status="completion_reported",
                completed_on=event.completed_on.isoformat(),
            ),
        )
    elif isinstance(event, Project.AcceptanceChecked):
        tx.update(PROJECT, oid, lambda d: d.update(status="accepted" if event.verdict == "accepted" else "open"))


def _members(tx: ViewTx, oid: str, event: object) -> None:
    def change(d: dict) -> None:
        if isinstance(event, Project.GroupAssigned):
            d["members"] = [m["id"] for m in event.deputies + event.residents]
        else:
            d["members"] = [m for m in d.get("members", []) if m not in event.leave] + [m["id"] for m in event.join]

    tx.update(PROJECT, oid, change)


def _warning(tx: ViewTx, oid: str, event: object) -> None:
    wid = warning_id(oid, event.key)
    at = event.meta.occurred_at.date().isoformat()
    if isinstance(event, Project.WarningRaised):
        doc = tx.get(PROJECT, oid) or {}
        tx.put(
            WARNING,
            wid,
            event.meta.county,
            {
                "id": wid,
                "county": event.meta.county,
                "project_id": oid,
                "project_name": doc.get("name", ""),
                "year": doc.get("year"),
                "key": event.key,
                "kind": event.kind,
                "detail": event.detail,
                "status": "open",
                "raised_on": at,
                "escalated_on": None,
                "resolved_on": None,
                "resolution": "",
                "rules_version": event.rules_version,
            },
        )
        tx.update(PROJECT, oid, lambda d: d.update(open_warnings=d.get("open_warnings", 0) + 1))
    elif isinstance(event, Project.WarningEscalated):
        tx.update(WARNING, wid, lambda d: d.update(escalated_on=at))
        tx.update(PROJECT, oid, lambda d: d.update(escalated_warnings=d.get("escalated_warnings", 0) + 1))
    else:
        w = tx.get(WARNING, wid) or {}
        was_escalated = bool(w.get("escalated_on"))
        tx.update(
            WARNING,
            wid,
            lambda d: d.update(
                status="resolved", resolved_on=at, resolution=event.meta.reason, resolved_by=event.meta.actor_id
            ),
        )
        tx.update(
            PROJECT,
            oid,
            lambda d: d.update(
                open_warnings=d.get("open_warnings", 0) - 1,
                escalated_warnings=d.get("escalated_warnings", 0) - (1 if was_escalated else 0),
            ),
        )
