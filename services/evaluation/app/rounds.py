"""Use cases of the session's rating round: open, check in, each deputy's device takes a blind-signed
ballot credential, start, cast anonymously into the urn (shared.ballots), close and count (ballots
published shuffled), presidium confirmation, distribution."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from services.evaluation.app.core import EvaluationCore
from services.evaluation.domain.rating import ProjectRating, rating_id_for
from services.evaluation.domain.rectification import Rectification, rectification_id_for
from services.evaluation.domain.round import RatingRound, round_id_for
from services.evaluation.domain.rules import VERDICTS, rated_in_round, rectification_deadline, verdict
from shared.ballots.box import BallotBox
from shared.ballots.credentials import Proof
from shared.kernel.meta import Meta, RuleViolation
from shared.persistence.application import NotFound

CHOICES = list(VERDICTS)


class RoundCases(EvaluationCore):
    def rating_round(self, round_id: UUID, county: str | None = None) -> RatingRound:
        found = self.load(round_id, county)
        if not isinstance(found, RatingRound):
            raise NotFound(str(round_id))
        return found

    def open_round(
        self, meta: Meta, session_year: int, rated_year: int, closes_on: date, mode: str, candidates: list[UUID]
    ) -> RatingRound:
        """``candidates``: the county's projects of ``rated_year`` with an open rating (from the read model);
        each is checked here, and only the tiers the county rates at the session are taken."""
        if self.find(round_id_for(meta.county, session_year)) is not None:
            raise RuleViolation(
                f"{session_year}年人代会已有测评轮次 / the {session_year} session already has its rating round"
            )
        if session_year <= rated_year:
            raise RuleViolation("项目须在此后年度的人代会上测评 / projects are rated at a later year's session")
        version, rules = self.rules(meta.county)
        projects = []
        for project_id in candidates:
            rating = self.find(rating_id_for(project_id))
            if (
                isinstance(rating, ProjectRating)
                and rating.county == meta.county
                and rating.year == rated_year
                and rating.status == "open"
                and rated_in_round(rating.tier, rules)
            ):
                projects.append({"project_id": str(rating.project_id), "name": rating.name, "tier": rating.tier})
        projects.sort(key=lambda p: (p["tier"], p["name"], p["project_id"]))
        rnd = RatingRound(
            meta=meta,
            session_year=session_year,
            rated_year=rated_year,
            session_closes_on=closes_on,
            projects=projects,
            mode=mode,
            rule_version=version,
            rules=rules,
        )
        self.new_key(meta, rnd)
        self.save(rnd)
        return rnd

    def check_in(self, meta: Meta, round_id: UUID, deputy_id: str) -> RatingRound:
        """Attendance (public record); the deputy's own device then takes a ballot credential."""
        rnd = self.rating_round(round_id, meta.county)
        rnd.check_in(meta, deputy_id)
        self.save(rnd)
        return rnd

    def take_credential(self, meta: Meta, round_id: UUID, blinded: str, kid: str) -> dict[str, Any]:
        """The logged-in deputy (``meta.actor_id``) has the token their device blinded for the round's key
        ``kid`` signed; recorded: that they received a ballot, never which."""
        rnd = self.rating_round(round_id, meta.county)
        signed = self.sign_credential(meta, rnd, blinded, kid)
        self.save(rnd)
        return signed

    def reissue_credential(self, meta: Meta, round_id: UUID) -> dict[str, Any]:
        """Taken again on another device: a new key for the round, voiding every unused credential (never
        while a box is open). Returns the new public key, for the device to take its credential with."""
        rnd = self.rating_round(round_id, meta.county)
        key = self.revoke_unused(meta, rnd, box_open=rnd.status == "rating")
        self.save(rnd)
        return key

    def start_rating(self, meta: Meta, round_id: UUID) -> RatingRound:
        rnd = self.rating_round(round_id, meta.county)
        box = BallotBox(
            key=f"rating:{rnd.id}",
            meta=meta,
            title=f"{rnd.session_year} 满意度测评",
            items=[{"id": p["project_id"], "label": p["name"]} for p in rnd.projects],
            choices=CHOICES,
            mode=rnd.mode,
            issued=len(rnd.present),
            limits={},
        )
        rnd.start_rating(meta, box.id)
        self.save(rnd, box)
        return rnd

    def box(self, box_id: UUID, county: str | None = None) -> BallotBox:
        found = self.load(box_id, county)
        if not isinstance(found, BallotBox):
            raise NotFound(str(box_id))
        return found

    def _open_box(self, round_id: UUID, county: str) -> tuple[RatingRound, BallotBox]:
        rnd = self.rating_round(round_id, county)
        if rnd.status != "rating" or rnd.box_id is None:
            raise RuleViolation(f"现在不在测评投票阶段 / the round is {rnd.status}; ballots are not being cast")
        return rnd, self.box(rnd.box_id)

    def cast(self, round_id: UUID, marks: dict[str, str], receipt: str, proof: Proof) -> str:
        """An anonymous ballot into the round's box (``drop_ballot``): no event, nobody named."""
        rnd = self.rating_round(round_id)
        if rnd.status != "rating" or rnd.box_id is None:
            raise RuleViolation("现在不在测评投票阶段 / ballots are not being cast", reason="no_vote_open")
        return self.drop_ballot(rnd, self.box(rnd.box_id), marks, receipt, proof, "")

    def enter_paper_box(
        self,
        meta: Meta,
        round_id: UUID,
        box_no: str,
        issued: int,
        returned: int,
        invalid: int,
        counts: dict[str, dict[str, int]],
    ) -> BallotBox:
        _, box = self._open_box(round_id, meta.county)
        box.enter_box(meta, box_no, issued, returned, invalid, counts)
        self.save(box)
        return box

    def confirm_paper_box(self, meta: Meta, round_id: UUID, box_no: str) -> BallotBox:
        _, box = self._open_box(round_id, meta.county)
        box.confirm_box(meta, box_no)
        self.save(box)
        return box

    def close_round(self, meta: Meta, round_id: UUID) -> RatingRound:
        """Close the box, publish the ballots in random order, and reach each project's verdict under the
        rule set the round was opened with."""
        rnd, box = self._open_box(round_id, meta.county)
        self.close_box(meta, rnd, box)
        results, ratings = {}, []
        for project_id in rnd.project_ids:
            counts = box.result["counts"][project_id]
            s, b, u = (counts.get(c, 0) for c in CHOICES)
            if s + b + u == 0:
                raise RuleViolation(
                    "没有有效选票，无法得出测评结果 / no valid ballot was cast: the round cannot reach a verdict"
                )
            result = verdict(s, b, u, rnd.rules)
            results[project_id] = {"counts": dict(counts), "verdict": result}
            rating = self.rating(UUID(project_id))
            rating.record_tally(meta, s, b, u, result, rnd.rule_version, round_id=rnd.id)
            ratings.append(rating)
        figures = {k: box.result.get(k) for k in ("issued", "returned", "valid", "invalid")}
        rnd.close(meta, results, {**figures, "flags": list(box.result.get("flags", []))})
        self.save(rnd, box, *ratings)
        self.empty_urn(box)  # the ballots are in the box's Closed event now
        return rnd

    def confirm_round(self, meta: Meta, round_id: UUID) -> RatingRound:
        """The presidium confirms; every 不满意 project gets its rectification order and deadline."""
        rnd = self.rating_round(round_id, meta.county)
        rnd.confirm(meta)
        orders = []
        deadline = rectification_deadline(rnd.session_closes_on, rnd.rules)
        for project_id, result in sorted(rnd.results.items()):
            if result["verdict"] != "unsatisfied" or self.find(rectification_id_for(UUID(project_id))) is not None:
                continue
            rating = self.rating(UUID(project_id))
            orders.append(
                Rectification(
                    meta=meta,
                    project_id=rating.project_id,
                    round_id=rnd.id,
                    name=rating.name,
                    year=rating.year,
                    deadline=deadline,
                    rule_version=rnd.rule_version,
                    demand_ids=rating.demand_ids,
                )
            )
        self.save(rnd, *orders)
        return rnd

    def distribute(self, meta: Meta, round_id: UUID, recipients: list[str]) -> RatingRound:
        rnd = self.rating_round(round_id, meta.county)
        for recipient in recipients:
            rnd.distribute(meta, recipient)
        self.save(rnd)
        return rnd
