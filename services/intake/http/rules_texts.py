"""Intake's rules by name, with what each does (the county rules page, ``shared/web/rules_pages.py``).
Categories show by their Chinese names, deputies by their names from the registry."""

from __future__ import annotations

from collections.abc import Mapping

from services.intake.domain.rules import CATEGORIES
from services.intake.read.registry import DEPUTY
from shared.views.store import ViewStore
from shared.web.rules_pages import RuleText


def rule_texts(views: ViewStore) -> dict[str, RuleText]:
    def categories(county: str) -> Mapping[str, str]:
        return {key: names["zh"] for key, names in CATEGORIES.items()}

    def deputies(county: str) -> Mapping[str, str]:
        return {d["deputy_id"]: d["name"] for d in views.list(DEPUTY, county)}

    return {
        "micro_project_cap": RuleText(
            "微实事单项投资上限（元）",
            "估算投资不超过此额、影响范围在乡镇（街道）以内的共性问题分流为民生微实事；超过的升级为票决实事项目"
            "（默认 10 万元）。",
            "Micro project cap (CNY)",
            "Common problems estimated at most this much, within a town or street, go to micro projects; "
            "above it they go to the vote.",
        ),
        "micro_wish_cap": RuleText(
            "微心愿金额上限（元）",
            "个人或小群体的心愿估算不超过此额的，作为微心愿由代表认领；超过的作为微实事办理。",
            "Micro-wish cap (CNY)",
            "A wish of one person or a small group up to this much is a micro-wish for deputies to claim.",
        ),
        "consultation_reply_hours": RuleText(
            "咨询类诉求答复时限（小时）",
            "咨询类诉求须在此时限内答复，逾期即预警并排在待办前列（默认 24 小时）。",
            "Consultation reply hours",
            "Consultations are answered within this many hours; an overdue one is flagged and heads the queue.",
        ),
        "stranded_days": RuleText(
            "诉求搁置天数",
            "无人负责或超过此天数没有进展的诉求列入“搁置诉求”清单。",
            "Stranded after (days)",
            "A demand with no owner, or no movement for longer than this, is listed as stranded.",
        ),
        "duplicate_threshold": RuleText(
            "重复诉求提示阈值",
            "同一乡镇（街道）、同一类别的诉求，按字词与地名、问题词计算的相似度达到此值（0 至 1）时提示可能重复。",
            "Duplicate threshold",
            "Demands of the same town and category whose likeness (characters, places and problem words) is at "
            "least this (0 to 1) are suggested as duplicates.",
        ),
        "major_categories": RuleText(
            "票决实事类别",
            "这些类别中覆盖整个乡镇（街道）的共性问题，分流为票决实事项目。",
            "Categories for the vote",
            "Town-wide common problems in these categories go to the vote.",
            labels=categories,
        ),
        "deputy_areas": RuleText(
            "代表接单范围",
            "每个乡镇（街道）的诉求推送给哪些代表（代表线上接单）；每行写一个乡镇（街道）和代表姓名。",
            "Deputies' areas",
            "Which deputies receive the demands of each town or street: one town per line with the deputies' names.",
            labels=deputies,
        ),
    }
