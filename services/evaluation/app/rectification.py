"""Use cases of rectification: the government's report, the committee's re-rating, the next
step after a second 不满意, and the sweep that warns on missed deadlines."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from services.evaluation.app.core import SERVICE, EvaluationCore
from services.evaluation.domain.rectification import Rectification, rectification_id_for
from services.evaluation.domain.rules import DEFAULTS, RANGES, verdict
from shared.kernel.meta import Meta, RuleViolation
from shared.kernel.ranges import effective
from shared.persistence.application import NotFound


class RectificationCases(EvaluationCore):
    def rectification(self, project_id: UUID, county: str | None = None) -> Rectification:
        found = self.load(rectification_id_for(project_id), county)
        if not isinstance(found, Rectification):
            raise NotFound(str(project_id))
        return found

    def file_rectification_report(self, meta: Meta, project_id: UUID, text: str) -> Rectification:
        r = self.rectification(project_id, meta.county)
        r.file_report(meta, text)
        self.save(r)
        return r

    def re_rate(self, meta: Meta, project_id: UUID, satisfied: int, basic: int, unsatisfied: int) -> Rectification:
        """The committee's counts, judged by the rule set version the first verdict used (the same rule)."""
        r = self.rectification(project_id, meta.county)
        rules = self.rules_at(meta.county, r.rule_version)
        try:
            result = verdict(satisfied, basic, unsatisfied, rules)
        except ValueError as exc:
            raise RuleViolation(str(exc)) from exc
        r.re_rate(meta, satisfied, basic, unsatisfied, result, r.rule_version)
        self.save(r)
        return r

    def record_next_step(self, meta: Meta, project_id: UUID, step: str, note: str) -> Rectification:
        r = self.rectification(project_id, meta.county)
        r.record_next_step(meta, step, note)
        self.save(r)
        return r

    def sweep(self, meta: Meta, today: date, project_ids: list[UUID]) -> list[str]:
        """Warn on every listed rectification whose report is overdue on ``today``; returns their project ids."""
        warned = []
        for project_id in project_ids:
            found = self.find(rectification_id_for(project_id))
            if isinstance(found, Rectification) and found.county == meta.county and found.warn_if_overdue(meta, today):
                self.save(found)
                warned.append(str(project_id))
        return warned

    def rules_at(self, county: str, version: int) -> dict[str, Any]:
        for entry in self.rule_history(SERVICE, county, DEFAULTS):
            if entry["version"] == version:
                return effective({**DEFAULTS, **entry["values"]}, DEFAULTS, RANGES)
        raise RuleViolation(f"规则版本 {version} 不存在 / rule set version {version} is unknown")
