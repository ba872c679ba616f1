"""Supervision's read models: the county's progress board (民生实事进度榜) and its warnings."""

from __future__ import annotations

from decimal import Decimal

from services.supervision.domain.project import Project
from shared.kernel.china_time import china_date
from shared.views.fold import Fold
from shared.views.store import ViewTx

# The fold's version: raise it whenever what the fold writes changes, and every deployment's read
# models are folded again from the start on their next start (shared.views.updater.ViewUpdater.check_version).
VERSION = 2  # 2: business dates (session closed, warning raised/escalated/resolved) in China time, not UTC

PROJECT = "project"
WARNING = "warning"


def warning_id(project_id: str, key: str) -> str:
    return f"{project_id}|{key}"


FOLD = Fold("supervision")


@FOLD.on(Project.Opened)
def opened(tx: ViewTx, event: Project.Opened) -> None:
    oid = str(event.originator_id)
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
            "session_closed_on": (event.session_closed_on or china_date(event.meta.occurred_at)).isoformat(),
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


@FOLD.on(Project.ProgressReported)
def progress_reported(tx: ViewTx, event: Project.ProgressReported) -> None:
    tx.update(
        PROJECT,
        str(event.originator_id),
        lambda d: d.update(
            progress_pct=event.progress_pct,
            spent=str(event.spent),
            last_note=event.note,
            entries=d.get("entries", 0) + 1,
            last_period=getattr(event, "period", "") or d.get("last_period"),
        ),
    )


@FOLD.on(Project.PlanFiled)
def plan_filed(tx: ViewTx, event: Project.PlanFiled) -> None:
    budget = sum((Decimal(b["amount"]) for b in event.plan["budget_lines"]), Decimal("0"))
    tx.update(
        PROJECT,
        str(event.originator_id),
        lambda d: d.update(
            plan_status="late" if event.late else "filed",
            plan_versions=1,
            plan_due_on=event.due_on,
            budget_total=str(budget),
        ),
    )


@FOLD.on(Project.SessionCloseRecorded)
def session_close_recorded(tx: ViewTx, event: Project.SessionCloseRecorded) -> None:
    tx.update(PROJECT, str(event.originator_id), lambda d: d.update(session_closed_on=event.closed_on.isoformat()))


@FOLD.on(Project.ChangeDecided)
def change_decided(tx: ViewTx, event: Project.ChangeDecided) -> None:
    if event.approved:
        tx.update(PROJECT, str(event.originator_id), lambda d: d.update(plan_versions=d.get("plan_versions", 0) + 1))


@FOLD.on(Project.GroupAssigned)
def group_assigned(tx: ViewTx, event: Project.GroupAssigned) -> None:
    members = [m["id"] for m in event.deputies + event.residents]
    tx.update(PROJECT, str(event.originator_id), lambda d: d.update(members=members))


@FOLD.on(Project.RosterChanged)
def roster_changed(tx: ViewTx, event: Project.RosterChanged) -> None:
    def change(d: dict) -> None:
        d["members"] = [m for m in d.get("members", []) if m not in event.leave] + [m["id"] for m in event.join]

    tx.update(PROJECT, str(event.originator_id), change)


@FOLD.on(Project.InspectionRecorded)
def inspection_recorded(tx: ViewTx, event: Project.InspectionRecorded) -> None:
    found = len(event.findings)
    tx.update(PROJECT, str(event.originator_id), lambda d: d.update(findings_found=d.get("findings_found", 0) + found))


@FOLD.on(Project.FindingReviewed)
def finding_reviewed(tx: ViewTx, event: Project.FindingReviewed) -> None:
    if event.accepted:
        tx.update(
            PROJECT, str(event.originator_id), lambda d: d.update(findings_solved=d.get("findings_solved", 0) + 1)
        )


@FOLD.on(Project.WarningRaised)
def warning_raised(tx: ViewTx, event: Project.WarningRaised) -> None:
    oid = str(event.originator_id)
    wid = warning_id(oid, event.key)
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
            "raised_on": china_date(event.meta.occurred_at).isoformat(),
            "escalated_on": None,
            "resolved_on": None,
            "resolution": "",
            "rules_version": event.rules_version,
        },
    )
    tx.update(PROJECT, oid, lambda d: d.update(open_warnings=d.get("open_warnings", 0) + 1))


@FOLD.on(Project.WarningEscalated)
def warning_escalated(tx: ViewTx, event: Project.WarningEscalated) -> None:
    oid = str(event.originator_id)
    at = china_date(event.meta.occurred_at).isoformat()
    tx.update(WARNING, warning_id(oid, event.key), lambda d: d.update(escalated_on=at))
    tx.update(PROJECT, oid, lambda d: d.update(escalated_warnings=d.get("escalated_warnings", 0) + 1))


@FOLD.on(Project.WarningResolved)
def warning_resolved(tx: ViewTx, event: Project.WarningResolved) -> None:
    oid = str(event.originator_id)
    wid = warning_id(oid, event.key)
    at = china_date(event.meta.occurred_at).isoformat()
    was_escalated = bool((tx.get(WARNING, wid) or {}).get("escalated_on"))
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


@FOLD.on(Project.CompletionReported)
def completion_reported(tx: ViewTx, event: Project.CompletionReported) -> None:
    tx.update(
        PROJECT,
        str(event.originator_id),
        lambda d: d.update(
            progress_pct=100,
            spent=str(event.spent),
            status="completion_reported",
            completed_on=event.completed_on.isoformat(),
        ),
    )


@FOLD.on(Project.AcceptanceChecked)
def acceptance_checked(tx: ViewTx, event: Project.AcceptanceChecked) -> None:
    status = "accepted" if event.verdict == "accepted" else "open"
    tx.update(PROJECT, str(event.originator_id), lambda d: d.update(status=status))


project = FOLD  # the projector the runtime's updater calls
TOPICS = FOLD.topics()
