"""The session's rating round (满意度测评 at the annual session), pure domain.

One round per county and annual session covers every project of the year rated there.
Attendance (check-in) is public record, and so is taking a ballot credential (a blind signature on a
token the deputy's own device made, ``shared.ballots``); the ballots themselves go into a box
anonymously and are never linked to a deputy. Check-in closes when rating starts. After the box
closes the round holds each project's counts and verdict;
the presidium confirms, and the results are distributed to each recipient as an event.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from shared.ballots.issuance import Issuance
from shared.kernel.meta import Meta, RuleViolation
from shared.kernel.topics import moved

NAMESPACE = UUID("3e8f0a4c-5b6d-4c7e-9f10-2a3b4c5d6e7f")
RECIPIENTS = ("all_deputies", "party_committee", "government", "organisation_department")


def round_id_for(county: str, session_year: int) -> UUID:
    return uuid5(NAMESPACE, f"round:{county}:{session_year}")


class RatingRound(Aggregate):
    # Events: the fields of each are the arguments of the method that records it.
    class Opened(Aggregate.Created):
        meta: Meta
        session_year: int
        rated_year: int
        session_closes_on: date
        projects: list[dict[str, Any]]
        mode: str
        rule_version: int
        rules: dict[str, Any]

    class CheckedIn(Aggregate.Event):
        meta: Meta
        deputy_id: str

    class BallotKeyMade(Aggregate.Event):
        """The public half of the round's ballot key (a new generation revokes every unused credential)."""

        meta: Meta
        generation: int
        kid: str
        jwk: dict[str, Any]

    class CredentialIssued(Aggregate.Event):
        """A checked-in deputy received a ballot credential (which one is not known)."""

        meta: Meta
        deputy_id: str
        generation: int

    class RatingStarted(Aggregate.Event):
        meta: Meta
        box_id: UUID
        attending: int

    class Closed(Aggregate.Event):
        meta: Meta
        results: dict[str, dict[str, Any]]
        ballots: dict[str, Any]

    class Confirmed(Aggregate.Event):
        meta: Meta
        session_year: int
        rated_year: int
        verdicts: dict[str, str]

    class Distributed(Aggregate.Event):
        meta: Meta
        recipient: str

    @staticmethod
    def create_id(meta: Meta, session_year: int, **_: Any) -> UUID:
        return round_id_for(meta.county, session_year)

    @event(Opened)
    def __init__(
        self,
        meta: Meta,
        session_year: int,
        rated_year: int,
        session_closes_on: date,
        projects: list[dict[str, Any]],
        mode: str,
        rule_version: int,
        rules: dict[str, Any],
    ) -> None:
        if not projects:
            raise RuleViolation(
                f"{rated_year}年没有等待测评的已完工项目 / no completed project of {rated_year} is waiting to be rated"
            )
        if session_closes_on.year != session_year:
            raise RuleViolation("闭会日期须在人代会当年 / the session closes in the session's own year")
        self.county = meta.county
        self.session_year = session_year
        self.rated_year = rated_year
        self.session_closes_on = session_closes_on
        self.projects = [dict(p) for p in projects]
        self.mode = mode
        self.rule_version = rule_version
        self.rules = dict(rules)
        self.status = "check_in"
        self.present: list[str] = []
        self.issuance = Issuance()
        self.box_id: UUID | None = None
        self.results: dict[str, dict[str, Any]] = {}
        self.ballots: dict[str, Any] = {}
        self.confirmed_at: str | None = None
        self.distributed: list[str] = []

    @property
    def project_ids(self) -> list[str]:
        return [p["project_id"] for p in self.projects]

    def check_in(self, meta: Meta, deputy_id: str) -> None:
        if self.status != "check_in":
            raise RuleViolation("测评已开始，签到已截止 / check-in is closed: rating has started")
        if deputy_id in self.present:
            raise RuleViolation(f"该代表已签到并领取选票 / {deputy_id} has already checked in and received a ballot")
        self._checked_in(meta=meta, deputy_id=deputy_id)

    @event(CheckedIn)
    def _checked_in(self, meta: Meta, deputy_id: str) -> None:
        """The deputy attended (before 2026-12 this also handed out a ballot token)."""
        self.present.append(deputy_id)

    def make_key(self, meta: Meta, kid: str, jwk: dict[str, Any]) -> None:
        """Publish the round's (next) ballot key; a new generation revokes every unused credential, so only
        before rating starts."""
        if self.issuance.kid and self.status != "check_in":
            raise RuleViolation("测评已开始，不能更换选票密钥 / rating has started", reason="vote_open")
        self._key_made(meta=meta, generation=self.issuance.generation + 1, kid=kid, jwk=jwk)

    @event(BallotKeyMade)
    def _key_made(self, meta: Meta, generation: int, kid: str, jwk: dict[str, Any]) -> None:
        self.issuance.key_made(generation, kid, jwk)

    def issue_credential(self, meta: Meta, deputy_id: str) -> None:
        self.issuance.check_can_issue(deputy_id, set(self.present), reissue=False)
        if self.status not in ("check_in", "rating"):
            raise RuleViolation("测评已结束 / the rating is over", reason="vote_closed")
        self._credential_issued(meta=meta, deputy_id=deputy_id, generation=self.issuance.generation)

    @event(CredentialIssued)
    def _credential_issued(self, meta: Meta, deputy_id: str, generation: int) -> None:
        if generation == self.issuance.generation:
            self.issuance.issued.add(deputy_id)

    def start_rating(self, meta: Meta, box_id: UUID) -> None:
        if self.status != "check_in":
            raise RuleViolation(f"当前不在签到阶段 / the round is {self.status}, not at check-in")
        if not self.present:
            raise RuleViolation("还没有代表签到 / no deputy has checked in")
        self._rating_started(meta=meta, box_id=box_id, attending=len(self.present))

    @event(RatingStarted)
    def _rating_started(self, meta: Meta, box_id: UUID, attending: int) -> None:
        self.status = "rating"
        self.box_id = box_id

    def close(self, meta: Meta, results: dict[str, dict[str, Any]], ballots: dict[str, Any]) -> None:
        """``results``: project id -> {counts, verdict}; ``ballots``: issued / cast / valid figures."""
        if self.status != "rating":
            raise RuleViolation(f"当前不在测评阶段 / the round is {self.status}, not rating")
        if set(results) != set(self.project_ids):
            raise RuleViolation("每个项目都须有测评结果 / every project of the round needs a result")
        self._closed(meta=meta, results=results, ballots=ballots)

    @event(Closed)
    def _closed(self, meta: Meta, results: dict[str, dict[str, Any]], ballots: dict[str, Any]) -> None:
        self.status = "closed"
        self.results = results
        self.ballots = ballots

    def confirm(self, meta: Meta) -> None:
        """The presidium (大会主席团) confirms the results."""
        if self.status != "closed":
            raise RuleViolation(
                f"只有已计票的结果可以确认 / the round is {self.status}; only closed results can be confirmed"
            )
        self._confirmed(
            meta=meta,
            session_year=self.session_year,
            rated_year=self.rated_year,
            verdicts={pid: r["verdict"] for pid, r in sorted(self.results.items())},
        )

    @event(Confirmed)
    def _confirmed(self, meta: Meta, session_year: int, rated_year: int, verdicts: dict[str, str]) -> None:
        self.status = "confirmed"
        self.confirmed_at = meta.occurred_at.isoformat()

    def distribute(self, meta: Meta, recipient: str) -> None:
        if recipient not in RECIPIENTS:
            raise RuleViolation(f"未知的送达对象 / unknown recipient {recipient!r}; one of {', '.join(RECIPIENTS)}")
        if self.status != "confirmed":
            raise RuleViolation("主席团尚未确认测评结果 / the presidium has not confirmed the results yet")
        if recipient in self.distributed:
            raise RuleViolation(f"测评结果已经送达 / the results already went to {recipient}")
        self._distributed(meta=meta, recipient=recipient)

    @event(Distributed)
    def _distributed(self, meta: Meta, recipient: str) -> None:
        self.distributed.append(recipient)


moved("services.evaluation.rounds", RatingRound)  # stored before 2026-12 under the old module
