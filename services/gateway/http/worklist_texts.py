"""The role homes' texts (工作台), zh-CN first: each task a service may list, each role's section."""

from __future__ import annotations

TASKS: dict[str, tuple[str, str]] = {
    # intake
    "replies_overdue": ("咨询超过答复时限未答复", "Consultations past their reply deadline"),
    "replies_due": ("咨询待答复（24 小时内）", "Consultations to answer (within 24 hours)"),
    "untriaged": ("新诉求待分类分流", "New demands to triage"),
    "stranded": ("无人负责或久未推进的诉求", "Demands with no owner or no movement"),
    "deadletters": ("12345 异常工单待处理", "Hotline dead letters to resolve"),
    "inbox": ("推送给我的群众诉求", "Demands in my inbox"),
    "wishes_to_claim": ("待认领的微心愿", "Micro-wishes to claim"),
    # decision
    "lists_to_decide": ("候选项目清单待审议（审批环节）", "Candidate lists waiting for a step"),
    "lists_to_schedule": ("已提交大会的清单待安排票决会议", "Lists put to the session, no vote session yet"),
    "sessions_to_hold": ("待举行或进行中的票决会议", "Vote sessions to hold"),
    "micro_to_approve": ("政府已承办、待审议的微实事", "Micro projects to approve"),
    "lists_sent_back": ("被退回待修改的候选项目清单", "Candidate lists sent back to revise"),
    "micro_to_answer": ("代表提出、待答复是否承办的微实事", "Micro projects to accept or decline"),
    "sessions_to_vote": ("我在名册上的票决会议（去投票）", "Vote sessions I am on the roll of"),
    # supervision
    "changes_to_decide": ("责任单位申请、待常委会审议的变更", "Change requests for the committee to decide"),
    "warnings_escalated": ("已升级督办的预警", "Warnings escalated to the standing committee"),
    "warnings_open": ("未解除的预警", "Open warnings"),
    "findings_to_assign": ("视察发现、待交办的问题", "Findings to assign to a unit"),
    "findings_unanswered": ("已交办、责任单位尚未答复的问题", "Findings a unit has yet to answer"),
    "plans_due": ("待报送的实施方案（30 日内）", "Implementation plans due"),
    "reports_missing": ("逾期未报的月度进展或报告", "Monthly entries and reports missing"),
    "findings_to_answer": ("交办给我单位、待答复的问题", "Findings to answer"),
    "completions_to_report": ("进度已达 100%、待报告完工的项目", "Projects at 100% to report complete"),
    "projects_to_inspect": ("我所在监督小组的项目（去视察）", "Projects of my supervision groups"),
    "answers_to_review": ("责任单位已答复、待我审核的问题", "Answers to my findings to review"),
    # evaluation
    "ratings_to_round": ("已验收、待纳入满意度测评的项目", "Accepted projects waiting for a rating round"),
    "rounds_in_progress": ("进行中的满意度测评", "Rating rounds in progress"),
    "rectifications_due": ("待报送的整改报告", "Rectification reports due"),
    "rectifications_to_rerate": ("已报送整改、待再次测评", "Rectification reports to rate again"),
    "lookbacks_due": ("本周到期的翌年回头看", "Look-backs due this week"),
    "rectification_reports_due": ("我单位待报送的整改报告", "Rectification reports we owe"),
    "rounds_to_rate": ("正在进行的满意度测评（去测评）", "A rating round open for me"),
}

WARNINGS: dict[str, tuple[str, str]] = {
    "plan_missing": ("未按期报送实施方案", "plan missing"),
    "entry_missing": ("未按月填报进展", "monthly entry missing"),
    "quarterly_missing": ("未报季度报告", "quarterly report missing"),
    "midyear_missing": ("未报半年报告", "mid-year review missing"),
    "yearend_missing": ("未报年度报告", "year-end result missing"),
    "progress_lag": ("进度滞后", "progress lagging"),
    "milestone_overdue": ("节点逾期", "milestone overdue"),
    "spending_off": ("资金支出偏离", "spending off plan"),
    "finding_open": ("问题久未解决", "finding open too long"),
}

PAGE: dict[str, tuple[str, str]] = {
    "worklist_title": ("工作台", "Worklist"),
    "worklist_intro": (
        "本周需要办理的事项，按县（市、区）和身份列出；点击事项前往办理页面。",
        "What is due this week, by county and role; open an item to act on it.",
    ),
    "worklist_role_congress_staff": ("人大常委会工作人员：本周待办", "Congress staff: due this week"),
    "worklist_role_gov_unit": ("政府 / 责任单位：待报送与待答复", "Government unit: plans, progress and answers due"),
    "worklist_role_deputy": ("人大代表：收件箱、视察、票决与测评", "Deputy: inbox, inspections, votes and ratings"),
    "worklist_nothing": ("暂无待办事项。", "Nothing due."),
    "worklist_missing": ("以下部分暂时无法获取：", "These parts could not be reached:"),
    "worklist_open_all": ("全部 {count} 项 →", "All {count} →"),
    "worklist_due": ("期限", "due"),
    "worklist_overdue": ("已逾期", "overdue"),
    "worklist_my_pages": ("我的工作页面", "My pages"),
    "worklist_record": ("我的履职档案", "My record of duty"),
    "worklist_no_county": (
        "您的账号覆盖多个县（市、区），请从各县对比进入。",
        "Your account covers many counties: start from the province view.",
    ),
    "worklist_audit_title": ("审计：查阅与回溯", "Audit: read and replay"),
    "worklist_audit_intro": (
        "按服务查阅防篡改日志、任意对象的历史与任意时点的状态；只读，所有查阅均被记录。",
        "Each service's tamper-evident log, any object's history and state at any moment; "
        "read-only, and every read is recorded.",
    ),
    "worklist_audit_county": ("{county} 数据看板（回溯）", "{county}: dashboards as of a moment"),
    "worklist_round_title": (
        "{session_year}年人代会满意度测评（{rated_year}年项目）",
        "{session_year} session rating ({rated_year} projects)",
    ),
    "worklist_deadletter_title": ("异常工单 #{sequence}", "Dead letter #{sequence}"),
}


def messages() -> dict[str, dict[str, str]]:
    zh: dict[str, str] = {}
    en: dict[str, str] = {}
    for prefix, table in (("work_", TASKS), ("warning_", WARNINGS), ("", PAGE)):
        for key, (chinese, english) in table.items():
            zh[prefix + key], en[prefix + key] = chinese, english
    return {"zh": zh, "en": en}
