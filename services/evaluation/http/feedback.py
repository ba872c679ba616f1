"""Evaluation's form fields read with a Chinese sentence when they are not what they should be (the
refusals carried back to a page: shared/web/feedback.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any


def whole(form: Any, key: str, label: tuple[str, str], default: int | None = None) -> int:
    """A whole number ≥ 0 from a form field (``label``: its name in Chinese and English)."""
    raw = str(form.get(key) or "").strip()
    if not raw and default is not None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{label[0]}须为整数 / {label[1]} must be a whole number") from None
    if value < 0:
        raise ValueError(f"{label[0]}不能为负数 / {label[1]} cannot be negative")
    return value


def day(form: Any, key: str, label: tuple[str, str]) -> date:
    try:
        return date.fromisoformat(str(form.get(key) or "").strip())
    except ValueError:
        raise ValueError(f"{label[0]}须为日期，如 2026-01-31 / {label[1]} must be a date like 2026-01-31") from None


def percent(form: Any, key: str, label: tuple[str, str]) -> Decimal:
    """A percentage typed 0–100, as a share 0–1."""
    try:
        value = Decimal(str(form.get(key) or "").strip())
    except InvalidOperation:
        raise ValueError(f"{label[0]}须为 0 到 100 之间的数 / {label[1]} must be a number from 0 to 100") from None
    if not Decimal(0) <= value <= Decimal(100):
        raise ValueError(f"{label[0]}须为 0 到 100 之间的数 / {label[1]} must be a number from 0 to 100")
    return value / 100


def yes_no(form: Any, key: str, label: tuple[str, str]) -> bool:
    raw = str(form.get(key) or "")
    if raw not in ("yes", "no"):
        raise ValueError(f"请选择{label[0]}：是或否 / {label[1]}: choose yes or no")
    return raw == "yes"
