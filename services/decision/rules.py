"""Decision's rules (pure). Defaults from DOMAIN.md; each county may revise them (RuleBook)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

DEFAULTS: dict = {
    "micro_cap_cny": 100_000,          # 民生微实事 cap per item (seed 000: 10万元)
    "competitive_margin": 0.10,        # (candidates - seats) / seats >= 10% for a 差额 vote
    "quorum_fraction": 0.5,            # more than half of all deputies present
    "adopt_fraction": 0.5,             # yes-votes more than half of deputies attending
    "micro_decline_days": 7,           # government accepts or declines a micro proposal within N days
}


@dataclass(frozen=True)
class Rules:
    version: int
    values: dict

    @property
    def micro_cap(self) -> Decimal:
        return Decimal(str(self.values["micro_cap_cny"]))


def within_micro_cap(investment: Decimal, rules: Rules) -> bool:
    return investment <= rules.micro_cap
