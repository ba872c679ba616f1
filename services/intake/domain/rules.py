"""Intake's configurable rules (pure): categories, tracking codes, routing to a tier, deadlines,
the stranded threshold and duplicate likeness. Every number is a per-county default (``DEFAULTS``),
revised through ``PUT /intake/api/counties/{c}/rules``; decisions record the version used."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Literal, get_args

from services.intake.domain.similarity import DEFAULT_THRESHOLD, SimilarityIndex
from shared.kernel.ranges import Between, Names, NamesByName, Range

# 诉求 categories offered on the form and as Open311 services.
CATEGORIES: dict[str, dict[str, str]] = {
    "roads": {"zh": "道路交通", "en": "Roads and traffic"},
    "water": {"zh": "供水排水", "en": "Water and drainage"},
    "housing": {"zh": "老旧小区改造", "en": "Old housing renovation"},
    "elderly": {"zh": "养老服务", "en": "Elderly care"},
    "education": {"zh": "教育", "en": "Education"},
    "health": {"zh": "医疗卫生", "en": "Health"},
    "environment": {"zh": "环境卫生", "en": "Environment and sanitation"},
    "safety": {"zh": "公共安全", "en": "Public safety"},
    "culture": {"zh": "文体设施", "en": "Culture and sports"},
    "other": {"zh": "其他", "en": "Other"},
}

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone
CODE_LENGTH = 10

Scope = Literal["household", "community", "town", "county"]  # scope of impact, smallest first
SCOPES: tuple[Scope, ...] = get_args(Scope)
TIERS = ("department", "micro_wish", "micro", "major")  # smallest first: escalation moves right

DEFAULTS: dict[str, Any] = {
    "micro_project_cap": 100_000,  # CNY per micro project (seed 000: 10万元)
    "micro_wish_cap": 5_000,  # CNY a deputy or donor can fund for one wish
    "consultation_reply_hours": 24,  # seed 003: 咨询类诉求24小时内答复
    "stranded_days": 14,  # no owner or no movement for longer than this
    # likeness (0..1, similarity.py) from which a demand of the same town and category is suggested as a duplicate;
    # until 2026-12 the rule was "duplicate_similarity" (0.55) on another measure's scale: no longer read
    "duplicate_threshold": DEFAULT_THRESHOLD,
    "major_categories": ["housing", "elderly", "education", "health"],  # county-wide by nature when common
    "deputy_areas": {},  # town/street -> deputies (token subjects) who receive its demands
}

DAYS, HOURS, CNY = ("天", "days"), ("小时", "hours"), ("元", "CNY")
# What a county may set (``PUT /intake/api/counties/{c}/rules``): refused outside, with the reason.
RANGES: dict[str, Range] = {
    "micro_project_cap": Between(0, 1_000_000_000, whole=True, unit=CNY),
    "micro_wish_cap": Between(0, 10_000_000, whole=True, unit=CNY),
    "consultation_reply_hours": Between(1, 720, whole=True, unit=HOURS),
    "stranded_days": Between(1, 365, whole=True, unit=DAYS),
    "duplicate_threshold": Between(0, 1),
    "major_categories": Names(len(CATEGORIES), choices=tuple(CATEGORIES)),
    "deputy_areas": NamesByName(keys=500, items=200),
}


def new_tracking_code(token_bytes: Callable[[int], bytes] = secrets.token_bytes) -> str:
    """10 characters from a 32-letter alphabet: each random byte modulo 32, which is unbiased (256 = 8 x 32)."""
    return "".join(CODE_ALPHABET[b % len(CODE_ALPHABET)] for b in token_bytes(CODE_LENGTH))


def is_tracking_code(value: str) -> bool:
    return len(value) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in value.upper())


SCOPE_ZH = {"household": "个人/家庭", "community": "社区/村", "town": "乡镇/街道", "county": "全县"}


def route(kind: str, scope: str, estimate: int, category: str, rules: dict[str, Any]) -> tuple[str, str]:
    """(tier, reason) by scope of impact, money and category (五级响应 in spirit); the reason is Chinese
    (it is shown on the resident's tracking page), the tier the machine's key."""
    cap, wish_cap = int(rules["micro_project_cap"]), int(rules["micro_wish_cap"])
    if scope not in SCOPES:
        raise ValueError(f"请选择影响范围 / unknown scope {scope!r}; one of {', '.join(SCOPES)}")
    if estimate < 0:
        raise ValueError("估算金额不能为负数 / the estimate cannot be negative")
    if scope == "county" or estimate > cap:
        why = "影响全县" if scope == "county" else f"估算 {estimate} 元超过微实事上限 {cap} 元"
        return "major", f"{why} → 票决实事项目"
    if kind in ("consultation", "individual") and scope == "household":
        return "department", "个性问题立行立改 → 部门直接办理"
    if kind == "micro_wish":
        if scope == "household" and estimate <= wish_cap:
            return "micro_wish", f"个人/小群体心愿，估算 {estimate} 元 ≤ {wish_cap} 元 → 微心愿"
        why = (
            f"影响范围为{SCOPE_ZH[scope]}"
            if scope != "household"
            else f"估算 {estimate} 元超过微心愿上限 {wish_cap} 元"
        )
        return "micro", f"{why} → 民生微实事"
    if kind == "project_suggestion" and category in rules["major_categories"] and scope == "town":
        name = CATEGORIES.get(category, {}).get("zh", category)
        return "major", f"{name}类共性问题覆盖整个乡镇/街道 → 票决实事项目"
    return "micro", f"共性问题形成建议，影响范围{SCOPE_ZH[scope]}，估算 {estimate} 元 ≤ {cap} 元 → 民生微实事"


def outgrows(current: str, new: str) -> bool:
    """True when ``new`` is a higher tier than ``current`` (automatic escalation)."""
    return bool(current) and TIERS.index(new) > TIERS.index(current)


def reply_due(kind: str, submitted_at: datetime, rules: dict[str, Any]) -> datetime | None:
    if kind != "consultation":
        return None
    return submitted_at + timedelta(hours=float(rules["consultation_reply_hours"]))


def is_stranded(doc: dict[str, Any], now: datetime, rules: dict[str, Any]) -> str:
    """Why a demand is stranded ('' if it is not): no owner, or no movement for N days."""
    if doc["status"] in ("closed", "duplicate", "merged", "completed", "rated"):
        return ""
    idle = now - datetime.fromisoformat(doc["last_moved_at"])
    days = int(rules["stranded_days"])
    if not doc.get("owner") and idle > timedelta(days=days):
        return "no_owner"
    if idle > timedelta(days=days):
        return "no_movement"
    return ""


def likely_duplicates(
    doc: dict[str, Any], others: list[dict[str, Any]], rules: dict[str, Any], limit: int = 10
) -> list[tuple[float, dict[str, Any]]]:
    """Same town, same category, a similar text (the same problem at the same place): the likely
    duplicates of ``doc``, best first, with their likeness rounded to 3 places. The IDF is learnt from
    the candidates themselves (the county's open demands of that town and category)."""
    candidates = {
        other["id"]: other
        for other in others
        if other["town"] == doc["town"]
        and other["category"] == doc["category"]
        and other["status"] not in ("duplicate", "closed")
    }
    candidates.setdefault(doc["id"], doc)
    index = SimilarityIndex((d["id"], d["text"]) for d in candidates.values())
    found = index.likely(doc["text"], k=limit, threshold=float(rules["duplicate_threshold"]), exclude={doc["id"]})
    return [(round(score, 3), candidates[doc_id]) for score, doc_id in found]
