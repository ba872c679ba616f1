"""Values refused at the door: a county the registry does not know, a date no project can have.

Request models and the hotline's ticket use these types, so such a value is answered 422 (or, from
the hotline, dead-lettered with its reason at once) instead of being stored and failing later, as a
completion dated 9999-12-31 did in evaluation ("year 10000 is out of range").
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field
from pydantic_core import PydanticCustomError

from shared import divisions
from shared.contracts.envelope import COUNTY_PATTERN

EARLIEST = date(2000, 1, 1)  # nothing this product records happened before
LATEST = date(2100, 12, 31)  # a deadline, plan or completion further out is a typing error
FUTURE_SLACK = timedelta(days=1)  # a moment something was received may run ahead of our clock by a day at most


def known_county(code: str) -> str:
    if not divisions.is_county(code):
        raise PydanticCustomError(
            "unknown_county",
            "unknown county {code}: not a county-level division of China (MCA codes, edition {edition})",
            {"code": code, "edition": divisions.EDITION},
        )
    return code


def known_town(county: str, town: str) -> str:
    """The name of ``town`` (a name or a 9-digit code) among the county's towns and streets."""
    for code, name in divisions.towns_of(county):
        if town in (code, name):
            return name
    raise PydanticCustomError(
        "unknown_town",
        "unknown town or street {town} in county {county} (MCA codes, edition {edition})",
        {"town": town, "county": county, "edition": divisions.EDITION},
    )


def plausible_date(day: date) -> date:
    if not EARLIEST <= day <= LATEST:
        raise PydanticCustomError(
            "date_out_of_range",
            "date {day} is outside {earliest} .. {latest}",
            {"day": day.isoformat(), "earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()},
        )
    return day


def past_moment(moment: datetime) -> datetime:
    """A moment something already happened: from 2000-01-01 to a day after now (the wall clock)."""
    earliest = datetime(EARLIEST.year, EARLIEST.month, EARLIEST.day, tzinfo=UTC)
    latest = datetime.now(UTC) + FUTURE_SLACK
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    if not earliest <= aware <= latest:
        raise PydanticCustomError(
            "date_out_of_range",
            "moment {moment} is outside {earliest} .. now + 1 day",
            {"moment": moment.isoformat(), "earliest": earliest.isoformat()},
        )
    return moment


def not_before_2000(moment: datetime) -> datetime:
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    if aware < datetime(EARLIEST.year, EARLIEST.month, EARLIEST.day, tzinfo=UTC):
        raise PydanticCustomError(
            "date_out_of_range",
            "moment {moment} is before {earliest}",
            {"moment": moment.isoformat(), "earliest": str(EARLIEST)},
        )
    return moment


KnownCounty = Annotated[str, Field(pattern=COUNTY_PATTERN), AfterValidator(known_county)]
PlausibleDate = Annotated[date, AfterValidator(plausible_date)]
PastMoment = Annotated[AwareDatetime, AfterValidator(past_moment)]  # with its UTC offset
PlausibleDatetime = Annotated[
    datetime, AfterValidator(not_before_2000)
]  # a business moment: later checked by the clock

# Reasons a 422 carries when one of these refused the value (``shared.web.problems``).
REASONS = ("unknown_county", "unknown_town", "date_out_of_range")
