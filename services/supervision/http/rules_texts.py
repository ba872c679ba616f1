"""Supervision's rules by name, with what each does (the county rules page, ``shared/web/rules_pages.py``)."""

from __future__ import annotations

from shared.web.rules_pages import RuleText

RULE_TEXTS = {
    "plan_due_days": RuleText(
        "实施方案提交期限（天）",
        "会议闭幕（微实事批准）后此天数内，政府须提交实施方案（默认 30 天），逾期预警。",
        "Plan due (days)",
        "The implementation plan is due this many days after the session closed (or the micro project was approved).",
    ),
    "plan_escalation_days": RuleText(
        "实施方案升级督办（天）",
        "会议闭幕后超过此天数仍未提交实施方案的，升级为常委会督办；不得少于提交期限。",
        "Plan escalated after (days)",
        "Still no plan this many days after the session: escalated to the standing committee.",
    ),
    "group_min": RuleText(
        "监督小组代表最少人数",
        "每个项目监督小组中人大代表的最少人数（默认 3 名）。",
        "Supervision group: fewest deputies",
        "The fewest deputies on a project's supervision group.",
    ),
    "group_max": RuleText(
        "监督小组代表最多人数",
        "每个项目监督小组中人大代表的最多人数（默认 5 名）；不得少于最少人数。",
        "Supervision group: most deputies",
        "The most deputies on a project's supervision group.",
    ),
    "resident_reps_min": RuleText(
        "监督小组群众代表最少人数",
        "监督小组中群众代表（监督员）的最少人数。",
        "Supervision group: fewest resident representatives",
        "The fewest resident representatives on a supervision group.",
    ),
    "entry_grace_days": RuleText(
        "月度进度填报宽限（天）",
        "每月进度须在次月此日之前填报（一月一跟踪），逾期预警。",
        "Monthly entry grace (days)",
        "Month M's progress entry is due by this day of month M+1.",
    ),
    "quarterly_grace_days": RuleText(
        "季度报告宽限（天）",
        "每季度结束后此天数内须提交季度报告（一季一汇报）。",
        "Quarterly report grace (days)",
        "The quarterly report is due this many days after the quarter.",
    ),
    "midyear_review_due": RuleText(
        "年中进度检查截止日",
        "项目当年年中进度检查（年中问进度）的截止日。",
        "Mid-year review due",
        "The day of the project's year by which the mid-year review is due.",
    ),
    "yearend_result_due": RuleText(
        "年终结果报告截止日",
        "次年提交年终结果报告（年终问结果）的截止日。",
        "Year-end result due",
        "The day of the following year by which the year-end result is due.",
    ),
    "lag_warning_points": RuleText(
        "进度滞后预警（百分点）",
        "实际进度落后于里程碑计划曲线超过此百分点时预警。",
        "Progress lag warning (points)",
        "Progress more than this many points below the milestone curve raises a warning.",
    ),
    "spend_deviation_points": RuleText(
        "资金偏离预警（百分点）",
        "已支出占预算的比例与计划比例相差超过此百分点时预警。",
        "Spending deviation warning (points)",
        "Spending off the planned share of the budget by more than this many points raises a warning.",
    ),
    "finding_open_days": RuleText(
        "问题办结期限（天）",
        "视察发现的问题超过此天数仍未办结的，预警。",
        "Finding open (days)",
        "A finding not closed this many days after the inspection raises a warning.",
    ),
    "warning_escalation_days": RuleText(
        "预警升级期限（天）",
        "预警超过此天数仍未解除的，升级为常委会督办。",
        "Warning escalated after (days)",
        "A warning still open this many days after it was raised goes to the standing committee.",
    ),
}
