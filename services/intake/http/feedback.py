"""Intake's form fields read with a refusal naming the field (the refusals themselves:
shared/web/feedback.py)."""

from __future__ import annotations


def whole_number(value: str, label_zh: str, label_en: str) -> int:
    """A form's whole number (empty: 0), or a refusal naming the field."""
    try:
        return int(value or 0)
    except ValueError:
        raise ValueError(f"{label_zh}须为整数 / {label_en} must be a whole number") from None
