"""Supervision's aggregate: a project's file from adoption to accepted completion (the index of a
county's project files is in ``project_index.py``, the plan's checks in ``rules.py``).

One aggregate holds the whole year of a project (plan and its versions, cadence, funds, group,
inspections and findings, warnings), so one atomic save covers a warning sweep of the project;
the pure arithmetic lives in ``rules.py`` and ``warning_rules.py``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.supervision.domain.rules import check_plan
from shared.kernel.china_time import china_date
from shared.kernel.meta import Meta, RuleViolation
from shared.kernel.topics import moved

REPORT_KINDS = ("quarterly", "midyear", "yearend")
# the words a refusal uses for a status or a report, in Chinese (the pages translate the rest)
STATUS_ZH = {
    "open": "实施中",
    "completion_reported": "已报完工",
    "accepted": "已验收",
    "pending": "待审议",
    "approved": "已批准",
    "rejected": "已驳回",
}
REPORT_ZH = {"quarterly": "季度汇报", "midyear": "年中进度报告", "yearend": "年终结果报告"}


def _not_open(status: str, what_zh: str, what_en: str) -> RuleViolation:
    return RuleViolation(
        f"项目{STATUS_ZH.get(status, status)}，{what_zh} / project is {status}; {what_en}", reason="project_not_open"
    )


class Project(Aggregate):
    """One year's project (or micro project) under supervision."""

    # Events: the fields of each are the arguments of the method that records it.
    class Opened(Aggregate.Created):
        meta: Meta
        project_id: UUID
        year: int
        tier: str
        name: str
        content: str
        implementing_body: str
        investment: Decimal
        deadline: date
        demand_ids: list[UUID]
        session_closed_on: date | None = None
        town: str = ""

    class SessionCloseRecorded(Aggregate.Event):
        meta: Meta
        closed_on: date
        previous: date

    class PlanFiled(Aggregate.Event):
        meta: Meta
        plan: dict[str, Any]
        due_on: str
        late: bool
        year: int = 0
        name: str = ""

    class ChangeRequested(Aggregate.Event):
        meta: Meta
        request_id: str
        kind: str
        new_deadline: str | None
        plan: dict[str, Any] | None

    class ChangeDecided(Aggregate.Event):
        meta: Meta
        request_id: str
        approved: bool

    class ProgressReported(Aggregate.Event):
        meta: Meta
        progress_pct: int
        spent: Decimal
        note: str
        demand_ids: list[UUID]
        period: str = ""
        task_progress: dict[str, Any] | None = None
        spent_by_line: dict[str, Any] | None = None
        work_done: str = ""
        problems: str = ""

    class ReportFiled(Aggregate.Event):
        meta: Meta
        kind: str
        period: str
        text: str

    class AuditRecorded(Aggregate.Event):
        meta: Meta
        audit: dict[str, Any]

    class CompletionReported(Aggregate.Event):
        meta: Meta
        completed_on: date
        spent: Decimal
        note: str
        progress_at_report: int | None = None  # the progress last reported (below 100: meta.reason says why)

    class AcceptanceChecked(Aggregate.Event):
        meta: Meta
        verdict: str
        snapshot: dict[str, Any]

    class GroupAssigned(Aggregate.Event):
        meta: Meta
        deputies: list[dict[str, Any]]
        residents: list[dict[str, Any]]

    class RosterChanged(Aggregate.Event):
        meta: Meta
        join: list[dict[str, Any]]
        leave: list[str]

    class InspectionRecorded(Aggregate.Event):
        meta: Meta
        inspection: dict[str, Any]
        findings: list[dict[str, Any]]

    class FindingAssigned(Aggregate.Event):
        meta: Meta
        finding_id: str
        unit: str

    class FindingAnswered(Aggregate.Event):
        meta: Meta
        finding_id: str
        answer: str

    class FindingReviewed(Aggregate.Event):
        meta: Meta
        finding_id: str
        accepted: bool

    class InquiryRecorded(Aggregate.Event):
        meta: Meta
        inquiry: dict[str, Any]

    class WarningRaised(Aggregate.Event):
        meta: Meta
        key: str
        kind: str
        detail: str
        rules_version: int
        name: str = ""

    class WarningEscalated(Aggregate.Event):
        meta: Meta
        key: str
        kind: str = ""
        detail: str = ""
        name: str = ""
        rules_version: int = 1

    class WarningResolved(Aggregate.Event):
        meta: Meta
        key: str

    @staticmethod
    def create_id(project_id: UUID, **_: Any) -> UUID:
        return project_id

    @event(Opened)
    def __init__(
        self,
        meta: Meta,
        project_id: UUID,
        year: int,
        tier: str,
        name: str,
        content: str,
        implementing_body: str,
        investment: Decimal,
        deadline: date,
        demand_ids: list[UUID],
        session_closed_on: date | None = None,
        town: str = "",
    ) -> None:
        self.county = meta.county
        self.town = town  # blank: a county-wide project (and every project opened before 2026-12)
        self.year = year
        self.tier = tier
        self.name = name
        self.content = content
        self.implementing_body = implementing_body
        self.investment = investment
        self.deadline = deadline
        self.demand_ids = list(demand_ids)
        self.session_closed_on: date = session_closed_on or china_date(meta.occurred_at)
        self.progress_pct = 0
        self.spent = Decimal("0")
        self.status = "open"
        self.tracking: list[dict[str, Any]] = []  # every tracking entry, in order
        self.entries: dict[str, dict[str, Any]] = {}  # monthly entries by period ("2026-03")
        self.reports: dict[str, dict[str, Any]] = {}  # "quarterly:2026Q1", "midyear:2026", "yearend:2026"
        self.plans: list[dict[str, Any]] = []
        self.changes: dict[str, dict[str, Any]] = {}
        self.group: dict[str, Any] = {"deputies": [], "residents": [], "history": []}
        self.inspections: list[dict[str, Any]] = []
        self.findings: dict[str, dict[str, Any]] = {}
        self.inquiries: list[dict[str, Any]] = []
        self.audits: list[dict[str, Any]] = []
        self.warnings: dict[str, dict[str, Any]] = {}
        self.completed_on: date | None = None
        self.completion: dict[str, Any] | None = None
        self.acceptance: dict[str, Any] | None = None

    # -- when the 30 days start: the close of the session (闭会) ---------------------------------

    def record_session_close(self, meta: Meta, closed_on: date) -> None:
        """Staff record the day the session closed (or a micro project was approved) when it differs
        from the day the result arrived; the plan's due date follows it. A correction, with a reason."""
        if not meta.reason:
            raise RuleViolation("记录闭会日期须说明理由 / recording the session's close needs a reason")
        if closed_on > china_date(meta.occurred_at):
            raise RuleViolation("闭会日期不能晚于今天 / the session's close cannot be in the future")
        if not self.year - 1 <= closed_on.year <= self.year:
            raise RuleViolation(
                f"{self.year}年项目的闭会日期应在{self.year - 1}年或{self.year}年"
                f" / a {self.year} project's session closed in {self.year - 1} or {self.year}"
            )
        if self.plans and closed_on > date.fromisoformat(self.plans[0]["filed_on"]):
            raise RuleViolation("闭会日期不能晚于实施方案报送日期 / the session closed before the plan was filed")
        self._session_close_recorded(meta=meta, closed_on=closed_on, previous=self.session_closed_on)

    @event(SessionCloseRecorded)
    def _session_close_recorded(self, meta: Meta, closed_on: date, previous: date) -> None:
        self.session_closed_on = closed_on

    # -- implementation plan (实施方案) and its changes ---------------------------------------

    def file_plan(self, meta: Meta, plan: dict[str, Any], due_on: date) -> None:
        if self.plans:
            raise RuleViolation(
                "实施方案已报送，如需变更请提出变更申请"
                " / the plan is already filed; changes go through a change request"
            )
        if self.status != "open":
            raise _not_open(self.status, "不能报送实施方案", "no plan is filed now")
        check_plan(plan)
        filed_on = date.fromisoformat(plan["filed_on"])
        if filed_on < self.session_closed_on:
            raise RuleViolation(
                f"实施方案的报送日期（{filed_on.isoformat()}）不能早于闭会日期（{self.session_closed_on.isoformat()}）"
                " / a plan cannot be filed before the session closed",
                reason="plan_before_session",
            )
        self._plan_filed(
            meta=meta,
            plan={
                **plan,
                "version": 1,
                "by": meta.actor_id,
                "by_name": meta.actor_name,
                "recorded_at": meta.occurred_at.isoformat(),
                "reason": "original plan",
            },
            due_on=due_on.isoformat(),
            late=filed_on > due_on,
            year=self.year,
            name=self.name,
        )

    @event(PlanFiled)
    def _plan_filed(
        self, meta: Meta, plan: dict[str, Any], due_on: str, late: bool, year: int = 0, name: str = ""
    ) -> None:
        self.plans.append({**plan, "due_on": due_on, "late": late})

    def request_change(
        self, meta: Meta, request_id: str, kind: str, new_deadline: date | None, plan: dict[str, Any] | None
    ) -> None:
        if not self.plans:
            raise RuleViolation("变更申请须以已报送的实施方案为基础 / a change request needs a filed plan to change")
        if self.status != "open":
            raise _not_open(self.status, "不能申请变更", "no change is requested now")
        if kind not in ("extension", "scope"):
            raise RuleViolation("变更申请只能是延期或调整内容 / a change is a deadline extension or a scope change")
        if not meta.reason:
            raise RuleViolation("变更申请须说明理由 / a change request needs its reasons")
        if request_id in self.changes:
            raise RuleViolation("该变更申请已存在 / this change request already exists")
        if kind == "extension" and (new_deadline is None or new_deadline <= self.deadline):
            raise RuleViolation(
                "延期申请须提出晚于现完成时限的新时限 / an extension names a new deadline later than the current one"
            )
        if kind == "scope" and plan is None:
            raise RuleViolation("调整内容须附修订后的实施方案 / a scope change carries the revised plan")
        if plan is not None:
            check_plan(plan)
        self._change_requested(
            meta=meta,
            request_id=request_id,
            kind=kind,
            new_deadline=new_deadline.isoformat() if new_deadline else None,
            plan=plan,
        )

    @event(ChangeRequested)
    def _change_requested(
        self, meta: Meta, request_id: str, kind: str, new_deadline: str | None, plan: dict[str, Any] | None
    ) -> None:
        self.changes[request_id] = {
            "id": request_id,
            "kind": kind,
            "new_deadline": new_deadline,
            "plan": plan,
            "reason": meta.reason,
            "requested_by": meta.actor_id,
            "requested_by_name": meta.actor_name,
            "requested_at": meta.occurred_at.isoformat(),
            "status": "pending",
            "old_deadline": self.deadline.isoformat(),
        }

    def decide_change(self, meta: Meta, request_id: str, approved: bool) -> None:
        """The standing committee approves or rejects; an approval adds a plan version."""
        change = self.changes.get(request_id)
        if change is None:
            raise RuleViolation("没有该变更申请 / no such change request")
        if change["status"] != "pending":
            raise RuleViolation(
                f"该变更申请{STATUS_ZH.get(change['status'], change['status'])}"
                f" / the change request is already {change['status']}"
            )
        if not meta.reason:
            raise RuleViolation("常委会的决定须说明理由 / the committee's decision needs a reason")
        self._change_decided(meta=meta, request_id=request_id, approved=approved)

    @event(ChangeDecided)
    def _change_decided(self, meta: Meta, request_id: str, approved: bool) -> None:
        change = self.changes[request_id]
        change.update(
            status="approved" if approved else "rejected",
            decided_by=meta.actor_id,
            decided_by_name=meta.actor_name,
            decided_at=meta.occurred_at.isoformat(),
            decision_reason=meta.reason,
        )
        if not approved:
            return
        base = self.plans[-1]
        new = dict(change["plan"] or {k: base[k] for k in ("tasks", "milestones", "budget_lines")})
        new.update(
            version=len(self.plans) + 1,
            filed_on=china_date(meta.occurred_at).isoformat(),
            by=meta.actor_id,
            by_name=meta.actor_name,
            recorded_at=meta.occurred_at.isoformat(),
            reason=change["reason"],
            change_request=request_id,
            due_on=base["due_on"],
            late=False,
        )
        if change["new_deadline"]:
            self.deadline = date.fromisoformat(change["new_deadline"])
        new["deadline"] = self.deadline.isoformat()
        self.plans.append(new)

    # -- cadence: monthly entries and reports (一月一跟踪、一季一汇报、年中问进度、年终问结果) ------

    def report_progress(
        self,
        meta: Meta,
        progress_pct: int,
        spent: Decimal,
        note: str,
        period: str = "",
        task_progress: dict[str, int] | None = None,
        spent_by_line: dict[str, str] | None = None,
        work_done: str = "",
        problems: str = "",
    ) -> None:
        if self.status != "open":
            raise _not_open(self.status, "只有实施中的项目填报进度", "progress is reported while it is open")
        if not 0 <= progress_pct <= 100:
            raise RuleViolation("进度须在 0 到 100 之间 / progress must be between 0 and 100")
        if progress_pct < self.progress_pct:
            raise RuleViolation(
                f"进度不能从 {self.progress_pct}% 回退到 {progress_pct}%"
                f" / progress cannot go back from {self.progress_pct}% to {progress_pct}%",
                reason="progress_backwards",
            )
        if spent < 0:
            raise RuleViolation("支出金额不能为负 / money spent cannot be negative")
        if task_progress or spent_by_line:
            if not self.plans:
                raise RuleViolation(
                    "按任务填报进度、按科目填报支出，须先报送实施方案"
                    " / task progress and spending per budget line need a filed plan"
                )
            plan = self.plans[-1]
            unknown = set(task_progress or {}) - {t["id"] for t in plan["tasks"]}
            unknown |= set(spent_by_line or {}) - {b["code"] for b in plan["budget_lines"]}
            if unknown:
                listed = ", ".join(sorted(unknown))
                raise RuleViolation(f"不在实施方案中：{listed} / not in the plan: {listed}")
        self._progress_reported(
            meta=meta,
            progress_pct=progress_pct,
            spent=spent,
            note=note,
            demand_ids=self.demand_ids,
            period=period,
            task_progress=dict(task_progress or {}),
            spent_by_line=dict(spent_by_line or {}),
            work_done=work_done,
            problems=problems,
        )

    @event(ProgressReported)
    def _progress_reported(
        self,
        meta: Meta,
        progress_pct: int,
        spent: Decimal,
        note: str,
        demand_ids: list[UUID],
        period: str = "",
        task_progress: dict[str, Any] | None = None,
        spent_by_line: dict[str, Any] | None = None,
        work_done: str = "",
        problems: str = "",
    ) -> None:
        self.progress_pct = progress_pct
        self.spent = spent
        entry = {
            "at": meta.occurred_at.isoformat(),
            "period": period,
            "progress_pct": progress_pct,
            "spent": str(spent),
            "note": note,
            "by": meta.actor_id,
            "by_name": meta.actor_name,
            "task_progress": task_progress or {},
            "spent_by_line": spent_by_line or {},
            "work_done": work_done,
            "problems": problems,
        }
        self.tracking.append(entry)
        if period:
            self.entries[period] = entry

    def file_report(self, meta: Meta, kind: str, period: str, text: str) -> None:
        if kind not in REPORT_KINDS:
            raise RuleViolation(f"汇报须为季度汇报、年中或年终报告 / a report is one of: {', '.join(REPORT_KINDS)}")
        if f"{kind}:{period}" in self.reports:
            raise RuleViolation(
                f"{period}的{REPORT_ZH[kind]}已报送 / the {kind} report for {period} is already filed",
                reason="report_already_filed",
            )
        self._report_filed(meta=meta, kind=kind, period=period, text=text)

    @event(ReportFiled)
    def _report_filed(self, meta: Meta, kind: str, period: str, text: str) -> None:
        self.reports[f"{kind}:{period}"] = {
            "kind": kind,
            "period": period,
            "text": text,
            "by": meta.actor_id,
            "by_name": meta.actor_name,
            "at": meta.occurred_at.isoformat(),
            "progress_pct": self.progress_pct,
        }

    # -- funds and audit (资金使用、审计) ----------------------------------------------------

    def record_audit(self, meta: Meta, audit: dict[str, Any]) -> None:
        if not audit["text"].strip():
            raise RuleViolation("审计发现须写明内容 / an audit finding needs its text")
        self._audit_recorded(meta=meta, audit=audit)

    @event(AuditRecorded)
    def _audit_recorded(self, meta: Meta, audit: dict[str, Any]) -> None:
        self.audits.append(
            {**audit, "by": meta.actor_id, "by_name": meta.actor_name, "at": meta.occurred_at.isoformat()}
        )

    def funds(self) -> list[dict[str, Any]]:
        """Planned vs spent per budget line (spending as of the latest entry)."""
        if not self.plans:
            return []
        latest: dict[str, Any] = next((e["spent_by_line"] for e in reversed(self.tracking) if e["spent_by_line"]), {})
        return [
            {"code": b["code"], "name": b["name"], "planned": b["amount"], "spent": latest.get(b["code"], "0")}
            for b in self.plans[-1]["budget_lines"]
        ]

    # -- completion and acceptance (验收) ----------------------------------------------------

    def report_completion(self, meta: Meta, completed_on: date, spent: Decimal, note: str) -> None:
        """The responsible unit reports the project complete. Below 100% reported progress the report
        needs a recorded reason (``meta.reason``): what is left and why the project counts as done."""
        if self.status != "open":
            raise _not_open(self.status, "不能报告完工", "completion is reported while it is open")
        if spent < 0:
            raise RuleViolation("支出金额不能为负 / money spent cannot be negative")
        if self.progress_pct < 100 and not meta.reason.strip():
            raise RuleViolation(
                f"已填报进度为 {self.progress_pct}%，未达 100%：报告完工须说明理由"
                f" / progress is {self.progress_pct}%, below 100%: a completion report needs a reason",
                reason="completion_reason_required",
            )
        self._completion_reported(
            meta=meta, completed_on=completed_on, spent=spent, note=note, progress_at_report=self.progress_pct
        )

    @event(CompletionReported)
    def _completion_reported(
        self, meta: Meta, completed_on: date, spent: Decimal, note: str, progress_at_report: int | None = None
    ) -> None:
        self.completion = {
            "completed_on": completed_on.isoformat(),
            "spent": str(spent),
            "note": note,
            "progress_at_report": self.progress_pct if progress_at_report is None else progress_at_report,
            "reason": meta.reason,
            "by": meta.actor_id,
            "by_name": meta.actor_name,
            "at": meta.occurred_at.isoformat(),
        }
        self.status = "completion_reported"
        self.progress_pct = 100  # the unit declares the work done; acceptance checks the claim
        self.spent = spent
        self.completed_on = completed_on

    def accept(self, meta: Meta, verdict: str) -> None:
        """The supervision group's acceptance check (验收): accepted, or sent back with a reason."""
        if self.status != "completion_reported":
            raise RuleViolation(
                f"项目{STATUS_ZH.get(self.status, self.status)}，验收须在报告完工之后"
                f" / project is {self.status}; acceptance follows a completion report",
                reason="not_completion_reported",
            )
        if verdict not in ("accepted", "rejected"):
            raise RuleViolation("验收结论须为通过或不通过 / verdict is accepted or rejected")
        if verdict == "rejected" and not meta.reason.strip():
            raise RuleViolation("验收不通过须说明理由 / a rejected acceptance check needs a reason")
        if meta.actor_role == "deputy" and meta.actor_id not in [m["id"] for m in self.group["deputies"]]:
            raise RuleViolation(
                "验收由本项目监督小组的代表或人大常委会工作人员进行"
                " / the acceptance check is made by the project's supervision group (or congress staff)",
                reason="not_in_group",
            )
        self._acceptance_checked(meta=meta, verdict=verdict, snapshot=self.final_figures())

    def final_figures(self) -> dict[str, Any]:
        found = len(self.findings)
        solved = sum(1 for f in self.findings.values() if f["status"] == "closed")
        return {
            "year": self.year,
            "tier": self.tier,
            "name": self.name,
            "town": self.town,
            "completed_on": self.completed_on.isoformat() if self.completed_on else None,
            "deadline": self.deadline.isoformat(),
            "planned_investment": str(self.investment),
            "spent": str(self.spent),
            "demand_ids": [str(d) for d in self.demand_ids],
            "plan_versions": len(self.plans),
            "plan_late": bool(self.plans and self.plans[0]["late"]),
            "findings_found": found,
            "findings_solved": solved,
            "warnings_raised": len(self.warnings),
            "inspections": len(self.inspections),
            "funds": self.funds(),
        }

    @event(AcceptanceChecked)
    def _acceptance_checked(self, meta: Meta, verdict: str, snapshot: dict[str, Any]) -> None:
        self.status = "accepted" if verdict == "accepted" else "open"
        self.acceptance = {
            "verdict": verdict,
            "by": meta.actor_id,
            "by_name": meta.actor_name,
            "role": meta.actor_role,
            "at": meta.occurred_at.isoformat(),
            "reason": meta.reason,
        }

    # -- supervision group (监督小组: 3-5 deputies plus resident representatives) ------------

    def assign_group(
        self, meta: Meta, deputies: list[dict[str, Any]], residents: list[dict[str, Any]], rules: dict[str, Any]
    ) -> None:
        if self.group["deputies"]:
            raise RuleViolation(
                "监督小组已组成，调整成员须说明理由 / the group is already assigned; change the roster with a reason",
                reason="group_already_assigned",
            )
        self._check_group(deputies, residents, rules)
        self._group_assigned(meta=meta, deputies=deputies, residents=residents)

    @staticmethod
    def _check_group(deputies: list[dict[str, Any]], residents: list[dict[str, Any]], rules: dict[str, Any]) -> None:
        lo, hi = int(rules["group_min"]), int(rules["group_max"])
        if not lo <= len(deputies) <= hi:
            raise RuleViolation(
                f"监督小组须有 {lo} 至 {hi} 名代表，现为 {len(deputies)} 名"
                f" / a supervision group has {lo} to {hi} deputies, not {len(deputies)}"
            )
        if len(residents) < int(rules["resident_reps_min"]):
            raise RuleViolation(
                f"监督小组至少须有 {rules['resident_reps_min']} 名群众监督员"
                f" / a supervision group has at least {rules['resident_reps_min']} resident representative(s)"
            )
        ids = [m["id"] for m in deputies + residents]
        if len(set(ids)) != len(ids):
            raise RuleViolation("同一成员不能在小组中出现两次 / a member appears twice in the group")

    @event(GroupAssigned)
    def _group_assigned(self, meta: Meta, deputies: list[dict[str, Any]], residents: list[dict[str, Any]]) -> None:
        self.group = {
            "deputies": list(deputies),
            "residents": list(residents),
            "history": [
                {
                    "at": meta.occurred_at.isoformat(),
                    "by": meta.actor_id,
                    "by_name": meta.actor_name,
                    "change": "assigned",
                    "reason": meta.reason,
                    "members": [m["id"] for m in deputies + residents],
                }
            ],
        }

    def change_roster(self, meta: Meta, join: list[dict[str, Any]], leave: list[str], rules: dict[str, Any]) -> None:
        if not self.group["deputies"]:
            raise RuleViolation("尚未组成监督小组 / no group assigned yet")
        if not meta.reason:
            raise RuleViolation("调整小组成员须说明理由 / a roster change needs a reason")
        current = {m["id"] for m in self.group["deputies"] + self.group["residents"]}
        if set(leave) - current:
            missing = ", ".join(sorted(set(leave) - current))
            raise RuleViolation(f"不在小组中：{missing} / not in the group: {missing}")
        deputies = [m for m in self.group["deputies"] if m["id"] not in leave] + [
            m for m in join if m["kind"] == "deputy"
        ]
        residents = [m for m in self.group["residents"] if m["id"] not in leave] + [
            m for m in join if m["kind"] == "resident"
        ]
        self._check_group(deputies, residents, rules)
        self._roster_changed(meta=meta, join=join, leave=leave)

    @event(RosterChanged)
    def _roster_changed(self, meta: Meta, join: list[dict[str, Any]], leave: list[str]) -> None:
        left = [m["name"] for m in self.group["deputies"] + self.group["residents"] if m["id"] in leave]
        for kind, key in (("deputy", "deputies"), ("resident", "residents")):
            self.group[key] = [m for m in self.group[key] if m["id"] not in leave] + [
                m for m in join if m["kind"] == kind
            ]
        self.group["history"].append(
            {
                "at": meta.occurred_at.isoformat(),
                "by": meta.actor_id,
                "by_name": meta.actor_name,
                "change": "roster",
                "reason": meta.reason,
                "joined": [m["id"] for m in join],
                "left": list(leave),
                "joined_names": [m["name"] for m in join],
                "left_names": left,
            }
        )

    def member_ids(self) -> list[str]:
        return [m["id"] for m in self.group["deputies"] + self.group["residents"]]

    # -- inspections (视察), findings, special inquiries (专题询问) ---------------------------

    def record_inspection(self, meta: Meta, inspection: dict[str, Any], findings: list[dict[str, Any]]) -> None:
        if meta.actor_role == "deputy" and meta.actor_id not in self.member_ids():
            raise RuleViolation(
                "只有本项目监督小组的成员才能记录视察"
                " / only members of the project's supervision group record its inspections",
                reason="not_in_group",
            )
        if any(f["id"] in self.findings for f in findings):
            raise RuleViolation("该问题编号已记录 / a finding with this id is already recorded")
        self._inspection_recorded(meta=meta, inspection=inspection, findings=findings)

    @event(InspectionRecorded)
    def _inspection_recorded(self, meta: Meta, inspection: dict[str, Any], findings: list[dict[str, Any]]) -> None:
        self.inspections.append(
            {
                **inspection,
                "by": meta.actor_id,
                "by_name": meta.actor_name,
                "finding_ids": [f["id"] for f in findings],
            }
        )
        for f in findings:
            self.findings[f["id"]] = {
                **f,
                "inspector": meta.actor_id,
                "inspector_name": meta.actor_name,
                "found_on": inspection["inspected_on"],
                "status": "open",
                "unit": None,
                "history": [],
            }

    def _finding(self, finding_id: str) -> dict[str, Any]:
        if finding_id not in self.findings:
            raise RuleViolation("没有该问题 / no such finding", reason="no_such_finding")
        return self.findings[finding_id]

    def assign_finding(self, meta: Meta, finding_id: str, unit: str) -> None:
        if self._finding(finding_id)["status"] == "closed":
            raise RuleViolation("该问题已销号 / the finding is closed")
        if not unit.strip():
            raise RuleViolation("须写明承办单位 / name the unit that rectifies it")
        self._finding_assigned(meta=meta, finding_id=finding_id, unit=unit.strip())

    @event(FindingAssigned)
    def _finding_assigned(self, meta: Meta, finding_id: str, unit: str) -> None:
        f = self.findings[finding_id]
        f.update(unit=unit, status="assigned")
        f["history"].append(
            {
                "at": meta.occurred_at.isoformat(),
                "by": meta.actor_id,
                "by_name": meta.actor_name,
                "step": "assigned",
                "text": unit,
            }
        )

    def answer_finding(self, meta: Meta, finding_id: str, answer: str) -> None:
        if self._finding(finding_id)["status"] not in ("assigned", "reopened"):
            raise RuleViolation("只有已交办或重新办理的问题才能答复 / only an assigned or reopened finding is answered")
        if not answer.strip():
            raise RuleViolation("答复内容不能为空 / the answer is empty")
        self._finding_answered(meta=meta, finding_id=finding_id, answer=answer)

    @event(FindingAnswered)
    def _finding_answered(self, meta: Meta, finding_id: str, answer: str) -> None:
        f = self.findings[finding_id]
        f["status"] = "answered"
        f["history"].append(
            {
                "at": meta.occurred_at.isoformat(),
                "by": meta.actor_id,
                "by_name": meta.actor_name,
                "step": "answered",
                "text": answer,
            }
        )

    def review_finding(self, meta: Meta, finding_id: str, accepted: bool) -> None:
        """The inspector accepts the answer (closed) or reopens the finding, with a reason."""
        f = self._finding(finding_id)
        if f["status"] != "answered":
            raise RuleViolation("只有已答复的问题才能审核 / only an answered finding is reviewed")
        if meta.actor_role == "deputy" and meta.actor_id != f["inspector"]:
            raise RuleViolation(
                "由记录该问题的代表审核答复 / the inspector who recorded the finding reviews the answer",
                reason="not_the_inspector",
            )
        if not accepted and not meta.reason.strip():
            raise RuleViolation("不认可答复、重新办理须说明理由 / reopening a finding needs a reason")
        self._finding_reviewed(meta=meta, finding_id=finding_id, accepted=accepted)

    @event(FindingReviewed)
    def _finding_reviewed(self, meta: Meta, finding_id: str, accepted: bool) -> None:
        f = self.findings[finding_id]
        f["status"] = "closed" if accepted else "reopened"
        if accepted:
            f["closed_on"] = china_date(meta.occurred_at).isoformat()
        f["history"].append(
            {
                "at": meta.occurred_at.isoformat(),
                "by": meta.actor_id,
                "by_name": meta.actor_name,
                "step": "accepted" if accepted else "reopened",
                "text": meta.reason,
            }
        )

    def record_inquiry(self, meta: Meta, inquiry: dict[str, Any]) -> None:
        if not inquiry["questions"]:
            raise RuleViolation("专题询问须记录所提问题 / a special inquiry records its questions")
        self._inquiry_recorded(meta=meta, inquiry=inquiry)

    @event(InquiryRecorded)
    def _inquiry_recorded(self, meta: Meta, inquiry: dict[str, Any]) -> None:
        self.inquiries.append(
            {**inquiry, "by": meta.actor_id, "by_name": meta.actor_name, "at": meta.occurred_at.isoformat()}
        )

    def finding_counts(self) -> dict[str, Any]:
        return {
            "found": len(self.findings),
            "solved": sum(1 for f in self.findings.values() if f["status"] == "closed"),
        }

    # -- early warning (预警督办) ------------------------------------------------------------

    def raise_warning(self, meta: Meta, key: str, kind: str, detail: str, rules_version: int) -> bool:
        """Raise a warning for a cause once: a key already raised is never raised again."""
        if key in self.warnings:
            return False
        self._warning_raised(meta=meta, key=key, kind=kind, detail=detail, rules_version=rules_version, name=self.name)
        return True

    @event(WarningRaised)
    def _warning_raised(self, meta: Meta, key: str, kind: str, detail: str, rules_version: int, name: str = "") -> None:
        self.warnings[key] = {
            "key": key,
            "kind": kind,
            "detail": detail,
            "status": "open",
            "raised_on": china_date(meta.occurred_at).isoformat(),
            "escalated_on": None,
            "resolved_on": None,
            "resolution": "",
            "resolved_by": "",
            "rules_version": rules_version,
        }

    def escalate_warning(self, meta: Meta, key: str) -> None:
        w = self.warnings.get(key)
        if w is None or w["status"] != "open" or w["escalated_on"]:
            raise RuleViolation(
                "只有未解除、尚未提请督办的预警才能提请督办 / only an open, not yet escalated warning is escalated"
            )
        self._warning_escalated(
            meta=meta, key=key, kind=w["kind"], detail=w["detail"], name=self.name, rules_version=w["rules_version"]
        )

    @event(WarningEscalated)
    def _warning_escalated(
        self, meta: Meta, key: str, kind: str = "", detail: str = "", name: str = "", rules_version: int = 1
    ) -> None:
        self.warnings[key]["escalated_on"] = china_date(meta.occurred_at).isoformat()

    def resolve_warning(self, meta: Meta, key: str) -> None:
        w = self.warnings.get(key)
        if w is None:
            raise RuleViolation("没有该预警 / no such warning")
        if w["status"] != "open":
            raise RuleViolation("该预警已解除 / the warning is already resolved")
        if not meta.reason.strip():
            raise RuleViolation("解除预警须说明理由 / a warning is resolved only with a recorded reason")
        self._warning_resolved(meta=meta, key=key)

    @event(WarningResolved)
    def _warning_resolved(self, meta: Meta, key: str) -> None:
        self.warnings[key].update(
            status="resolved",
            resolved_on=china_date(meta.occurred_at).isoformat(),
            resolution=meta.reason,
            resolved_by=meta.actor_id,
            resolved_by_name=meta.actor_name,
        )


moved("services.supervision.domain", Project)  # stored before 2026-12 under the old module
