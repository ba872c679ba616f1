"""Business time declared for an entry made after the fact (补录).

Every event keeps two times: the business time it is about (``Meta.occurred_at``) and the time the
store recorded it. A request normally happens when it is made, so both are the clock's. An official
entering last month's paperwork (an inspection held on 3 March, typed in on 10 April) says when it
happened with the header ``Shishi-Business-Time`` (an ISO date-time; without an offset it is China
time; a bare date means noon China time that day). The request is checked:

- only officials (congress staff, a responsible unit, a deputy, an administrator, also acting as the
  presidium or a teller) may declare it:
  a resident's or an anonymous request is refused 403 ``business_time_forbidden``;
- not in the future (422 ``business_time_in_future``), not before 2000-01-01 and not more than
  ``SHISHI_BUSINESS_TIME_MAX_DAYS`` (default 730) days back (422 ``business_time_too_old``); 0 turns
  declared business times off (403 ``business_time_disabled``);

and recorded as such: the event's ``Meta.entered_late`` is true, its recorded time stays the
store's, and the audit pages mark it 补录 beside both times. The domain's rules then judge the entry
at its business time (a plan declared filed on day 20 is on time), which is what an after-the-fact
entry means; that it was entered late is never hidden.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from shared.web.problems import Problem
from shared.web.templating import CHINA

HEADER = "shishi-business-time"
DEFAULT_MAX_DAYS = 730
OFFICIALS = frozenset({"congress_staff", "gov_unit", "deputy", "admin"})
EARLIEST = datetime(2000, 1, 1, tzinfo=CHINA)


def parse_business_time(text: str) -> datetime:
    """``2025-03-01T10:00:00+08:00`` as given; naive: China time; ``2025-03-01``: noon China time."""
    text = text.strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(12), tzinfo=CHINA)
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise Problem(
            422,
            "Invalid request",
            f"业务时间须为 ISO 日期或日期时间 / {HEADER} must be an ISO date or date-time (got {text!r})",
            reason="invalid_business_time",
        ) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=CHINA)


def is_official(roles: object, actor_role: str) -> bool:
    """An official acting as one (congress staff acting as the presidium or a teller too), never on a
    resident's behalf (a public form filled in by anyone is the resident's)."""
    held = {str(r) for r in roles} if isinstance(roles, (set, frozenset, list, tuple)) else set()
    return bool(held & OFFICIALS) and actor_role not in ("resident", "voter", "anonymous")


def declared_business_time(
    header: str | None, official: bool, now: datetime, max_days: int = DEFAULT_MAX_DAYS
) -> datetime | None:
    """The business time a request declares (None: it declares none), checked against ``now``."""
    if header is None or not header.strip():
        return None
    if not official:
        raise Problem(
            403,
            "Forbidden",
            "只有工作人员补录时可声明业务时间 / only officials entering after the fact may declare a business time",
            reason="business_time_forbidden",
        )
    if max_days <= 0:
        raise Problem(
            403,
            "Forbidden",
            "本系统未开放补录业务时间 / declared business times are turned off here",
            reason="business_time_disabled",
        )
    moment = parse_business_time(header)
    current = now if now.tzinfo else now.replace(tzinfo=UTC)
    if moment > current:
        raise Problem(
            422,
            "Invalid request",
            f"业务时间不能晚于现在 / the business time {moment.isoformat()} is in the future",
            reason="business_time_in_future",
        )
    if moment < max(EARLIEST, current - timedelta(days=max_days)):
        raise Problem(
            422,
            "Invalid request",
            f"业务时间最多可追溯 {max_days} 天 / the business time may be at most {max_days} days back",
            reason="business_time_too_old",
        )
    return moment
