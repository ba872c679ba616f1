"""A demand's timeline as people read it: every step in the page's language, with no raw key (a tier,
a verdict, a micro-wish step), no account id and no other resident's tracking code; and the fate of
the demand through merges, splits and duplicates up to the project it became."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from services.intake.domain.demand import Demand
from services.intake.domain.rules import SCOPES, TIERS
from services.intake.http.names import Names
from services.intake.read.projections import SUGGESTION
from shared.views.store import ViewStore
from shared.web.i18n import translate
from shared.web.templating import format_datetime, format_money

_TIER_SUFFIX = re.compile(r"\s*\((?:" + "|".join(TIERS) + r")\)\s*$")
_RAW_WORD = re.compile(r"\b(" + "|".join(SCOPES + TIERS) + r")\b")
PROJECT_STAGES = ("adopted", "project", "progress", "completed", "verdict")


def reason_text(reason: str, lang: str) -> str:
    """A routing reason as recorded ('… → 票决实事项目 (major)', '影响范围为community'), without raw keys."""
    text = _TIER_SUFFIX.sub("", reason)

    def word(match: re.Match[str]) -> str:
        key = match.group(1)
        return translate(lang, f"scope_{key}" if key in SCOPES else f"tier_{key}")

    return _RAW_WORD.sub(word, text)


def _wish_detail(entry: dict[str, Any], lang: str) -> str:
    """'source=deputy, amount=500' → '资金来源：代表个人 · 金额：¥500'."""
    parts = dict(p.split("=", 1) for p in entry.get("detail", "").split(", ") if "=" in p)
    colon = "：" if lang == "zh" else ": "
    out = []
    if parts.get("source"):
        out.append(f"{translate(lang, 'funding_source')}{colon}{translate(lang, 'source_' + parts['source'])}")
    if parts.get("amount"):
        out.append(f"{translate(lang, 'wish_amount')}{colon}{format_money(parts['amount'])}")
    if parts.get("satisfaction"):
        out.append(f"{translate(lang, 'satisfaction')}{colon}{translate(lang, 'status_' + parts['satisfaction'])}")
    if parts.get("note"):
        out.append(parts["note"])
    return " · ".join(out)


def describe(entry: dict[str, Any], lang: str, titles: dict[str, str], names: Names) -> dict[str, str]:
    """One step: ``{stage, at, label, title, detail}``, everything readable in ``lang``."""
    stage, title, detail = entry["stage"], str(entry.get("title", "")), str(entry.get("detail", "") or "")
    t = lambda key: translate(lang, key)  # noqa: E731
    if stage == "submitted":
        title, detail = t(f"category_{title}"), ""
    elif stage == "classified":
        title = t(f"kind_{title}")
    elif stage == "routed":
        title, detail = t(f"tier_{title}"), reason_text(detail, lang)
    elif stage == "escalated":
        title = " → ".join(t(f"tier_{x.strip()}") if x.strip() in TIERS else x for x in title.split("→"))
        detail = reason_text(detail, lang)
    elif stage == "overdue":
        title = f"{t('due_at')} {format_datetime(title)}"
    elif stage == "split":
        title = titles.get(str(entry.get("ref", "")), t("a_suggestion"))
    elif stage == "duplicate":
        title = t("duplicate_fate")  # the other demand's code is another resident's: never shown
    elif stage == "deputy":
        title = t(f"deputy_action_{title}")
        if detail.startswith("deputy:"):
            detail = f"{t('forward_to')} {names.deputy(detail[7:])}"
    elif stage == "wish":
        title, detail = t(f"wish_step_{title}"), _wish_detail(entry, lang)
    elif stage == "adopted":
        detail = t(f"tier_{detail}") if detail in TIERS else detail
    elif stage == "verdict":
        title, detail = (t(f"status_{detail}"), "") if detail else (title, "")
    return {"stage": stage, "at": entry["at"], "label": t(f"stage_{stage}"), "title": title, "detail": detail}


def suggestion_titles(views: ViewStore, timeline: list[dict[str, Any]]) -> dict[str, str]:
    refs = {str(e["ref"]) for e in timeline if e["stage"] in ("merged", "split") and e.get("ref")}
    found = {ref: views.get(SUGGESTION, ref) for ref in refs}
    return {ref: doc["title"] for ref, doc in found.items() if doc is not None}


def timeline_of(demand: Demand, views: ViewStore, lang: str, names: Names) -> list[dict[str, str]]:
    titles = suggestion_titles(views, demand.timeline)
    return [describe(e, lang, titles, names) for e in demand.timeline]


@dataclass
class Project:
    """A project the demand went into (directly, or through the demand it duplicates)."""

    id: str
    name: str
    tier: str = ""
    stages: list[str] = field(default_factory=list)
    progress: str = ""
    completed_on: str = ""
    verdict: str = ""

    @property
    def rating_open(self) -> bool:
        """Evaluation opens residents' rating when supervision reports the project completed and accepted."""
        return "completed" in self.stages or "verdict" in self.stages


@dataclass
class Fate:
    """What became of a resident's demand: merged (into which suggestion, with how many others), split
    off (back to the queue or into a new suggestion), handled with a duplicate, and the candidate and
    project it became."""

    merges: list[dict[str, Any]] = field(default_factory=list)
    duplicate: bool = False
    candidates: list[str] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.merges or self.duplicate or self.candidates or self.projects)


def _projects(timeline: list[dict[str, Any]]) -> tuple[list[str], list[Project]]:
    candidates: list[str] = []
    projects: dict[str, Project] = {}
    for e in timeline:
        ref = str(e.get("ref", ""))
        if e["stage"] == "candidate" and e["title"] not in candidates:
            candidates.append(e["title"])
        elif e["stage"] in PROJECT_STAGES and ref:
            project = projects.setdefault(ref, Project(id=ref, name=""))
            project.stages.append(e["stage"])
            if e["stage"] in ("adopted", "project", "completed") and e.get("title"):
                project.name = project.name or e["title"]
            if e["stage"] == "adopted":
                project.tier = str(e.get("detail", ""))
            elif e["stage"] == "progress":
                project.progress = str(e.get("detail", ""))
            elif e["stage"] == "completed":
                project.completed_on = str(e.get("detail", ""))
            elif e["stage"] == "verdict":
                project.verdict = str(e.get("detail", ""))
    return candidates, list(projects.values())


def fate_of(demand: Demand, primary: Demand | None, views: ViewStore) -> Fate:
    """The fate of ``demand``; ``primary``: the demand it was linked to as a duplicate, if any."""
    fate = Fate(duplicate=demand.duplicate_of is not None)
    titles = suggestion_titles(views, demand.timeline)
    for e in demand.timeline:
        ref = str(e.get("ref", ""))
        if e["stage"] == "merged":
            doc = views.get(SUGGESTION, ref) or {}
            fate.merges.append(
                {
                    "kind": "merged",
                    "at": e["at"],
                    "title": e["title"],
                    "demands": len(doc.get("demand_ids", [])),
                    "towns": doc.get("towns", []),
                    "current": demand.merged_into is not None and str(demand.merged_into) == ref,
                }
            )
        elif e["stage"] == "split":
            into = next(
                (x["title"] for x in demand.timeline if x["stage"] == "merged" and x["at"] == e["at"]),
                "",
            )
            fate.merges.append({"kind": "split", "at": e["at"], "title": titles.get(ref, ""), "into": into})
    fate.candidates, fate.projects = _projects(demand.timeline)
    if primary is not None and not fate.projects:  # handled together with the other demand: its project is ours
        fate.candidates, fate.projects = _projects(primary.timeline)
    return fate
