"""What a page says when something is refused: in the page's language, never a raw key, never pydantic's
English, never JSON.

* Domain refusals (``RuleViolation``) are written ``中文 / English``: :func:`refusal_text` picks the half
  for the page's language (a message with no Chinese half is a defect: the tests of each page look for
  Chinese). Refusals of the JSON API keep both halves.
* Form validation: :func:`validation_text` turns pydantic's errors into one sentence per field, named by
  the form's own labels (``{"investment": "投资额（元）"}``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

_CJK = re.compile(r"[\u3400-\u9fff]")


def has_chinese(text: str) -> bool:
    return bool(_CJK.search(text))


def refusal_text(message: str, lang: str = "zh") -> str:
    """``'表决已结束 / the vote is closed'`` -> ``'表决已结束'`` (zh) or ``'the vote is closed'`` (en).

    The halves part at the first `` / `` with Chinese before it and English after it (a Latin letter,
    digit or bracket first): the English half may name a town in Chinese ("the fund of 台城街道 ...")."""
    start = 0
    while (at := message.find(" / ", start)) >= 0:
        head, tail = message[:at], message[at + 3 :]
        if has_chinese(head) and tail[:1].isascii() and tail[:1] not in ("", " ") and has_latin(tail):
            return head.strip() if lang == "zh" else tail.strip()
        start = at + 3
    return message


def has_latin(text: str) -> bool:
    return any("a" <= c.lower() <= "z" for c in text)


# pydantic's error types -> (zh, en); {label} and the error's context ({min_length}, {ge} ...) are filled in
_TYPES: dict[str, tuple[str, str]] = {
    "missing": ("请填写{label}", "{label} is required"),
    "string_too_short": ("{label}至少 {min_length} 个字", "{label}: at least {min_length} characters"),
    "string_too_long": ("{label}最多 {max_length} 个字", "{label}: at most {max_length} characters"),
    "too_short": ("{label}至少选 {min_length} 项", "{label}: choose at least {min_length}"),
    "too_long": ("{label}最多选 {max_length} 项", "{label}: choose at most {max_length}"),
    "greater_than_equal": ("{label}不能小于 {ge}", "{label} must be at least {ge}"),
    "greater_than": ("{label}须大于 {gt}", "{label} must be more than {gt}"),
    "less_than_equal": ("{label}不能大于 {le}", "{label} must be at most {le}"),
    "less_than": ("{label}须小于 {lt}", "{label} must be less than {lt}"),
    "int_parsing": ("{label}须为整数", "{label} must be a whole number"),
    "int_from_float": ("{label}须为整数", "{label} must be a whole number"),
    "float_parsing": ("{label}须为数字", "{label} must be a number"),
    "decimal_parsing": ("{label}须为数字", "{label} must be a number"),
    "decimal_max_places": ("{label}最多 {decimal_places} 位小数", "{label}: at most {decimal_places} decimals"),
    "date_parsing": ("{label}须为日期，如 2026-01-31", "{label} must be a date like 2026-01-31"),
    "date_from_datetime_parsing": ("{label}须为日期，如 2026-01-31", "{label} must be a date like 2026-01-31"),
    "datetime_parsing": ("{label}须为日期时间", "{label} must be a date and time"),
    "datetime_from_date_parsing": ("{label}须为日期时间", "{label} must be a date and time"),
    "uuid_parsing": ("请从列表中选择{label}", "choose {label} from the list"),
    "literal_error": ("{label}不在可选范围内", "{label} is not one of the choices"),
    "enum": ("{label}不在可选范围内", "{label} is not one of the choices"),
    "bool_parsing": ("{label}须为“是”或“否”", "{label} must be yes or no"),
    "string_pattern_mismatch": ("{label}格式不正确", "{label} is not in the expected form"),
    "extra_forbidden": ("不认识的字段：{label}", "unknown field: {label}"),
    "url_parsing": ("{label}须为网址", "{label} must be a web address"),
}
_FALLBACK = ("{label}填写有误", "{label} is not valid")


def validation_text(errors: Iterable[Mapping[str, Any]], labels: Mapping[str, str], lang: str = "zh") -> list[str]:
    """One sentence per error, in ``lang``: ``[{"type": "missing", "loc": ("body", "name")}]`` with
    ``{"name": "项目名称"}`` -> ``["请填写项目名称"]``. A field without a label is named by its last
    location part (so give every field a label)."""
    out: list[str] = []
    for error in errors:
        loc = [str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path", "form")]
        field = ".".join(loc)
        label = labels.get(field) or labels.get(loc[-1] if loc else "", loc[-1] if loc else "")
        kind = str(error.get("type", ""))
        if kind == "value_error":  # our own validators raise '中文 / English' messages
            message = str(error.get("ctx", {}).get("error", error.get("msg", "")))
            text = refusal_text(message, lang)
            out.append(f"{label}：{text}" if label and lang == "zh" else f"{label}: {text}" if label else text)
            continue
        zh, en = _TYPES.get(kind, _FALLBACK)
        context = {k: v for k, v in (error.get("ctx") or {}).items() if isinstance(v, (int, float, str))}
        try:
            out.append((zh if lang == "zh" else en).format(label=label, **context))
        except (KeyError, IndexError):
            out.append((_FALLBACK[0] if lang == "zh" else _FALLBACK[1]).format(label=label))
    return out
