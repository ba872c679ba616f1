"""Supervision's names for the audit pages (审计与回溯): its events as Chinese phrases, its objects
and read models, and the fields of their state shown by name."""

from __future__ import annotations

from shared.audit.names import Catalogue

AUDIT_NAMES = Catalogue(
    events={
        "Project.Opened": ("建立项目档案", "Project file opened"),
        "Project.SessionCloseRecorded": ("登记闭会日期", "Session close recorded"),
        "Project.PlanFiled": ("报送实施方案", "Plan filed"),
        "Project.ChangeRequested": ("申请变更", "Change requested"),
        "Project.ChangeDecided": ("审批变更", "Change decided"),
        "Project.ProgressReported": ("月度进展填报", "Progress reported"),
        "Project.ReportFiled": ("报送季度、半年或年度报告", "Report filed"),
        "Project.AuditRecorded": ("登记审计意见", "Audit finding recorded"),
        "Project.CompletionReported": ("报告完工", "Completion reported"),
        "Project.AcceptanceChecked": ("验收", "Acceptance checked"),
        "Project.GroupAssigned": ("组建监督小组", "Supervision group assigned"),
        "Project.RosterChanged": ("调整监督小组", "Group roster changed"),
        "Project.InspectionRecorded": ("代表视察并提出问题", "Inspection recorded"),
        "Project.FindingAssigned": ("交办问题", "Finding assigned"),
        "Project.FindingAnswered": ("责任单位答复问题", "Finding answered"),
        "Project.FindingReviewed": ("视察代表审核答复", "Finding reviewed"),
        "Project.InquiryRecorded": ("专题询问", "Special inquiry recorded"),
        "Project.WarningRaised": ("发出预警", "Warning raised"),
        "Project.WarningEscalated": ("预警升级督办", "Warning escalated"),
        "Project.WarningResolved": ("解除预警", "Warning resolved"),
        "ProjectIndex.Opened": ("建立项目索引", "Project index opened"),
        "ProjectIndex.Listed": ("项目列入索引", "Project listed"),
    },
    kinds={
        "Project": ("民生实事项目", "Project"),
        "ProjectIndex": ("项目索引", "Project index"),
        "project": ("民生实事项目", "Projects"),
        "warning": ("预警", "Warnings"),
    },
    keys={
        "session_closed_on": ("闭会日期", "Session closed on"),
        "plans": ("实施方案（各版本）", "Plans"),
        "changes": ("变更申请", "Changes"),
        "entries": ("月度进展", "Monthly entries"),
        "progress_pct": ("总体进度（%）", "Progress (%)"),
        "reports": ("报告", "Reports"),
        "audits": ("审计意见", "Audit findings"),
        "completed_on": ("完工日期", "Completed on"),
        "spent": ("实际支出", "Spent"),
        "acceptance": ("验收", "Acceptance"),
        "group": ("监督小组", "Supervision group"),
        "inspections": ("视察", "Inspections"),
        "findings": ("发现的问题", "Findings"),
        "inquiries": ("专题询问", "Inquiries"),
        "warnings": ("预警", "Warnings"),
        "tracking": ("进度跟踪", "Tracking"),
        "project_ids": ("项目", "Projects"),
    },
)
