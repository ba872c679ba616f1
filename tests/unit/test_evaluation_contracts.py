"""What evaluation publishes: a look-back problem for intake (with lineage), verdicts with their
round, and never a ballot or a check-in."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

from services.evaluation.domain.round import RatingRound
from services.evaluation.domain.voice import ProjectVoice
from services.evaluation.outbound.contracts import to_contracts
from shared.ballots.box import BallotBox
from shared.contracts import evaluation as c
from shared.kernel.meta import Meta


def meta(day: date) -> Meta:
    return Meta(
        county="440781",
        actor_role="deputy",
        actor_id="d1",
        occurred_at=datetime(day.year, day.month, day.day, 9, tzinfo=UTC),
    )


def test_a_lookback_problem_is_published_for_intake_with_lineage() -> None:
    demands = [uuid4(), uuid4()]
    voice = ProjectVoice(
        meta=meta(date(2025, 10, 1)),
        project_id=uuid4(),
        year=2025,
        tier="micro",
        name="排水改造",
        town="大江镇",
        completed_on=date(2025, 10, 1),
        lookback_due=date(2026, 10, 1),
        demand_ids=demands,
    )
    voice.look_back(meta(date(2026, 10, 5)), date(2026, 10, 5), True, True, True, "")
    voice.look_back(meta(date(2026, 10, 6)), date(2026, 10, 6), True, False, False, "排水口再次堵塞")
    published = [x for e in voice.collect_events() for x in to_contracts(e)]
    problems = [p for p in published if isinstance(p, c.LookbackProblemFound)]
    assert len(problems) == 1
    p = problems[0]
    assert (p.project_name, p.town, p.problem, p.demand_ids, p.held_up) == (
        "排水改造",
        "大江镇",
        "排水口再次堵塞",
        demands,
        False,
    )
    assert c.LookbackProblemFound.subject("440781") == "shishi.440781.evaluation.lookback-problem-found"


def test_check_ins_credentials_and_ballots_never_go_on_the_wire() -> None:
    m, pid = meta(date(2026, 1, 10)), str(uuid4())
    rnd = RatingRound(
        meta=m,
        session_year=2026,
        rated_year=2025,
        session_closes_on=date(2026, 1, 20),
        projects=[{"project_id": pid, "name": "道路", "tier": "major"}],
        mode="electronic",
        rule_version=1,
        rules={},
    )
    rnd.make_key(m, "kid-1", {"kty": "RSA", "kid": "kid-1"})
    rnd.check_in(m, "deputy-1")
    rnd.issue_credential(m, "deputy-1")
    box = BallotBox(
        key="k",
        meta=m,
        title="t",
        items=[{"id": pid, "label": "道路"}],
        choices=["satisfied", "basically_satisfied", "unsatisfied"],
        mode="electronic",
        issued=1,
        limits={},
    )
    box.check_ballot({pid: "satisfied"})
    published = [x for e in [*rnd.collect_events(), *box.collect_events()] for x in to_contracts(e)]
    assert [type(x) for x in published] == [c.RatingRoundOpened]
