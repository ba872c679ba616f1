"""Evaluation's rules by name, with what each does (the county rules page, ``shared/web/rules_pages.py``).
The county's towns and streets are offered from the MCA registry."""

from __future__ import annotations

from collections.abc import Mapping

from shared import divisions
from shared.web.rules_pages import RuleText


def towns(county: str) -> Mapping[str, str]:
    return {name: name for _, name in divisions.towns_of(county)}


RULE_TEXTS = {
    "satisfied_more_than": RuleText(
        "“满意”票比例",
        "满意票超过参加测评代表的此比例，评为“满意”；恰好等于不算超过（默认 2/3）。",
        "Satisfied share",
        "Satisfied ballots above this share of the deputies rating make the verdict 'satisfied' (default 2/3).",
    ),
    "unsatisfied_more_than": RuleText(
        "“不满意”票比例",
        "不满意票超过此比例，评为“不满意”，须限期整改（默认 1/2）。",
        "Unsatisfied share",
        "Unsatisfied ballots above this share make the verdict 'unsatisfied' (default 1/2).",
    ),
    "rectification_months": RuleText(
        "整改期限（月）",
        "评为“不满意”的项目，政府须在会议闭幕后此月数内报告整改情况（默认 3 个月）。",
        "Rectification (months)",
        "An unsatisfied project's rectification report is due this many months after the session closed.",
    ),
    "rate_micro_projects": RuleText(
        "微实事参加满意度测评",
        "是：已完成的民生微实事也列入代表满意度测评。",
        "Rate micro projects",
        "Yes: completed micro projects are rated by the deputies too.",
    ),
    "lookback_months": RuleText(
        "回头看时间（月）",
        "项目完成此月数后进行“翌年回头看”（默认 12 个月）。",
        "Look back after (months)",
        "A project is looked back on this many months after completion.",
    ),
    "towns": RuleText(
        "本县乡镇（街道）",
        "计算票决覆盖率的乡镇和街道名单（分母）；可从民政部区划中勾选。",
        "The county's towns and streets",
        "The towns and streets counted for vote coverage (the denominator).",
        labels=towns,
    ),
}
