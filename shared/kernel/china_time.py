"""Business dates are dates in China (Asia/Shanghai, UTC+8), whatever the server's clock zone.

Clocks and the event store keep instants in UTC; a session closing, a plan filed, a deadline or a
"today" is a calendar day in China. Every such day is derived here, never with ``.date()`` on a UTC
instant (which, between 00:00 and 08:00 China time, gives yesterday) nor with ``date.today()`` (the
server's own zone). Pure: the standard library only, so every domain may import it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def _china_zone() -> tzinfo:
    try:
        return ZoneInfo("Asia/Shanghai")
    except ZoneInfoNotFoundError:  # no tz database (a slim image, Windows without tzdata)
        return timezone(timedelta(hours=8), "CST")  # China has kept UTC+8 without DST since 1991


CHINA: tzinfo = _china_zone()


def china_time(moment: datetime | str) -> datetime:
    """``moment`` in China's zone. A naive datetime (or an ISO string without an offset) is UTC,
    the time the event store records."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(CHINA)


def china_date(moment: datetime | date | str) -> date:
    """The calendar day in China of an instant: ``2026-01-19T16:30Z`` -> ``2026-01-20``.

    A plain date (or a ``YYYY-MM-DD`` string) is already a business date and is returned as it is."""
    if isinstance(moment, str) and len(moment) == 10:
        return date.fromisoformat(moment)
    if isinstance(moment, date) and not isinstance(moment, datetime):
        return moment
    return china_time(moment).date()


def china_month(moment: datetime | date | str) -> str:
    """The month in China of an instant, as ``YYYY-MM``."""
    day = china_date(moment)
    return f"{day.year:04d}-{day.month:02d}"


def china_now() -> datetime:
    """Now, in China's zone: for tools and defaults outside a service (a service asks its clock)."""
    return datetime.now(UTC).astimezone(CHINA)


def china_today() -> date:
    """Today in China: for tools outside a service (a service's ``today`` comes from its clock)."""
    return china_now().date()
