"""The words of supervision's pages, in Chinese (default) and English."""

from __future__ import annotations

from shared.web.i18n import register_messages

ZH = {
    "supervision_title": "民生实事进度榜", "progress": "进度", "spent": "已支出", "tier_major": "实事项目",
    "tier_micro": "微实事", "implementing_body": "实施主体", "county_progress": "全县进度（按投资加权）",
    "plan": "实施方案", "plan_status": "方案", "plan_missing": "未报送", "plan_filed": "已报送",
    "plan_late": "逾期报送", "plan_due_on": "方案应报日期", "original_plan": "原始方案",
    "plan_history": "方案版本", "version": "版本", "tasks": "任务", "unit": "责任单位", "person": "责任人",
    "due": "完成时限", "milestones": "节点", "target": "目标进度", "budget_lines": "预算科目",
    "planned": "计划", "budget": "预算", "funds": "资金使用", "entries": "月度跟踪", "period": "月份",
    "reports": "季度汇报 / 年中 / 年终", "findings": "发现问题", "found": "发现", "solved": "已解决",
    "open_warnings": "未解除预警", "escalated": "已提请常委会督办", "warnings": "预警督办", "raised_on": "预警日期",
    "detail": "说明", "group": "监督小组", "deputies": "人大代表", "residents": "群众监督员",
    "changes": "变更申请", "unit_board": "责任单位项目看板", "inspect_title": "视察记录",
    "record_finding": "记录问题", "inspected_on": "视察日期", "location": "地点", "severity": "严重程度",
    "severity_low": "一般", "severity_medium": "较重", "severity_high": "严重", "submit": "提交",
    "accept_answer": "认可答复并销号", "reopen": "不认可，重新办理", "reason": "理由", "answer": "答复",
    "dashboard_title": "常委会监督看板", "no_projects": "暂无项目", "to_answer": "待答复的问题",
    "audits": "审计发现", "inquiries": "专题询问", "deadline": "完成时限", "all_years": "全部年度",
    "sv_status_open": "实施中", "sv_status_completion_reported": "已报完工", "sv_status_accepted": "已验收",
    "sv_status_assigned": "已交办", "sv_status_answered": "已答复", "sv_status_reopened": "重新办理",
    "sv_status_pending": "待审议", "sv_status_approved": "已批准", "sv_status_resolved": "已解除",
    "kind_plan_missing": "实施方案逾期未报", "kind_entry_missing": "月度跟踪缺报", "kind_quarterly_missing": "季度汇报缺报",
    "kind_midyear_missing": "年中问进度缺报", "kind_yearend_missing": "年终问结果缺报", "kind_progress_lag": "进度滞后",
    "kind_milestone_overdue": "节点逾期", "kind_spending_off": "资金支出偏离计划", "kind_finding_open": "问题久拖未决",
    "project_page": "项目详情", "my_projects": "我监督的项目", "none": "无",
}
EN = {
    "supervision_title": "Progress board", "progress": "Progress", "spent": "Spent", "tier_major": "Project",
    "tier_micro": "Micro project", "implementing_body": "Implementing body",
    "county_progress": "County progress (weighted by investment)", "plan": "Implementation plan",
    "plan_status": "Plan", "plan_missing": "Not filed", "plan_filed": "Filed", "plan_late": "Filed late",
    "plan_due_on": "Plan due", "original_plan": "Original plan", "plan_history": "Plan versions",
    "version": "Version", "tasks": "Tasks", "unit": "Responsible unit", "person": "Responsible person",
    "due": "Due", "milestones": "Milestones", "target": "Target", "budget_lines": "Budget lines",
    "planned": "Planned", "budget": "Budget", "funds": "Funds", "entries": "Monthly entries", "period": "Month",
    "reports": "Quarterly / mid-year / year-end reports", "findings": "Findings", "found": "Found",
    "solved": "Solved", "open_warnings": "Open warnings", "escalated": "Escalated to the standing committee",
    "warnings": "Early warnings", "raised_on": "Raised", "detail": "Detail", "group": "Supervision group",
    "deputies": "Deputies", "residents": "Resident representatives", "changes": "Change requests",
    "unit_board": "Responsible unit's board", "inspect_title": "Inspection", "record_finding": "Record a finding",
    "inspected_on": "Inspected on", "location": "Location", "severity": "Severity", "severity_low": "Low",
    "severity_medium": "Medium", "severity_high": "High", "submit": "Submit",
    "accept_answer": "Accept the answer (close)", "reopen": "Not accepted: reopen", "reason": "Reason",
    "answer": "Answer", "dashboard_title": "Committee dashboard", "no_projects": "No projects yet",
    "to_answer": "Findings to answer", "audits": "Audit findings", "inquiries": "Special inquiries",
    "deadline": "Deadline", "all_years": "All years",
    "sv_status_open": "Under way", "sv_status_completion_reported": "Completion reported", "sv_status_accepted": "Accepted",
    "sv_status_assigned": "Assigned", "sv_status_answered": "Answered", "sv_status_reopened": "Reopened",
    "sv_status_pending": "Pending", "sv_status_approved": "Approved", "sv_status_resolved": "Resolved",
    "kind_plan_missing": "Plan overdue", "kind_entry_missing": "Monthly entry missing",
    "kind_quarterly_missing": "Quarterly report missing", "kind_midyear_missing": "Mid-year review missing",
    "kind_yearend_missing": "Year-end result missing", "kind_progress_lag": "Progress behind plan",
    "kind_milestone_overdue": "Milestone overdue", "kind_spending_off": "Spending off plan",
    "kind_finding_open": "Finding open too long", "project_page": "Project", "my_projects": "My projects",
    "none": "None",
}


def register() -> None:
    register_messages({"zh": ZH, "en": EN})
