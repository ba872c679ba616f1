from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any, Literal, get_args
from uuid import UUID, uuid4, uuid5

from eventsourcing.domain import Aggregate, event

from shared.kernel.meta import Meta, RuleViolation
from shared.kernel.topics import moved

NAMESPACE = UUID("0b6f4f0e-8d7b-4a8e-9a55-4b7c1c3f2a11")


CHANNELS = (
    "web",
    "liaison_station",
    "deputy_suggestion",
    "department_list",
    "hotline",
    "open311",
    "lookback",
    "qr_code",  # a deputy's or a liaison station's code, scanned (民意码上见): the source says whose
)


Kind = Literal["consultation", "individual", "common", "micro_wish", "project_suggestion"]
KINDS: tuple[Kind, ...] = get_args(Kind)


# What each upstream stage means on a resident's tracking page (lineage).
STAGE_STATUS = {
    "candidate": "in_candidate",
    "adopted": "adopted",
    "project": "in_progress",
    "progress": "in_progress",
    "completed": "completed",
    "verdict": "rated",
}


STAGE_ORDER = ["submitted", *STAGE_STATUS]

# What a refusal says a closed or duplicate demand cannot do, and the steps of a micro-wish, in Chinese.
ACTIONS_ZH = {
    "classify": "分类",
    "route": "分流",
    "escalate": "升级",
    "reassess": "重新评估",
    "merge": "并入建议",
    "link as duplicate": "合并为重复诉求",
}
WISH_STEPS_ZH = {"claimed": "认领", "funded": "登记资金到位", "fulfilled": "登记实现", "visited": "回访"}


# At one moment, intake's own steps keep the order they happened in (rank 0, stable sort);
# upstream stages, which arrive from several services in any order, follow in loop order.
STAGE_RANK = {stage: n + 1 for n, stage in enumerate(STAGE_STATUS)}


@lru_cache(maxsize=8192)  # asked three times per ticket (prefetch, lookup, creation): one SHA-1 instead
def hotline_demand_id(county: str, ticket_id: str) -> UUID:
    """A hotline ticket always lands on the same demand, however often it is delivered."""
    return uuid5(NAMESPACE, f"hotline:{county}:{ticket_id}")


class Demand(Aggregate):
    """A demand from any channel. Its timeline shows what became of it at every later stage."""

    # Events: the fields of each are the arguments of the method that records it.
    class Submitted(Aggregate.Created):
        meta: Meta
        channel: str
        town: str
        category: str
        text: str
        contact_id: UUID | None
        tracking_code: str
        location: dict[str, Any] | None = None
        attachments: list[Any] | None = None
        hotline_ticket_id: str = ""
        origin_key: str = ""
        # the source, when raised through a deputy's or a station's code or at a reception (2026-12)
        station_id: UUID | None = None
        deputy_id: str = ""
        reception_id: UUID | None = None

    class Classified(Aggregate.Event):
        meta: Meta
        kind: str
        due_at: datetime | None
        ticket: str

    class Routed(Aggregate.Event):
        meta: Meta
        tier: str
        reason: str
        rules_version: int
        scope: str
        estimate: int
        ticket: str
        kind: str

    class Escalated(Aggregate.Event):
        meta: Meta
        from_tier: str
        to_tier: str
        reason: str
        rules_version: int
        scope: str
        estimate: int
        ticket: str
        kind: str

    class Reassessed(Aggregate.Event):
        meta: Meta
        scope: str
        estimate: int
        rules_version: int

    class Replied(Aggregate.Event):
        meta: Meta
        text: str
        ticket: str
        within_deadline: bool

    class OverdueWarned(Aggregate.Event):
        meta: Meta
        due_at: datetime

    class Closed(Aggregate.Event):
        meta: Meta
        note: str
        ticket: str

    class MergedInto(Aggregate.Event):
        meta: Meta
        suggestion_id: UUID
        title: str
        ticket: str

    class SplitOut(Aggregate.Event):
        meta: Meta
        suggestion_id: UUID
        ticket: str

    class MarkedDuplicate(Aggregate.Event):
        meta: Meta
        primary_id: UUID
        primary_code: str
        ticket: str

    class DuplicateAbsorbed(Aggregate.Event):
        meta: Meta
        other_id: UUID

    class PushedToDeputy(Aggregate.Event):
        meta: Meta
        deputy_id: str

    class DeputyActed(Aggregate.Event):
        meta: Meta
        action: str
        note: str
        forward_to: str

    class WishStep(Aggregate.Event):
        meta: Meta
        step: str
        details: dict[str, Any]
        ticket: str

    class StageNoted(Aggregate.Event):
        meta: Meta
        stage: str
        ref_id: str
        title: str
        detail: str
        hotline_ticket_id: str
        status: str

    @staticmethod
    def create_id(hotline_ticket_id: str = "", meta: Meta | None = None, origin_key: str = "", **_: Any) -> UUID:
        if hotline_ticket_id and meta is not None:
            return hotline_demand_id(meta.county, hotline_ticket_id)
        if origin_key and meta is not None:  # raised by another service: the same finding, the same demand
            return uuid5(NAMESPACE, f"origin:{meta.county}:{origin_key}")
        return uuid4()

    @event(Submitted)
    def __init__(
        self,
        meta: Meta,
        channel: str,
        town: str,
        category: str,
        text: str,
        contact_id: UUID | None,
        tracking_code: str,
        location: dict[str, Any] | None = None,
        attachments: list[Any] | None = None,
        hotline_ticket_id: str = "",
        origin_key: str = "",
        station_id: UUID | None = None,
        deputy_id: str = "",
        reception_id: UUID | None = None,
    ) -> None:
        if channel not in CHANNELS:
            raise RuleViolation(f"未知的征集渠道 / unknown channel {channel!r}")
        if reception_id is not None and station_id is None:
            raise RuleViolation(
                "接待活动中收集的诉求须注明联络站 / a demand raised at a reception names the reception's station"
            )
        self.county = meta.county
        self.channel = channel
        self.town = town
        self.category = category
        self.text = text
        self.contact_id = contact_id
        self.tracking_code = tracking_code
        self.location = location or {}
        self.attachments = attachments or []
        self.hotline_ticket_id = hotline_ticket_id
        self.station_id = station_id
        self.deputy_id = deputy_id
        self.reception_id = reception_id
        self.submitted_at = meta.occurred_at
        self.status = "received"
        self.kind = ""
        self.tier = ""
        self.owner = ""
        self.scope = ""
        self.estimate = 0
        self.rules_version = 0
        self.due_at: datetime | None = None
        self.replied_at: datetime | None = None
        self.warned = False
        self.merged_into: UUID | None = None
        self.duplicate_of: UUID | None = None
        self.duplicates: list[str] = []
        self.deputies: list[str] = []
        self.wish: dict[str, Any] = {}
        self.last_moved_at = meta.occurred_at
        self.timeline: list[dict[str, Any]] = [
            {"stage": "submitted", "at": meta.occurred_at.isoformat(), "title": category, "ref": ""}
        ]

    # -- helpers -----------------------------------------------------------------------------
    @property
    def closed(self) -> bool:
        return self.status == "closed"

    def _must_be_open(self, what: str) -> None:
        if self.closed:
            raise RuleViolation(f"诉求已办结，不能{ACTIONS_ZH.get(what, what)} / demand is closed; cannot {what}")
        if self.duplicate_of is not None:
            raise RuleViolation(
                f"诉求已作为重复诉求合并办理，不能{ACTIONS_ZH.get(what, what)} / "
                f"demand is a duplicate of {self.duplicate_of}; cannot {what}"
            )

    def _note(self, meta: Meta, stage: str, title: str, ref: str = "", detail: str = "") -> None:
        self.timeline.append(
            {"stage": stage, "at": meta.occurred_at.isoformat(), "title": title, "ref": ref, "detail": detail}
        )
        self.timeline.sort(key=lambda e: (e["at"], STAGE_RANK.get(e["stage"], 0)))
        self.last_moved_at = max(self.last_moved_at, meta.occurred_at)

    # -- triage ------------------------------------------------------------------------------
    def classify(self, meta: Meta, kind: str, due_at: datetime | None) -> None:
        """个性问题立行立改、共性问题形成建议: consultation, individual, common, micro-wish or suggestion."""
        self._must_be_open("classify")
        if kind not in KINDS:
            raise RuleViolation(f"请选择诉求类型 / unknown kind {kind!r}; one of {', '.join(KINDS)}")
        self._classified(meta=meta, kind=kind, due_at=due_at, ticket=self.hotline_ticket_id)

    @event(Classified)
    def _classified(self, meta: Meta, kind: str, due_at: datetime | None, ticket: str) -> None:
        self.kind = kind
        self.due_at = due_at
        if self.status == "received":
            self.status = "triaged"
        self._note(meta, "classified", kind, detail=meta.reason)

    def route(self, meta: Meta, tier: str, reason: str, rules_version: int, scope: str, estimate: int) -> None:
        """A routing decision, with its reason and the rule-set version it was made under."""
        self._must_be_open("route")
        if not self.kind:
            raise RuleViolation("请先分类再分流 / classify the demand before routing it")
        self._routed(
            meta=meta,
            tier=tier,
            reason=reason,
            rules_version=rules_version,
            scope=scope,
            estimate=estimate,
            ticket=self.hotline_ticket_id,
            kind=self.kind,
        )

    @event(Routed)
    def _routed(
        self, meta: Meta, tier: str, reason: str, rules_version: int, scope: str, estimate: int, ticket: str, kind: str
    ) -> None:
        self.tier, self.scope, self.estimate, self.rules_version = tier, scope, estimate, rules_version
        self.owner = self.owner or tier
        self.status = "routed" if self.status in ("received", "triaged", "routed") else self.status
        self._note(meta, "routed", tier, detail=reason)

    def escalate(self, meta: Meta, to_tier: str, reason: str, rules_version: int, scope: str, estimate: int) -> None:
        """The item outgrew its tier: it moves up automatically, with the reason."""
        self._must_be_open("escalate")
        self._escalated(
            meta=meta,
            from_tier=self.tier,
            to_tier=to_tier,
            reason=reason,
            rules_version=rules_version,
            scope=scope,
            estimate=estimate,
            ticket=self.hotline_ticket_id,
            kind=self.kind,
        )

    @event(Escalated)
    def _escalated(
        self,
        meta: Meta,
        from_tier: str,
        to_tier: str,
        reason: str,
        rules_version: int,
        scope: str,
        estimate: int,
        ticket: str,
        kind: str,
    ) -> None:
        self.tier, self.scope, self.estimate, self.rules_version = to_tier, scope, estimate, rules_version
        self.owner = to_tier
        self.status = "escalated"
        self._note(meta, "escalated", f"{from_tier} → {to_tier}", detail=reason)

    def reassess(self, meta: Meta, scope: str, estimate: int, rules_version: int) -> None:
        """New scope or estimate that keeps the demand in its tier."""
        self._must_be_open("reassess")
        self._reassessed(meta=meta, scope=scope, estimate=estimate, rules_version=rules_version)

    @event(Reassessed)
    def _reassessed(self, meta: Meta, scope: str, estimate: int, rules_version: int) -> None:
        self.scope, self.estimate, self.rules_version = scope, estimate, rules_version
        self.last_moved_at = max(self.last_moved_at, meta.occurred_at)

    # -- answers -----------------------------------------------------------------------------
    def reply(self, meta: Meta, text: str) -> None:
        """A reply to the resident (also sent to the 12345 hotline for its tickets)."""
        if self.closed:
            raise RuleViolation("诉求已办结 / demand is closed")
        if len(text.strip()) < 2:
            raise RuleViolation("请填写答复内容（至少 2 个字） / a reply needs a text")
        self._replied(
            meta=meta,
            text=text.strip(),
            ticket=self.hotline_ticket_id,
            within_deadline=self.due_at is None or meta.occurred_at <= self.due_at,
        )

    @event(Replied)
    def _replied(self, meta: Meta, text: str, ticket: str, within_deadline: bool) -> None:
        self.replied_at = self.replied_at or meta.occurred_at
        if self.status in ("received", "triaged", "routed"):
            self.status = "replied"
        self._note(meta, "replied", text)

    def warn_overdue(self, meta: Meta, now: datetime) -> bool:
        """A consultation not answered by its deadline raises one warning. True if raised now."""
        if self.warned or self.replied_at is not None or self.due_at is None or self.closed or now <= self.due_at:
            return False
        self._overdue(meta=meta, due_at=self.due_at)
        return True

    @event(OverdueWarned)
    def _overdue(self, meta: Meta, due_at: datetime) -> None:
        self.warned = True
        self.timeline.append(
            {
                "stage": "overdue",
                "at": meta.occurred_at.isoformat(),
                "title": due_at.isoformat(),
                "ref": "",
                "detail": "",
            }
        )

    def close(self, meta: Meta, note: str) -> None:
        if self.closed:
            return
        self._closed(meta=meta, note=note, ticket=self.hotline_ticket_id)

    @event(Closed)
    def _closed(self, meta: Meta, note: str, ticket: str) -> None:
        self.status = "closed"
        self._note(meta, "closed", note)

    # -- merging and duplicates --------------------------------------------------------------
    def merge_into(self, meta: Meta, suggestion_id: UUID, title: str) -> None:
        self._must_be_open("merge")
        if self.merged_into is not None:
            raise RuleViolation(f"诉求已并入另一条建议 / demand already merged into {self.merged_into}")
        self._merged(meta=meta, suggestion_id=suggestion_id, title=title, ticket=self.hotline_ticket_id)

    @event(MergedInto)
    def _merged(self, meta: Meta, suggestion_id: UUID, title: str, ticket: str) -> None:
        self.merged_into = suggestion_id
        self.status = "merged"
        self.owner = "suggestion"
        self._note(meta, "merged", title, ref=str(suggestion_id))

    def split_out(self, meta: Meta, suggestion_id: UUID) -> None:
        if self.merged_into != suggestion_id:
            raise RuleViolation(f"诉求不在这条建议中 / demand is not part of suggestion {suggestion_id}")
        self._split(meta=meta, suggestion_id=suggestion_id, ticket=self.hotline_ticket_id)

    @event(SplitOut)
    def _split(self, meta: Meta, suggestion_id: UUID, ticket: str) -> None:
        self.merged_into = None
        self.owner = self.tier
        self.status = "routed" if self.tier else "triaged" if self.kind else "received"
        self._note(meta, "split", str(suggestion_id), ref=str(suggestion_id), detail=meta.reason)

    def mark_duplicate_of(self, meta: Meta, primary: Demand) -> None:
        if primary.id == self.id:
            raise RuleViolation("诉求不能是它自己的重复诉求 / a demand cannot duplicate itself")
        if primary.county != self.county:
            raise RuleViolation("重复诉求须属于同一个县 / duplicates must be in the same county")
        self._must_be_open("link as duplicate")
        self._duplicate(
            meta=meta, primary_id=primary.id, primary_code=primary.tracking_code, ticket=self.hotline_ticket_id
        )

    @event(MarkedDuplicate)
    def _duplicate(self, meta: Meta, primary_id: UUID, primary_code: str, ticket: str) -> None:
        self.duplicate_of = primary_id
        self.status = "duplicate"
        self._note(meta, "duplicate", primary_code, ref=str(primary_id))

    def absorb_duplicate(self, meta: Meta, other_id: UUID) -> None:
        if str(other_id) not in self.duplicates:
            self._absorbed(meta=meta, other_id=other_id)

    @event(DuplicateAbsorbed)
    def _absorbed(self, meta: Meta, other_id: UUID) -> None:
        self.duplicates.append(str(other_id))

    # -- deputies and micro-wishes -------------------------------------------------------------
    def push_to_deputy(self, meta: Meta, deputy_id: str) -> None:
        if deputy_id not in self.deputies:
            self._pushed(meta=meta, deputy_id=deputy_id)

    @event(PushedToDeputy)
    def _pushed(self, meta: Meta, deputy_id: str) -> None:
        self.deputies.append(deputy_id)

    def deputy_act(self, meta: Meta, action: str, note: str, forward_to: str = "") -> None:
        """The deputy accepts (接单) or forwards the demand (answers go through ``reply``)."""
        if meta.actor_id not in self.deputies:
            raise RuleViolation("这条诉求不在您的接单列表中 / this demand is not in your inbox")
        if action not in ("accept", "forward"):
            raise RuleViolation(f"未知的代表操作 / unknown deputy action {action!r}")
        if action == "forward" and not forward_to:
            raise RuleViolation("转办须填写接收方 / forward needs a recipient")
        self._deputy_acted(meta=meta, action=action, note=note, forward_to=forward_to)

    @event(DeputyActed)
    def _deputy_acted(self, meta: Meta, action: str, note: str, forward_to: str) -> None:
        if action == "accept":
            self.owner = f"deputy:{meta.actor_id}"
        else:
            self.owner = forward_to
            if forward_to.startswith("deputy:") and forward_to[7:] not in self.deputies:
                self.deputies.append(forward_to[7:])
        self._note(meta, "deputy", action, detail=note or forward_to)

    def wish_step(self, meta: Meta, step: str, **details: Any) -> None:
        """A micro-wish: claimed (认领), funded, fulfilled, return visit (回访) — in that order."""
        if self.kind != "micro_wish" or self.tier != "micro_wish":
            raise RuleViolation("只有分流为微心愿的诉求可以认领 / only a demand routed as a micro-wish can be claimed")
        order = ["claimed", "funded", "fulfilled", "visited"]
        done = [s for s in order if s in self.wish]
        expected = order[len(done)] if len(done) < len(order) else None
        if step != expected:
            raise RuleViolation(
                f"微心愿现在不能{WISH_STEPS_ZH.get(step, step)}（下一步：{WISH_STEPS_ZH.get(expected or '', '无')}） / "
                f"micro-wish step {step!r} not allowed now (next: {expected})"
            )
        self._wish(meta=meta, step=step, details=details, ticket=self.hotline_ticket_id)

    @event(WishStep)
    def _wish(self, meta: Meta, step: str, details: dict[str, Any], ticket: str) -> None:
        self.wish[step] = {"at": meta.occurred_at.isoformat(), "by": meta.actor_id, **details}
        if step == "claimed":
            self.owner = f"deputy:{meta.actor_id}"
        self.status = {"claimed": "claimed", "funded": "claimed", "fulfilled": "fulfilled", "visited": "closed"}[step]
        self._note(meta, "wish", step, detail=", ".join(f"{k}={v}" for k, v in details.items()))

    # -- lineage from the other services ------------------------------------------------------
    def note_stage(self, meta: Meta, stage: str, ref_id: str, title: str, detail: str = "") -> None:
        """Record what an upstream service did with this demand (idempotent per stage and ref)."""
        if stage not in STAGE_STATUS:
            raise RuleViolation(f"未知的办理阶段 / unknown stage {stage!r}")
        if any(e["stage"] == stage and e["ref"] == ref_id and e.get("detail", "") == detail for e in self.timeline):
            return
        # Stages arrive from several services in any order: the furthest one reached is the status.
        reached = [e["stage"] for e in self.timeline if e["stage"] in STAGE_STATUS] + [stage]
        status = STAGE_STATUS[max(reached, key=STAGE_ORDER.index)]
        self._stage_noted(
            meta=meta,
            stage=stage,
            ref_id=ref_id,
            title=title,
            detail=detail,
            hotline_ticket_id=self.hotline_ticket_id,
            status=status,
        )

    @event(StageNoted)
    def _stage_noted(
        self, meta: Meta, stage: str, ref_id: str, title: str, detail: str, hotline_ticket_id: str, status: str
    ) -> None:
        self._note(meta, stage, title, ref=ref_id, detail=detail)
        self.status = status


moved("services.intake.domain", Demand)  # stored before 2026-12 under the old module
