"""Evaluation's read models, folded from its own events: one document per project (verdict,
rectification, residents' voice), per rating round (attendance, published ballots, results),
and the adopted projects and demands recorded from other services for the metrics."""

from __future__ import annotations

from services.evaluation.domain.adopted_project import AdoptedProject
from services.evaluation.domain.demand_record import DemandRecord
from services.evaluation.domain.rating import ProjectRating, rating_id_for
from services.evaluation.domain.rectification import Rectification
from services.evaluation.domain.round import RatingRound
from services.evaluation.domain.voice import ProjectVoice
from services.evaluation.domain.vote_record import VoteRecord
from shared.ballots.box import BallotBox
from shared.kernel.rulebook import RuleBook
from shared.views.store import ViewTx

# The fold's version: raise it whenever what the fold writes changes, and every deployment's read
# models are folded again from the start on their next start (shared.views.updater.ViewUpdater.check_version).
VERSION = 1

RATING = "rating"
ROUND = "round"
BOX = "box"
ADOPTED = "adopted"
DEMAND = "demand"
VOTE = "vote"  # a vote declared at a county, town or street session (coverage)
RULES = "rules"  # the county's current evaluation rules (the registered towns/streets, for coverage)
LINK = "link"  # voice / rectification aggregate id -> the project's rating document


def _at(event: object) -> str:
    return event.meta.occurred_at.isoformat()  # type: ignore[attr-defined]


def _levels() -> dict[str, int]:
    return {"satisfied": 0, "basically_satisfied": 0, "unsatisfied": 0}


def project(tx: ViewTx, event: object) -> None:
    if isinstance(event, ProjectRating.Event):
        _rating(tx, event)
    elif isinstance(event, (ProjectVoice.Event, Rectification.Event)):
        _linked(tx, event)
    elif isinstance(event, (RatingRound.Event, BallotBox.Event)):
        _round(tx, event)
    elif isinstance(event, AdoptedProject.Recorded):
        tx.put(
            ADOPTED,
            str(event.project_id),
            event.meta.county,
            {
                "project_id": str(event.project_id),
                "county": event.meta.county,
                "year": event.year,
                "tier": event.tier,
                "name": event.name,
                "deadline": event.deadline.isoformat(),
            },
        )
    elif isinstance(event, (RuleBook.Opened, RuleBook.Revised)):
        tx.put(RULES, event.meta.county, event.meta.county, {"county": event.meta.county, "values": event.values})
    elif isinstance(event, VoteRecord.Recorded):
        tx.put(
            VOTE,
            str(event.originator_id),
            event.meta.county,
            {
                "county": event.meta.county,
                "session_id": str(event.session_id),
                "round_no": event.round_no,
                "year": event.year,
                "level": event.level,
                "town": event.town,
                "status": event.status,
            },
        )
    elif isinstance(event, DemandRecord.Recorded):
        tx.put(LINK, str(event.originator_id), event.meta.county, {"demand_id": str(event.demand_id)})
        tx.put(
            DEMAND,
            str(event.demand_id),
            event.meta.county,
            {
                "demand_id": str(event.demand_id),
                "county": event.meta.county,
                "channel": event.channel,
                "town": event.town,
                "category": event.category,
                "submitted_at": event.submitted_at.isoformat(),
                "statuses": [],
                "kind": None,
                "tier": None,
                "scope": None,
            },
        )
    elif isinstance(event, DemandRecord.Routed):
        link = tx.get(LINK, str(event.originator_id)) or {}
        if "demand_id" in link:
            tx.update(
                DEMAND, link["demand_id"], lambda d: d.update(kind=event.kind, tier=event.tier, scope=event.scope)
            )
    elif isinstance(event, DemandRecord.StatusSeen):
        link = tx.get(LINK, str(event.originator_id)) or {}
        if "demand_id" in link:
            tx.update(
                DEMAND,
                link["demand_id"],
                lambda d: d["statuses"].append({"status": event.status, "at": _at(event), "note": event.note}),
            )


def _rating(tx: ViewTx, event: ProjectRating.Event) -> None:
    oid = str(event.originator_id)
    if isinstance(event, ProjectRating.Opened):
        tx.put(
            RATING,
            oid,
            event.meta.county,
            {
                "id": oid,
                "county": event.meta.county,
                "project_id": str(event.project_id),
                "year": event.year,
                "tier": event.tier,
                "name": event.name,
                "town": getattr(event, "town", ""),
                "on_time": event.on_time,
                "completed_on": _date(getattr(event, "completed_on", None)),
                "deadline": _date(getattr(event, "deadline", None)),
                "planned_investment": event.planned_investment,
                "spent": event.spent,
                "demand_ids": [str(d) for d in event.demand_ids],
                "status": "open",
                "verdict": None,
                "counts": {},
                "opened_at": _at(event),
                "round_id": None,
                "rectification": None,
                "residents": _levels(),
                "return_visits": [],
                "usage": None,
                "lookbacks": [],
                "lookback_due": None,
            },
        )
    elif isinstance(event, ProjectRating.Tallied):
        round_id = getattr(event, "round_id", None)
        tx.update(
            RATING,
            oid,
            lambda d: d.update(
                status="rated",
                verdict=event.verdict,
                rule_version=event.rule_version,
                rated_at=_at(event),
                round_id=str(round_id) if round_id else None,
                counts={
                    "satisfied": event.satisfied,
                    "basically_satisfied": event.basic,
                    "unsatisfied": event.unsatisfied,
                },
            ),
        )


def _date(value: object) -> str | None:
    return value.isoformat() if value is not None else None  # type: ignore[attr-defined]


def _linked(tx: ViewTx, event: object) -> None:
    oid = str(event.originator_id)  # type: ignore[attr-defined]
    project_id = getattr(event, "project_id", None)
    if project_id is not None:
        tx.put(LINK, oid, event.meta.county, {"rating_id": str(rating_id_for(project_id))})  # type: ignore[attr-defined]
    link = tx.get(LINK, oid)
    if not link or "rating_id" not in link:
        return
    rating_id = link["rating_id"]
    if isinstance(event, ProjectVoice.Opened):
        tx.update(RATING, rating_id, lambda d: d.update(lookback_due=_date(event.lookback_due)))
    elif isinstance(event, ProjectVoice.ResidentRated):
        tx.update(RATING, rating_id, lambda d: d["residents"].__setitem__(event.level, d["residents"][event.level] + 1))
    elif isinstance(event, ProjectVoice.ReturnVisited):
        tx.update(
            RATING,
            rating_id,
            lambda d: d["return_visits"].append(
                {
                    "visited_on": event.visited_on.isoformat(),
                    "respondent": event.respondent,
                    "level": event.level,
                    "note": event.note,
                }
            ),
        )
    elif isinstance(event, ProjectVoice.UsageMeasured):
        tx.update(
            RATING,
            rating_id,
            lambda d: d.update(
                usage={"rate": event.usage_rate, "measured_on": event.measured_on.isoformat(), "basis": event.basis}
            ),
        )
    elif isinstance(event, ProjectVoice.LookedBack):
        tx.update(
            RATING,
            rating_id,
            lambda d: d["lookbacks"].append(
                {
                    "checked_on": event.checked_on.isoformat(),
                    "in_use": event.in_use,
                    "held_up": event.held_up,
                    "residents_satisfied": event.residents_satisfied,
                    "problem": event.problem,
                }
            ),
        )
    elif isinstance(event, Rectification.Ordered):
        tx.update(
            RATING,
            rating_id,
            lambda d: d.update(
                rectification={
                    "status": "ordered",
                    "deadline": event.deadline.isoformat(),
                    "ordered_at": _at(event),
                    "report": None,
                    "reported_at": None,
                    "late": False,
                    "overdue_warning": None,
                    "re_rating": None,
                    "next_step": None,
                }
            ),
        )
    else:
        _rectification(tx, rating_id, event)


def _rectification(tx: ViewTx, rating_id: str, event: object) -> None:
    def change(d: dict) -> None:
        r = d["rectification"]
        if isinstance(event, Rectification.ReportFiled):
            r.update(status="reported", report=event.text, reported_at=_at(event), late=event.late)
        elif isinstance(event, Rectification.OverdueWarned):
            r.update(overdue_warning={"at": _at(event), "days_overdue": event.days_overdue})
        elif isinstance(event, Rectification.ReRated):
            r.update(
                status="escalation_pending" if event.verdict == "unsatisfied" else "closed",
                re_rating={
                    "verdict": event.verdict,
                    "satisfied": event.satisfied,
                    "basically_satisfied": event.basic,
                    "unsatisfied": event.unsatisfied,
                    "rule_version": event.rule_version,
                    "at": _at(event),
                },
            )
        elif isinstance(event, Rectification.NextStepRecorded):
            r.update(status="escalated", next_step={"step": event.step, "note": event.note, "at": _at(event)})

    tx.update(RATING, rating_id, change)


def _round(tx: ViewTx, event: object) -> None:
    oid = str(event.originator_id)  # type: ignore[attr-defined]
    county = event.meta.county  # type: ignore[attr-defined]
    if isinstance(event, RatingRound.Opened):
        tx.put(
            ROUND,
            oid,
            county,
            {
                "id": oid,
                "county": county,
                "session_year": event.session_year,
                "rated_year": event.rated_year,
                "session_closes_on": event.session_closes_on.isoformat(),
                "projects": event.projects,
                "mode": event.mode,
                "rule_version": event.rule_version,
                "status": "check_in",
                "present": [],
                "attending": 0,
                "box_id": None,
                "cast": 0,
                "paper_boxes": {},
                "published": [],
                "results": {},
                "ballots": {},
                "confirmed_at": None,
                "distributed": [],
                "opened_at": _at(event),
            },
        )
    elif isinstance(event, RatingRound.CheckedIn):
        tx.update(ROUND, oid, lambda d: (d["present"].append(event.deputy_id), d.update(attending=len(d["present"]))))
    elif isinstance(event, RatingRound.RatingStarted):
        tx.put(BOX, str(event.box_id), county, {"round_id": oid, "county": county})
        tx.update(ROUND, oid, lambda d: d.update(status="rating", box_id=str(event.box_id)))
    elif isinstance(event, RatingRound.Closed):
        tx.update(ROUND, oid, lambda d: d.update(status="closed", results=event.results, ballots=event.ballots))
    elif isinstance(event, RatingRound.Confirmed):
        tx.update(ROUND, oid, lambda d: d.update(status="confirmed", confirmed_at=_at(event)))
    elif isinstance(event, RatingRound.Distributed):
        tx.update(ROUND, oid, lambda d: d["distributed"].append({"recipient": event.recipient, "at": _at(event)}))
    elif isinstance(event, BallotBox.Event) and not isinstance(event, BallotBox.Opened):
        box = tx.get(BOX, oid)
        if box is None:
            return  # the box was opened in the same save as RatingStarted, which comes after it
        _box(tx, box["round_id"], event)


def _box(tx: ViewTx, round_id: str, event: object) -> None:
    if isinstance(event, BallotBox.Cast):  # only the number: the marks are published at close
        tx.update(ROUND, round_id, lambda d: d.update(cast=d["cast"] + 1))
    elif isinstance(event, BallotBox.BoxEntered):
        tx.update(
            ROUND,
            round_id,
            lambda d: d["paper_boxes"].__setitem__(
                event.box_no,
                {
                    "issued": event.issued,
                    "returned": event.returned,
                    "invalid": event.invalid,
                    "counts": event.counts,
                    "entered_by": event.meta.actor_id,
                    "confirmed_by": None,
                },
            ),
        )
    elif isinstance(event, BallotBox.BoxConfirmed):
        tx.update(ROUND, round_id, lambda d: d["paper_boxes"][event.box_no].update(confirmed_by=event.meta.actor_id))
    elif isinstance(event, BallotBox.Closed):
        tx.update(ROUND, round_id, lambda d: d.update(published=event.published, result=event.result))
