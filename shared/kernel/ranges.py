"""The range of every rule value (pure): what a county may set, and what the services use.

Each service's ``rules.py`` gives ``RANGES``, one :class:`Range` per rule in ``DEFAULTS``. A revision
outside a range is refused with the reason in Chinese and in English (:func:`check_values`); a value
stored before ranges existed, or otherwise out of range, is used as its nearest bound (numbers) or
as the default (anything else) wherever rules are read (:func:`effective`), so no county's rule can
overflow a date or stop a sweep.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from shared.kernel.meta import RuleViolation

Why = tuple[str, str]  # (Chinese, English)


class Range(ABC):
    """What one rule may hold. ``problem`` says why a value does not fit (or None); ``nearest`` is
    the value used in its place."""

    @abstractmethod
    def problem(self, value: Any) -> Why | None:
        """Why ``value`` does not fit (Chinese, English), or None when it does."""

    def nearest(self, value: Any, default: Any) -> Any:
        return default

    @abstractmethod
    def describe(self) -> dict[str, Any]:
        """The range as the rules pages and the API show it."""


def _number(value: Any) -> Fraction | None:
    """An int, a float or a fraction written as text ("2/3"); None for anything else (bools too)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | str):
        try:
            return Fraction(str(value))
        except (ValueError, ZeroDivisionError):
            return None
    return None


@dataclass(frozen=True)
class Between(Range):
    """A number from ``low`` to ``high`` (``high`` itself excluded when ``open_high``); ``whole``: an integer."""

    low: int | float | str
    high: int | float | str
    whole: bool = False
    open_high: bool = False
    unit: tuple[str, str] = ("", "")

    def _bounds(self) -> tuple[Fraction, Fraction]:
        return Fraction(str(self.low)), Fraction(str(self.high))

    def problem(self, value: Any) -> Why | None:
        number = _number(value)
        if number is None or (self.whole and (not isinstance(value, int) or isinstance(value, bool))):
            kind = ("整数", "a whole number") if self.whole else ("数值", "a number")
            return f"须为{kind[0]}", f"must be {kind[1]}"
        low, high = self._bounds()
        if number < low or number > high or (self.open_high and number == high):
            zh_unit, en_unit = self.unit
            upper_zh = f"小于 {self.high}" if self.open_high else f"不大于 {self.high}"
            upper_en = f"below {self.high}" if self.open_high else f"at most {self.high}"
            return (
                f"须不小于 {self.low} 且{upper_zh}{zh_unit}（收到 {value}）",
                f"must be at least {self.low} and {upper_en}{(' ' + en_unit) if en_unit else ''} (got {value})",
            )
        return None

    def nearest(self, value: Any, default: Any) -> Any:
        number = _number(value)
        if number is None:
            return default
        low, high = self._bounds()
        if number < low:
            return self.low
        if number > high or (self.open_high and number == high):
            return default if self.open_high else self.high
        return value

    def describe(self) -> dict[str, Any]:
        return {"min": self.low, "max": self.high, "max_excluded": self.open_high, "integer": self.whole}


@dataclass(frozen=True)
class MonthDay(Range):
    """A day of the year as ``MM-DD`` (02-29 allowed)."""

    def problem(self, value: Any) -> Why | None:
        try:
            m, d = str(value).split("-")
            date(2024, int(m), int(d))  # a leap year: 02-29 is a valid day
        except ValueError:
            return f"须为月-日（MM-DD），收到 {value}", f"must be a month and day, MM-DD (got {value})"
        return None

    def describe(self) -> dict[str, Any]:
        return {"format": "MM-DD"}


@dataclass(frozen=True)
class Flag(Range):
    def problem(self, value: Any) -> Why | None:
        return None if isinstance(value, bool) else ("须为是或否（true/false）", "must be true or false")

    def describe(self) -> dict[str, Any]:
        return {"type": "boolean"}


@dataclass(frozen=True)
class Names(Range):
    """A list of at most ``items`` texts of at most ``length`` characters, from ``choices`` if given."""

    items: int
    length: int = 40
    choices: tuple[str, ...] = ()

    def problem(self, value: Any) -> Why | None:
        if not isinstance(value, list) or not all(isinstance(v, str) and 0 < len(v) <= self.length for v in value):
            return (
                f"须为文字列表，每项 1 至 {self.length} 个字符",
                f"must be a list of texts of 1 to {self.length} characters",
            )
        if len(value) > self.items:
            return (
                f"最多 {self.items} 项（收到 {len(value)} 项）",
                f"holds at most {self.items} items (got {len(value)})",
            )
        unknown = sorted(set(value) - set(self.choices)) if self.choices else []
        if unknown:
            return (
                f"须取自已知项，收到未知项：{', '.join(unknown)}",
                f"must hold known items only (unknown: {', '.join(unknown)})",
            )
        return None

    def describe(self) -> dict[str, Any]:
        return {
            "max_items": self.items,
            "max_length": self.length,
            **({"choices": list(self.choices)} if self.choices else {}),
        }


@dataclass(frozen=True)
class NamesByName(Range):
    """A mapping of at most ``keys`` names, each to a list of at most ``items`` names (e.g. town → deputies)."""

    keys: int
    items: int
    length: int = 64

    def problem(self, value: Any) -> Why | None:
        inner = Names(self.items, self.length)
        if not isinstance(value, dict) or not all(isinstance(k, str) and 0 < len(k) <= self.length for k in value):
            return "须为名称到列表的映射", "must map names to lists"
        if len(value) > self.keys:
            return (
                f"最多 {self.keys} 项（收到 {len(value)} 项）",
                f"holds at most {self.keys} entries (got {len(value)})",
            )
        for item in value.values():
            why = inner.problem(item)
            if why is not None:
                return why
        return None

    def describe(self) -> dict[str, Any]:
        return {"max_keys": self.keys, "max_items": self.items, "max_length": self.length}


class RuleOutOfRange(RuleViolation):
    """A rule value a county may not set: the message in Chinese and in English."""

    reason = "rule_out_of_range"

    def __init__(self, rule: str, why: Why) -> None:
        zh, en = why
        super().__init__(f"规则 {rule} {zh}。Rule {rule} {en}.")
        self.rule = rule
        self.messages = {"zh": f"规则 {rule} {zh}", "en": f"Rule {rule} {en}"}


def check_values(values: Mapping[str, Any], ranges: Mapping[str, Range]) -> None:
    """Refuse (:class:`RuleOutOfRange`) the first value, in rule order, outside its range."""
    for rule, allowed in ranges.items():
        if rule in values:
            why = allowed.problem(values[rule])
            if why is not None:
                raise RuleOutOfRange(rule, why)


def effective(values: Mapping[str, Any], defaults: Mapping[str, Any], ranges: Mapping[str, Range]) -> dict[str, Any]:
    """``values`` as the services use them: each out-of-range value replaced by its nearest allowed one."""
    out = dict(values)
    for rule, allowed in ranges.items():
        if rule in out and allowed.problem(out[rule]) is not None:
            out[rule] = allowed.nearest(out[rule], defaults.get(rule))
    return out


def out_of_range(values: Mapping[str, Any], ranges: Mapping[str, Range]) -> list[str]:
    """The rules whose stored value lies outside its range (stored before ranges existed)."""
    return [rule for rule, allowed in ranges.items() if rule in values and allowed.problem(values[rule]) is not None]
