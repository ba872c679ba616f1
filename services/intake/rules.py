"""Intake's configurable rules (pure): categories and the alphabet of tracking codes."""

from __future__ import annotations

import secrets

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


def new_tracking_code(randbelow=secrets.randbelow) -> str:
    return "".join(CODE_ALPHABET[randbelow(len(CODE_ALPHABET))] for _ in range(CODE_LENGTH))


def is_tracking_code(value: str) -> bool:
    return len(value) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in value.upper())
