"""Decision's rules by name, with what each does (the county rules page, ``shared/web/rules_pages.py``)."""

from __future__ import annotations

from shared.web.rules_pages import RuleText

RULE_TEXTS = {
    "micro_cap_cny": RuleText(
        "微实事单项投资上限（元）",
        "代表提出的微实事投资不得超过此额；超过的转为项目建议，按票决实事项目办理（默认 10 万元）。",
        "Micro project cap (CNY)",
        "A micro proposal may not cost more; above it the proposal is escalated as a project suggestion.",
    ),
    "competitive_margin": RuleText(
        "差额比例下限",
        "差额表决时，（候选项目数 − 应选项目数）÷ 应选项目数 不得低于此比例；0.1 即 10%。",
        "Competitive margin",
        "In a competitive vote, (candidates − seats) / seats may not be below this share; 0.1 is 10%.",
    ),
    "quorum_fraction": RuleText(
        "法定人数比例",
        "实到代表须超过代表名册人数的此比例，表决才有效（默认过半数：0.5）。",
        "Quorum",
        "More than this share of the roll must be present for a vote to count (default: more than half).",
    ),
    "adopt_fraction": RuleText(
        "通过比例",
        "候选项目的赞成票须超过实到代表的此比例才能通过；恰好半数不通过（默认 0.5）。",
        "Adoption share",
        "A candidate passes only with yes-votes above this share of those present; exactly half fails.",
    ),
    "micro_decline_days": RuleText(
        "微实事答复期限（天）",
        "代表提出微实事后，政府须在此期限内决定承办或不予实施，逾期列为超期。",
        "Micro answer days",
        "The government accepts or declines a micro proposal within this many days, else it is overdue.",
    ),
    "yes_limited_to_seats": RuleText(
        "赞成票不得多于应选数",
        "是：一张选票的赞成项多于应选项目数即为无效，电子表决直接拒收。",
        "Yes-marks limited to seats",
        "Yes: a ballot with more yes-marks than seats is invalid (refused electronically).",
    ),
    "micro_fund_required": RuleText(
        "微实事须有专项资金",
        "是：批准微实事前，所在乡镇（街道）当年须已安排微实事专项资金。",
        "Micro fund required",
        "Yes: approving a micro project needs that year's fund of its town or street.",
    ),
}
