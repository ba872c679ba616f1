from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from shared.kernel.meta import Meta, RuleViolation
from shared.kernel.topics import moved

NAMESPACE = UUID("7d2f4b61-3a9e-4c58-b1d7-5e0a8c3f6b92")


def fund_id(county: str, town: str, year: int) -> UUID:
    return uuid5(NAMESPACE, f"micro-fund:{county}:{town}:{year}")


class MicroFund(Aggregate):
    """The special fund (专项资金) of one town/street for one year."""

    # Events: the fields of each are the arguments of the method that records it.
    class Opened(Aggregate.Created):
        meta: Meta
        town: str
        year: int

    class Allocated(Aggregate.Event):
        meta: Meta
        amount: Decimal

    class Committed(Aggregate.Event):
        meta: Meta
        project_id: UUID
        amount: Decimal

    @staticmethod
    def create_id(meta: Meta, town: str, year: int, **_: Any) -> UUID:
        return fund_id(meta.county, town, year)

    @event(Opened)
    def __init__(self, meta: Meta, town: str, year: int) -> None:
        self.county, self.town, self.year = meta.county, town, year
        self.allocated = Decimal(0)
        self.committed = Decimal(0)
        self.projects: list[UUID] = []

    @property
    def balance(self) -> Decimal:
        return self.allocated - self.committed

    def allocate(self, meta: Meta, amount: Decimal) -> None:
        if amount <= 0:
            raise RuleViolation("安排的资金须大于零 / an allocation is a positive amount")
        if not meta.reason:
            raise RuleViolation(
                "安排资金须说明依据（如预算决定）/ an allocation needs a reason (e.g. the budget decision)"
            )
        self._allocated(meta=meta, amount=amount)

    @event(Allocated)
    def _allocated(self, meta: Meta, amount: Decimal) -> None:
        self.allocated += amount

    def commit(self, meta: Meta, project_id: UUID, amount: Decimal) -> None:
        if project_id in self.projects:
            raise RuleViolation("该项目已从专项资金列支 / this project is already funded")
        if amount > self.balance:
            raise RuleViolation(
                f"{self.town} {self.year} 年微实事专项资金余额 {self.balance} 元，列支 {amount} 元将超支"
                f" / the {self.year} micro fund of {self.town} has {self.balance} left; {amount} would overspend it",
                reason="fund_overspent",
            )
        self._committed(meta=meta, project_id=project_id, amount=amount)

    @event(Committed)
    def _committed(self, meta: Meta, project_id: UUID, amount: Decimal) -> None:
        self.committed += amount
        self.projects.append(project_id)


moved("services.decision.micro_funds", MicroFund)  # stored before 2026-12 under the old module
