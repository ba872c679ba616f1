"""Who may take a ballot credential, and how many were given out (pure: the state a vote keeps).

A vote (decision's session, evaluation's rating round) holds one :class:`Issuance`. Every deputy on
its roll who checked in may take one credential: a blind signature on a token their device made,
under the vote's current key (``generation``), or one printed code slip handed out in the room. Who
received one is public record (出席并领取选票); which one is not. ``issued`` is what a box is reconciled
against at close: the ballots cast never exceed it.

A deputy who needs a credential on another device (a new phone, a lost one) takes it there through
their own login: that **revokes every unused credential** of the vote by moving it to a new key
generation, and every checked-in deputy's device takes a new one the next time it opens the ballot
(they learn nothing about each other, the service nothing about anybody). It is refused while a box
is open, so no ballot already cast is affected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shared.kernel.meta import RuleViolation


@dataclass
class Issuance:
    generation: int = 0
    kid: str = ""
    jwk: dict[str, Any] = field(default_factory=dict)
    issued: set[str] = field(default_factory=set)  # deputies holding a credential of this generation
    slips: set[str] = field(default_factory=set)  # deputies handed a printed code slip
    code_salt: str = ""
    codes: set[str] = field(default_factory=set)  # scrypt digests of the printed codes

    @property
    def count(self) -> int:
        """Credentials out: device credentials of the current key, and code slips handed out."""
        return len(self.issued) + len(self.slips)

    def check_can_issue(self, deputy_id: str, present: set[str], reissue: bool) -> None:
        if deputy_id not in present:
            raise RuleViolation("签到后才能领取选票 / check in first", reason="not_checked_in")
        if not self.kid:
            raise RuleViolation("本次表决尚无选票密钥 / this vote has no ballot key yet", reason="no_ballot_key")
        if deputy_id in self.slips:
            raise RuleViolation(
                "已领取纸质投票码，不能再领取电子选票 / a code slip was handed to you already", reason="slip_taken"
            )
        if deputy_id in self.issued and not reissue:
            raise RuleViolation(
                "已在其他设备领取选票；如需在本设备领取，请选择重新领取（所有未使用的选票将失效）"
                " / already taken on another device: take it again here to revoke every unused credential",
                reason="already_issued",
            )

    def check_can_hand_slip(self, deputy_id: str, present: set[str]) -> None:
        if deputy_id not in present:
            raise RuleViolation("签到后才能领取投票码 / check in first", reason="not_checked_in")
        if not self.codes:
            raise RuleViolation("尚未打印投票码 / no code slips were printed", reason="no_codes")
        if deputy_id in self.issued or deputy_id in self.slips:
            raise RuleViolation("该代表已领取选票 / this deputy already has a ballot", reason="already_issued")
        if len(self.slips) >= len(self.codes):
            raise RuleViolation("投票码已发完 / every printed code is handed out", reason="no_codes_left")

    def check_can_reissue(self, box_open: bool) -> None:
        """Taking a credential again moves the vote to a new key: refused while a box is open, or a deputy
        who has voted could vote again with the new credential."""
        if box_open:
            raise RuleViolation(
                "表决进行中不能换设备重新领取选票；请用原设备投票，或在本轮结束后重新领取"
                " / a ballot cannot be taken again while a vote is open: use the first device",
                reason="reissue_while_open",
            )

    def key_made(self, generation: int, kid: str, jwk: dict[str, Any]) -> None:
        self.generation, self.kid, self.jwk = generation, kid, dict(jwk)
        self.issued = set()  # a new key: every unused credential of the old one is void

    def as_dict(self) -> dict[str, Any]:
        return {
            "generation": self.generation,
            "kid": self.kid,
            "jwk": self.jwk,
            "issued": len(self.issued),
            "slips": len(self.slips),
            "codes": len(self.codes),
        }
