"""What evaluation's pages say back after a form: a refusal in the page's language (the half of a
``中文 / English`` rule message; never a raw exception's English, never JSON), carried on the redirect;
and form fields read with a Chinese sentence when they are not what they should be."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse

from shared.persistence.application import NotFound
from shared.web.i18n import language
from shared.web.refusals import has_chinese, refusal_text


def refusal_of(exc: Exception) -> str:
    if isinstance(exc, NotFound):
        return "没有找到这条记录 / not found"
    text = str(exc)
    return text if has_chinese(text.partition(" / ")[0]) else f"填写的内容有误，请检查后再提交 / {text}"


def back_with(back: str, exc: Exception) -> RedirectResponse:
    sep = "&" if "?" in back else "?"
    return RedirectResponse(f"{back}{sep}error={quote(refusal_of(exc))}", status_code=303)


def problem_of(request: Request, message: str = "") -> dict[str, str] | None:
    text = message or request.query_params.get("error", "")
    return {"title": refusal_text(text, language(request)), "detail": ""} if text else None


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
