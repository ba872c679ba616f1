"""The ballot box aggregate (pure domain): secret electronic ballots or tellers' paper counts.

Electronic ballots are not events while the box is open: they wait in the service's urn
(``shared.ballots.store``), with no order and no time, so nothing recorded says who voted when or
in which order. ``Closed`` publishes them all at once, in the order the caller supplies (shuffled),
with the counts and the reconciliation of ballots cast against credentials issued. Boxes of
earlier releases recorded each ballot as a ``Cast`` event (carrying no voter); those still load.
Paper mode: tellers enter per-box counts, a second, different teller confirms each box."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from shared.ballots.tally import box_flags, marks_problem, paper_totals, reconcile, tally
from shared.kernel.meta import Meta, RuleViolation

NAMESPACE = UUID("0b5e9a52-7c1d-4f3e-a8b6-2d9c4e7f1a03")
ANONYMOUS = "anonymous-ballot"
ELECTRONIC, PAPER = "electronic", "paper"


def box_id_for(key: str) -> UUID:
    return uuid5(NAMESPACE, f"box:{key}")


def anonymous(meta: Meta) -> Meta:
    """The meta a cast is recorded with: county and business time only, no person, no correlation."""
    return Meta(county=meta.county, actor_role="voter", actor_id=ANONYMOUS, occurred_at=meta.occurred_at)


class BallotBox(Aggregate):
    # Events: the fields of each are the arguments of the method that records it.
    class Opened(Aggregate.Created):
        key: str
        meta: Meta
        title: str
        items: list[dict]
        choices: list[str]
        mode: str
        issued: int
        limits: dict[str, int]

    class Cast(Aggregate.Event):
        meta: Meta
        receipt: str
        marks: dict[str, str]

    class BoxEntered(Aggregate.Event):
        meta: Meta
        box_no: str
        issued: int
        returned: int
        invalid: int
        counts: dict[str, dict[str, int]]

    class BoxConfirmed(Aggregate.Event):
        meta: Meta
        box_no: str

    class Closed(Aggregate.Event):
        meta: Meta
        published: list[dict]
        result: dict

    @staticmethod
    def create_id(key: str, **_: Any) -> UUID:
        return box_id_for(key)

    @event(Opened)
    def __init__(
        self,
        key: str,
        meta: Meta,
        title: str,
        items: list[dict],
        choices: list[str],
        mode: str,
        issued: int,
        limits: dict[str, int],
    ) -> None:
        if mode not in (ELECTRONIC, PAPER):
            raise RuleViolation(f"表决方式须为电子表决或纸质选票 / mode must be {ELECTRONIC} or {PAPER}")
        if not items or len({i["id"] for i in items}) != len(items):
            raise RuleViolation("选票至少列一项，且不得重复 / a ballot needs at least one item, each once")
        if len(set(choices)) < 2:
            raise RuleViolation("选票至少有两个选项 / a ballot needs at least two choices")
        self.key = key
        self.county = meta.county
        self.title = title
        self.items = [dict(i) for i in items]
        self.choices = list(choices)
        self.mode = mode
        self.issued = issued
        self.limits = dict(limits)
        self.status = "open"
        self.ballots: list[dict] = []
        self.receipts: set[str] = set()
        self.boxes: dict[str, dict] = {}
        self.published: list[dict] = []
        self.result: dict = {}

    @property
    def item_ids(self) -> list[str]:
        return [i["id"] for i in self.items]

    # electronic ---------------------------------------------------------------------------
    def check_ballot(self, marks: dict[str, str]) -> None:
        """Whether an electronic ballot may go into this box now (the urn keeps it until close)."""
        if self.mode != ELECTRONIC:
            raise RuleViolation("本次表决使用纸质选票 / this vote is counted on paper", reason="paper_vote")
        if self.status != "open":
            raise RuleViolation("表决已结束 / the vote is closed", reason="vote_closed")
        problem = marks_problem(marks, self.item_ids, self.choices, self.limits)
        if problem:
            raise RuleViolation(problem, reason="invalid_ballot")

    @event(Cast)
    def _cast(self, meta: Meta, receipt: str, marks: dict[str, str]) -> None:
        """Boxes of earlier releases: a ballot recorded as it was cast."""
        self.receipts.add(receipt)
        self.ballots.append({"receipt": receipt, "marks": marks})

    # paper -------------------------------------------------------------------------------
    def enter_box(
        self, meta: Meta, box_no: str, issued: int, returned: int, invalid: int, counts: dict[str, dict[str, int]]
    ) -> None:
        if self.mode != PAPER:
            raise RuleViolation("本次表决使用电子选票 / this vote is cast electronically", reason="electronic_vote")
        if self.status != "open":
            raise RuleViolation("表决已结束 / the vote is closed", reason="vote_closed")
        if min(issued, returned, invalid) < 0 or any(n < 0 for c in counts.values() for n in c.values()):
            raise RuleViolation("票数不能为负数 / counts cannot be negative")
        unknown = set(counts) - set(self.item_ids) or {c for v in counts.values() for c in v} - set(self.choices)
        if unknown:
            raise RuleViolation(f"有未知的候选项目或选项 / unknown item or choice: {sorted(unknown)}")
        self._box_entered(
            meta=meta,
            box_no=box_no,
            issued=issued,
            returned=returned,
            invalid=invalid,
            counts={k: dict(v) for k, v in counts.items()},
        )

    @event(BoxEntered)
    def _box_entered(
        self, meta: Meta, box_no: str, issued: int, returned: int, invalid: int, counts: dict[str, dict[str, int]]
    ) -> None:
        entry = {
            "box_no": box_no,
            "issued": issued,
            "returned": returned,
            "invalid": invalid,
            "valid": returned - invalid,
            "counts": counts,
            "entered_by": meta.actor_id,
            "confirmed_by": None,
        }
        entry["flags"] = box_flags(entry, self.item_ids)
        self.boxes[box_no] = entry

    def confirm_box(self, meta: Meta, box_no: str) -> None:
        entry = self.boxes.get(box_no)
        if entry is None:
            raise RuleViolation(f"第 {box_no} 号票箱尚未录入 / box {box_no} has no count entered")
        if self.status != "open":
            raise RuleViolation("表决已结束 / the vote is closed", reason="vote_closed")
        if entry["confirmed_by"]:
            raise RuleViolation(f"第 {box_no} 号票箱已经确认 / box {box_no} is already confirmed")
        if meta.actor_id == entry["entered_by"]:
            raise RuleViolation(
                "须由另一名计票人确认票箱，录入人不能自己确认 / a second, different teller must confirm the box",
                reason="same_teller",
            )
        self._box_confirmed(meta=meta, box_no=box_no)

    @event(BoxConfirmed)
    def _box_confirmed(self, meta: Meta, box_no: str) -> None:
        self.boxes[box_no]["confirmed_by"] = meta.actor_id

    # closing -----------------------------------------------------------------------------
    def close(self, meta: Meta, urn: list[dict[str, Any]], issued: int, shuffle: Callable[[list[Any]], None]) -> None:
        """Close and publish every ballot: those recorded by earlier releases and those in ``urn``, in
        the order ``shuffle`` (a random permutation, from the caller) leaves them. ``issued``: ballot
        credentials handed out, which the ballots cast must not exceed."""
        if self.status != "open":
            raise RuleViolation("表决已结束 / the vote is already closed", reason="vote_closed")
        receipts = [b["receipt"] for b in [*self.ballots, *urn]]
        if len(set(receipts)) != len(receipts):
            raise RuleViolation("票箱中有重复的回执码 / a receipt appears twice in the box", reason="duplicate_receipt")
        if self.mode == PAPER:
            if not self.boxes:
                raise RuleViolation("还没有录入任何票箱 / no paper box has been counted")
            pending = sorted(b for b, e in self.boxes.items() if not e["confirmed_by"])
            if pending:
                raise RuleViolation(
                    f"第 {'、'.join(pending)} 号票箱尚待另一名计票人确认"
                    f" / box(es) {pending} still need a second teller's confirmation"
                )
            flagged = sorted(b for b, e in self.boxes.items() if e["flags"])
            if flagged:
                raise RuleViolation(
                    f"第 {'、'.join(flagged)} 号票箱核对不符，请重新录入"
                    f" / box(es) {flagged} do not reconcile; re-enter their counts"
                )
        published = [{"receipt": b["receipt"], "marks": dict(b["marks"])} for b in [*self.ballots, *urn]]
        shuffle(published)
        self.issued = issued
        self._closed(meta=meta, published=published, result=self.count(published))

    def count(self, published: list[dict[str, Any]]) -> dict[str, Any]:
        if self.mode == ELECTRONIC:
            counts = tally(published, self.item_ids, self.choices)
            cast = len(published)
            return {
                "counts": counts,
                "issued": self.issued,
                "cast": cast,
                "returned": cast,
                "invalid": 0,
                "valid": cast,
                "flags": reconcile(self.issued, cast, 0),
            }
        totals = paper_totals(self.boxes.values(), self.item_ids, self.choices)
        flags = reconcile(self.issued, totals["returned"], totals["invalid"])
        if totals["issued"] != self.issued:
            flags.append(
                f"各票箱报告发出 {totals['issued']} 张，出席 {self.issued} 名"
                f" / boxes report {totals['issued']} issued, the roll {self.issued}"
            )
        return {**totals, "issued": self.issued, "flags": flags}

    @event(Closed)
    def _closed(self, meta: Meta, published: list[dict], result: dict) -> None:
        self.status = "closed"
        self.published = published
        self.result = result
        self.ballots = []
