"""What the audit pages call things: events as Chinese phrases, objects and their fields by name.

Each service hands ``install_audit`` a :class:`Catalogue` of its own events (``Demand.Submitted`` ->
提交诉求), its objects (``Demand`` -> 诉求) and the fields of their state that need a name of their
own; this module adds what every service stores (rule books, auditors' reads, ballot boxes) and the
fields most objects share. A page shows a field only when the catalogue names it (the JSON API keeps
every field); an event the catalogue does not name is shown by its kind of object and ``事件``, never
by its class name."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

Text = tuple[str, str]  # (中文, English)

SHARED_EVENTS: dict[str, Text] = {
    "RuleBook.Opened": ("建立规则集", "Rule set opened"),
    "RuleBook.Revised": ("修订规则", "Rules revised"),
    "AuditorRead.Recorded": ("审计查阅", "Auditor read"),
    "BallotBox.Opened": ("开启票箱", "Ballot box opened"),
    "BallotBox.Cast": ("投入选票（早期版本）", "Ballot cast (earlier release)"),
    "BallotBox.BoxEntered": ("计票人录入票箱计数", "Teller entered a box"),
    "BallotBox.BoxConfirmed": ("监票人确认票箱", "Second teller confirmed a box"),
    "BallotBox.Closed": ("闭箱并随机顺序公布选票", "Box closed, ballots published shuffled"),
}

SHARED_KINDS: dict[str, Text] = {
    "RuleBook": ("规则集", "Rule set"),
    "AuditorRead": ("审计查阅记录", "Auditor read"),
    "BallotBox": ("票箱", "Ballot box"),
    "auditor_read": ("审计查阅记录", "Auditor reads"),
}

# Fields most objects share, and those of the shared objects.
SHARED_KEYS: dict[str, Text] = {
    "county": ("县（市、区）", "County"),
    "town": ("乡镇（街道）", "Town / street"),
    "towns": ("乡镇（街道）", "Towns / streets"),
    "name": ("名称", "Name"),
    "title": ("标题", "Title"),
    "status": ("状态", "Status"),
    "year": ("年度", "Year"),
    "category": ("类别", "Category"),
    "text": ("内容", "Text"),
    "content": ("内容", "Content"),
    "reason": ("理由", "Reason"),
    "note": ("备注", "Note"),
    "history": ("历次记录", "History"),
    "version": ("版本", "Version"),
    "service": ("所属服务", "Service"),
    "values": ("规则取值", "Rule values"),
    "auditor": ("审计人员", "Auditor"),
    "method": ("请求方式", "Method"),
    "path": ("查阅路径", "Path"),
    "query": ("查询条件", "Query"),
    "mode": ("方式", "Mode"),
    "items": ("表决事项", "Items"),
    "choices": ("可选意见", "Choices"),
    "issued": ("发出选票数", "Ballots issued"),
    "limits": ("限制", "Limits"),
    "boxes": ("票箱", "Boxes"),
    "published": ("已公布", "Published"),
    "result": ("结果", "Result"),
    "demand_ids": ("所含诉求", "Demands"),
    "deadline": ("完成时限", "Deadline"),
    "investment": ("投资额", "Investment"),
    "implementing_body": ("实施主体", "Implementing body"),
    "tier": ("层级", "Tier"),
    "rule_version": ("规则版本", "Rule version"),
    "rules_version": ("规则版本", "Rule version"),
}

ROLES: dict[str, Text] = {
    "system": ("系统", "System"),
    "hotline": ("12345 热线平台", "12345 hotline"),
    "voter": ("投票人（匿名）", "Voter (anonymous)"),
    "presidium": ("大会主席团", "Presidium"),
    "standing_committee": ("人大常委会", "Standing committee"),
    "teller": ("计票人 / 监票人", "Teller"),
}

# What a value of the state looks like on the page: the statuses, tiers and kinds objects carry.
VALUES: dict[str, Text] = {
    "open": ("进行中", "open"),
    "closed": ("已关闭", "closed"),
    "draft": ("草案", "draft"),
    "approved": ("已批准", "approved"),
    "adopted": ("已通过", "adopted"),
    "sent_back": ("已退回", "sent back"),
    "accepted": ("已验收", "accepted"),
    "declined": ("已拒绝", "declined"),
    "proposed": ("已提出", "proposed"),
    "received": ("已受理", "received"),
    "triaged": ("已分类", "triaged"),
    "routed": ("已分流", "routed"),
    "replied": ("已答复", "replied"),
    "merged": ("已合并", "merged"),
    "duplicate": ("重复诉求", "duplicate"),
    "completed": ("已完成", "completed"),
    "rated": ("已评价", "rated"),
    "scheduled": ("已安排", "scheduled"),
    "decided": ("已表决", "decided"),
    "runoff": ("需再次投票", "run-off"),
    "void": ("无效", "void"),
    "cancelled": ("已取消", "cancelled"),
    "major": ("票决实事项目", "major project"),
    "micro": ("民生微实事", "micro project"),
    "micro_wish": ("微心愿", "micro-wish"),
    "department": ("部门直接办理", "department"),
    "electronic": ("电子表决", "electronic"),
    "paper": ("纸质选票", "paper"),
    "satisfied": ("满意", "satisfied"),
    "basically_satisfied": ("基本满意", "basically satisfied"),
    "unsatisfied": ("不满意", "unsatisfied"),
    "county": ("县级", "county"),
    "township": ("乡镇级", "township"),
}


@dataclass(frozen=True)
class Catalogue:
    """A service's names for its audit pages: events by qualified class name (``Demand.Submitted``),
    objects by class name and read-model kind, fields of state by key; each as (中文, English)."""

    events: Mapping[str, Text] = field(default_factory=dict)
    kinds: Mapping[str, Text] = field(default_factory=dict)
    keys: Mapping[str, Text] = field(default_factory=dict)

    def with_shared(self) -> Catalogue:
        return Catalogue(
            events={**SHARED_EVENTS, **self.events},
            kinds={**SHARED_KINDS, **self.kinds},
            keys={**SHARED_KEYS, **self.keys},
        )

    @staticmethod
    def _pick(text: Text, lang: str) -> str:
        return text[0] if lang == "zh" else text[1]

    def event(self, qualname: str, lang: str) -> str:
        """``Demand.Submitted`` -> 提交诉求; an event not catalogued: its object's name and 事件."""
        if qualname in self.events:
            return self._pick(self.events[qualname], lang)
        owner = qualname.split(".")[0]
        return f"{self.kind(owner, lang)}{'事件' if lang == 'zh' else ' event'}"

    def kind(self, name: str, lang: str) -> str:
        """An object (``Demand``) or a read model's kind (``demand``) by name."""
        found = self.kinds.get(name)
        if found is not None:
            return self._pick(found, lang)
        return "记录" if lang == "zh" else "record"

    def key(self, name: str, lang: str) -> str | None:
        """A field's name, or None when the page does not show it."""
        found = self.keys.get(name)
        return self._pick(found, lang) if found is not None else None

    def role(self, role: str, lang: str) -> str | None:
        found = ROLES.get(role)
        return self._pick(found, lang) if found is not None else None

    def value(self, value: object, lang: str) -> object:
        """A status or tier shown by name (``accepted`` -> 已验收); anything else as it is."""
        if isinstance(value, str) and value in VALUES:
            return self._pick(VALUES[value], lang)
        return value
