"""The texts of intake's staff and deputy pages (zh-CN first, English toggle), DOMAIN.md's terms."""

from __future__ import annotations

from services.intake.domain.rules import CATEGORIES

KIND_ZH = {"consultation": "咨询类", "individual": "个性问题", "common": "共性问题", "micro_wish": "微心愿",
           "project_suggestion": "项目建议"}
KIND_EN = {"consultation": "Consultation", "individual": "Individual problem", "common": "Common problem",
           "micro_wish": "Micro-wish", "project_suggestion": "Project suggestion"}
TIER_ZH = {"department": "部门直接办理", "micro_wish": "微心愿", "micro": "民生微实事", "major": "票决实事项目"}
TIER_EN = {"department": "Direct handling by a department", "micro_wish": "Micro-wish", "micro": "Micro project",
           "major": "Major project (vote)"}
SCOPE_ZH = {"household": "个人/家庭", "community": "社区/村", "town": "乡镇/街道", "county": "全县"}
SCOPE_EN = {"household": "Household", "community": "Community", "town": "Town/street", "county": "County"}
STATUS_ZH = {"received": "待分类", "triaged": "已分类", "duplicate": "重复诉求", "claimed": "已认领",
             "fulfilled": "已实现", "in_candidate": "纳入候选", "rated": "已测评", "split": "已拆出"}
STATUS_EN = {"received": "Received", "triaged": "Classified", "duplicate": "Duplicate", "claimed": "Claimed",
             "fulfilled": "Fulfilled", "in_candidate": "In a candidate", "rated": "Rated", "split": "Split off"}

CHANNEL_ZH = {"web": "网页/扫码", "hotline": "12345热线", "liaison_station": "代表联络站", "deputy_suggestion": "代表建议",
              "department_list": "部门清单", "open311": "Open311",
              "lookback": "回头看"}
CHANNEL_EN = {"web": "Web / QR", "hotline": "12345 hotline", "liaison_station": "Liaison station",
              "deputy_suggestion": "Deputy's suggestion", "department_list": "Department list", "open311": "Open311",
              "lookback": "Look-back"}

ZH = {
    **{f"category_{k}": v["zh"] for k, v in CATEGORIES.items()}, **{f"channel_{k}": v for k, v in CHANNEL_ZH.items()},
    **{f"kind_{k}": v for k, v in KIND_ZH.items()}, **{f"tier_{k}": v for k, v in TIER_ZH.items()},
    **{f"scope_{k}": v for k, v in SCOPE_ZH.items()}, **{f"status_{k}": v for k, v in STATUS_ZH.items()},
    "queue_filters": "筛选", "all": "全部", "overdue_only": "只看超时", "overdue": "已超时", "due_at": "答复时限",
    "kind": "诉求类型", "tier": "分流层级", "scope": "影响范围", "estimate": "估算金额（元）", "triage": "分类与分流",
    "triage_do": "分类并分流", "reassess": "重新评估（超出层级自动升级）", "reply": "答复群众", "close": "办结",
    "reply_text": "答复内容", "close_note": "办结说明", "note": "说明", "reason_label": "理由",
    "likely_duplicates": "可能重复的诉求", "link_duplicates": "合并为重复诉求", "similarity": "相似度",
    "contact": "联系方式（仅本县工作人员可见）", "contact_erased": "联系方式已删除（密钥已销毁）",
    "erase_contact": "删除群众个人信息", "erase_warning": "销毁该群众的密钥后，姓名、电话、地址将永久无法读取，办理记录保留。",
    "merge_title": "合并工作台", "merge_do": "合并为项目建议", "suggestion_title": "建议名称",
    "suggestions": "项目建议", "split_do": "拆分", "split_new_title": "拆出后组成新建议（留空则退回队列）",
    "contains_demands": "包含诉求", "history": "历史", "deadletter_resubmit": "更正后重新提交",
    "deadletter_dismiss": "作废", "resolved_by": "处理人", "resolved": "已处理", "unresolved": "待处理",
    "corrected_body": "更正后的工单", "letter_erased": "来电人信息已删除（密钥已销毁），如需重新提交请完整填写工单",
    "inbox_title": "代表线上接单", "wishes_title": "微心愿认领",
    "accept": "接单", "answer": "答复", "forward": "转办", "to_suggestion": "转为建议", "forward_to": "转办给",
    "claim": "认领", "fund": "资金到位", "fulfil": "已实现", "visit": "回访", "funding_source": "资金来源",
    "source_social_donor": "社会捐助", "source_deputy": "代表个人", "source_special_fund": "专项资金",
    "amount": "金额（元）", "satisfaction": "满意度", "stranded_title": "滞留诉求",
    "stranded_help": "无人负责或超过 {days} 天没有进展的诉求（规则版本 {version}）。",
    "stranded_no_owner": "无人负责", "stranded_no_movement": "长期无进展", "idle_days": "停滞天数",
    "owner": "负责方", "rules_version": "规则版本", "open_demand": "查看", "nothing_here": "暂无。",
    "nav_queue": "办理队列", "nav_merge": "合并工作台", "nav_deadletters": "死信", "nav_stranded": "滞留诉求",
    "nav_inbox": "代表接单", "count_total": "共 {n} 件", "hotline_ticket": "12345 工单号",
}
EN = {
    **{f"category_{k}": v["en"] for k, v in CATEGORIES.items()}, **{f"channel_{k}": v for k, v in CHANNEL_EN.items()},
    **{f"kind_{k}": v for k, v in KIND_EN.items()}, **{f"tier_{k}": v for k, v in TIER_EN.items()},
    **{f"scope_{k}": v for k, v in SCOPE_EN.items()}, **{f"status_{k}": v for k, v in STATUS_EN.items()},
    "queue_filters": "Filters", "all": "All", "overdue_only": "Overdue only", "overdue": "Overdue",
    "due_at": "Reply due", "kind": "Kind", "tier": "Tier", "scope": "Scope of impact", "estimate": "Estimate (CNY)",
    "triage": "Classify and route", "triage_do": "Classify and route",
    "reassess": "Reassess (escalates automatically when it outgrows its tier)", "reply": "Reply to the resident",
    "close": "Close", "reply_text": "Reply", "close_note": "Closing note", "note": "Note", "reason_label": "Reason",
    "likely_duplicates": "Likely duplicates", "link_duplicates": "Link as duplicates", "similarity": "Similarity",
    "contact": "Contact (this county's staff only)", "contact_erased": "Contact erased (key destroyed)",
    "erase_contact": "Erase the resident's personal data",
    "erase_warning": "Destroys the resident's key: name, phone and address become unreadable for good; the history stays.",
    "merge_title": "Merge workspace", "merge_do": "Merge into a project suggestion", "suggestion_title": "Suggestion title",
    "suggestions": "Project suggestions", "split_do": "Split",
    "split_new_title": "New suggestion for the split-off demands (empty: back to the queue)",
    "contains_demands": "Demands", "history": "History", "deadletter_resubmit": "Correct and re-submit",
    "deadletter_dismiss": "Dismiss", "resolved_by": "Resolved by", "resolved": "Resolved", "unresolved": "Open",
    "corrected_body": "Corrected ticket",
    "letter_erased": "The caller's details were erased (their key is destroyed); to re-submit, enter the whole ticket",
    "inbox_title": "Deputy inbox", "wishes_title": "Micro-wishes to claim",
    "accept": "Accept", "answer": "Answer", "forward": "Forward", "to_suggestion": "Turn into a suggestion",
    "forward_to": "Forward to", "claim": "Claim", "fund": "Funded", "fulfil": "Fulfilled", "visit": "Return visit",
    "funding_source": "Funding source", "source_social_donor": "Social donor", "source_deputy": "Deputy",
    "source_special_fund": "Special fund", "amount": "Amount (CNY)", "satisfaction": "Satisfaction",
    "stranded_title": "Stranded demands",
    "stranded_help": "Demands with no owner or no movement for more than {days} days (rule set version {version}).",
    "stranded_no_owner": "No owner", "stranded_no_movement": "No movement", "idle_days": "Idle days",
    "owner": "Owner", "rules_version": "Rule set version", "open_demand": "Open", "nothing_here": "Nothing here.",
    "nav_queue": "Queue", "nav_merge": "Merge workspace", "nav_deadletters": "Dead letters",
    "nav_stranded": "Stranded", "nav_inbox": "Deputy inbox", "count_total": "{n} in all",
    "hotline_ticket": "12345 ticket",
}
MESSAGES = {"zh": ZH, "en": EN}
