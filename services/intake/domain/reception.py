"""A reception at a liaison station (接待日, 夜间联络站, 代表夜聊; pure domain): scheduled by the
station, then the deputies present are recorded. Demands raised there name the reception as
their source, so what became of a reception's demands can be followed."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from shared.kernel.meta import Meta, RuleViolation

KINDS = ("reception_day", "night_station", "night_chat")  # 接待日, 夜间联络站, 代表夜聊
LONGEST = timedelta(hours=12)


class Reception(Aggregate):
    # Events: the fields of each are the arguments of the method that records it.
    class Scheduled(Aggregate.Created):
        meta: Meta
        station_id: UUID
        town: str
        kind: str
        starts_at: datetime
        ends_at: datetime
        topic: str
        deputy_ids: list[str]

    class AttendanceRecorded(Aggregate.Event):
        meta: Meta
        present: list[str]
        corrects: bool

    class Cancelled(Aggregate.Event):
        meta: Meta

    @event(Scheduled)
    def __init__(
        self,
        meta: Meta,
        station_id: UUID,
        town: str,
        kind: str,
        starts_at: datetime,
        ends_at: datetime,
        topic: str,
        deputy_ids: list[str],
    ) -> None:
        if kind not in KINDS:
            raise RuleViolation(
                f"请选择接待类型 / unknown kind of reception {kind!r}; one of {', '.join(KINDS)}", reason="unknown_kind"
            )
        if starts_at.tzinfo is None or ends_at.tzinfo is None:
            raise RuleViolation("接待时间须注明时区 / a reception's times need a time zone", reason="invalid_time")
        if not starts_at < ends_at <= starts_at + LONGEST:
            raise RuleViolation(
                "接待结束时间须晚于开始时间，且不超过 12 小时 / a reception ends after it starts, within 12 hours",
                reason="invalid_time",
            )
        if len(topic) > 200:
            raise RuleViolation(
                "接待主题最多 200 个字 / a reception's topic has at most 200 characters", reason="invalid_topic"
            )
        if len(set(deputy_ids)) != len(deputy_ids):
            raise RuleViolation("a deputy is listed twice", reason="duplicate_deputy")
        self.county = meta.county
        self.station_id = station_id
        self.town = town
        self.kind = kind
        self.starts_at = starts_at
        self.ends_at = ends_at
        self.topic = topic.strip()
        self.deputy_ids = list(deputy_ids)
        self.present: list[str] = []
        self.attendance_recorded = False
        self.cancelled = False

    def record_attendance(self, meta: Meta, present: list[str]) -> None:
        """The deputies who were there. Recording again corrects the list, with a reason."""
        if self.cancelled:
            raise RuleViolation("the reception was cancelled", reason="reception_cancelled")
        if meta.occurred_at < self.starts_at:
            raise RuleViolation("who was present is recorded once the reception has begun", reason="not_started")
        if not present:
            raise RuleViolation("at least one deputy was present", reason="nobody_present")
        if len(set(present)) != len(present):
            raise RuleViolation("a deputy is listed twice", reason="duplicate_deputy")
        if self.attendance_recorded and not meta.reason:
            raise RuleViolation("correcting the attendance needs a reason", reason="reason_required")
        self._attendance(meta=meta, present=list(present), corrects=self.attendance_recorded)

    @event(AttendanceRecorded)
    def _attendance(self, meta: Meta, present: list[str], corrects: bool) -> None:
        self.present = list(present)
        self.attendance_recorded = True

    def cancel(self, meta: Meta) -> None:
        if self.attendance_recorded:
            raise RuleViolation("the reception was held; its attendance is recorded", reason="reception_held")
        if not meta.reason:
            raise RuleViolation("cancelling a reception needs a reason", reason="reason_required")
        if not self.cancelled:
            self._cancelled(meta=meta)

    @event(Cancelled)
    def _cancelled(self, meta: Meta) -> None:
        self.cancelled = True

    def takes_demands_at(self, moment: datetime) -> bool:
        """Whether a demand raised at ``moment`` can name this reception: not cancelled, begun."""
        return not self.cancelled and moment >= self.starts_at
