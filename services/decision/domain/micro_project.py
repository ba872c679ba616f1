"""A micro project (民生微实事 立办制, pure domain): deputy proposes, government handles, congress supervises;
funded under a per-item cap."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from shared.kernel.china_time import china_date
from shared.kernel.meta import Meta, RuleViolation
from shared.kernel.topics import moved

NAMESPACE = UUID("5a1e7c3b-2d4f-4e6a-9b8c-7d6e5f4a3b2c")
STATUS_NAMES = {"proposed": "已提出", "accepted": "已承办", "approved": "已批准", "declined": "不予实施"}


def project_id_for(candidate_id: UUID) -> UUID:
    return uuid5(NAMESPACE, f"project:{candidate_id}")


class MicroProject(Aggregate):
    """A micro project: proposed by a deputy, approved quickly, funded under a per-item cap."""

    # Events: the fields of each are the arguments of the method that records it.
    class Proposed(Aggregate.Created):
        meta: Meta
        year: int
        town: str
        name: str
        content: str
        implementing_body: str
        investment: Decimal
        deadline: date
        demand_ids: list[UUID]
        rule_version: int
        cap: Decimal
        respond_within_days: int = 7

    class Accepted(Aggregate.Event):
        meta: Meta

    class Approved(Aggregate.Event):
        meta: Meta
        year: int
        town: str
        name: str
        content: str
        implementing_body: str
        investment: Decimal
        deadline: date
        demand_ids: list[UUID]

    class Declined(Aggregate.Event):
        meta: Meta

    @event(Proposed)
    def __init__(
        self,
        meta: Meta,
        year: int,
        town: str,
        name: str,
        content: str,
        implementing_body: str,
        investment: Decimal,
        deadline: date,
        demand_ids: list[UUID],
        rule_version: int,
        cap: Decimal,
        respond_within_days: int = 7,
    ) -> None:
        if investment <= 0:
            raise RuleViolation("投资额须大于零 / investment must be positive")
        if investment > cap:
            raise RuleViolation(
                f"投资额 {investment} 元超过微实事单项上限 {cap} 元（规则第 {rule_version} 版）"
                f" / investment {investment} exceeds the micro-project cap {cap} (rule v{rule_version})"
            )
        self.county = meta.county
        self.year = year
        self.town = town
        self.name = name
        self.content = content
        self.implementing_body = implementing_body
        self.investment = investment
        self.deadline = deadline
        self.demand_ids = list(demand_ids)
        self.rule_version = rule_version
        self.proposed_by = meta.actor_id
        self.respond_by = china_date(meta.occurred_at) + timedelta(days=respond_within_days)
        self.status = "proposed"

    @property
    def project_id(self) -> UUID:
        return project_id_for(self.id)

    def accept(self, meta: Meta) -> None:
        """The government office takes the proposal on (承办), within the county's N days."""
        if self.status != "proposed":
            raise RuleViolation(
                f"该微实事已是“{STATUS_NAMES[self.status]}”，不能再承办 / micro project is {self.status}, not proposed"
            )
        self._accepted(meta=meta)

    @event(Accepted)
    def _accepted(self, meta: Meta) -> None:
        self.status = "accepted"

    def approve(self, meta: Meta) -> None:
        if self.status not in ("proposed", "accepted"):
            raise RuleViolation(
                f"该微实事已是“{STATUS_NAMES[self.status]}”，不能再批准"
                f" / micro project is {self.status}, not proposed or accepted"
            )
        self._approved(
            meta=meta,
            year=self.year,
            town=self.town,
            name=self.name,
            content=self.content,
            implementing_body=self.implementing_body,
            investment=self.investment,
            deadline=self.deadline,
            demand_ids=self.demand_ids,
        )

    @event(Approved)
    def _approved(
        self,
        meta: Meta,
        year: int,
        town: str,
        name: str,
        content: str,
        implementing_body: str,
        investment: Decimal,
        deadline: date,
        demand_ids: list[UUID],
    ) -> None:
        """Carries what exactly was approved, so the record (and supervision) needs nothing else."""
        self.status = "approved"

    def decline(self, meta: Meta) -> None:
        if self.status not in ("proposed", "accepted"):
            raise RuleViolation(
                f"该微实事已是“{STATUS_NAMES[self.status]}”，不能再决定不予实施"
                f" / micro project is {self.status}, not proposed or accepted"
            )
        if not meta.reason:
            raise RuleViolation("不予实施须说明理由 / declining needs a reason")
        self._declined(meta=meta)

    @event(Declined)
    def _declined(self, meta: Meta) -> None:
        self.status = "declined"


moved("services.decision.domain", MicroProject)  # stored before 2026-12 under the old module
