"""`shishi audit replay` answers "what did it look like then, and who changed it, when, why"
from the data directory alone: one object as of a date with its history, and every read model
as of a date."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from uuid import uuid4

import pytest

from services.tools.cli.main import main
from shared.audit.stores import open_store
from shared.bus.messages import Delivered
from shared.config import Settings
from shared.contracts import Actor, Envelope
from shared.contracts import decision as d
from shared.kernel.meta import Meta
from shared.kernel.rulebook import rulebook_id
from shared.persistence.application import Inbound

SERVICE = "supervision"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    app = open_store(Settings(service=SERVICE, data_dir=tmp_path))
    for when, days, reason in [
        (datetime(2025, 3, 1, tzinfo=UTC), 20, "常委会决定"),
        (datetime(2025, 7, 1, tzinfo=UTC), 25, "年中调整"),
    ]:
        app.revise_rules(
            SERVICE,
            Meta("440781", "congress_staff", "staff-3", when, reason=reason),
            {"plan_due_days": days},
            {"plan_due_days": 30},
        )
    app.close()
    return tmp_path


def test_one_object_as_of_a_date_with_its_history(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = rulebook_id(SERVICE, "440781")
    assert (
        main(["audit", "replay", "--as-of", "2025-06-30", "--aggregate", str(book), "--data-dir", str(data_dir)]) == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert out["service"] == SERVICE and out["state"]["state"]["values"]["plan_due_days"] == 20
    assert [(e["actor_id"], e["reason"]) for e in out["history"]][-2:] == [
        ("staff-3", "常委会决定"),
        ("staff-3", "年中调整"),
    ]
    assert (
        main(["audit", "replay", "--as-of", "2024-12-31", "--aggregate", str(book), "--data-dir", str(data_dir)]) == 0
    )
    assert json.loads(capsys.readouterr().out)["state"] is None  # it did not exist yet


def test_bad_moment_and_unknown_object_are_refused(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "replay", "--as-of", "mid-June", "--data-dir", str(data_dir)]) == 2
    assert "ISO 8601" in capsys.readouterr().err
    assert (
        main(["audit", "replay", "--aggregate", "6f1c1d8e-3c55-4b8e-9b51-6d0a6c3a0f10", "--data-dir", str(data_dir)])
        == 1
    )


def test_read_models_as_of_a_date(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Two projects adopted in March and August: the county's board as of June shows one."""
    from services.supervision.inbound.handlers import POLICIES
    from services.supervision.main import create_app

    api = create_app(Settings(service=SERVICE, data_dir=tmp_path), start_runtime=False)
    app = api.state.application
    for n, adopted in enumerate([datetime(2025, 3, 10, tzinfo=UTC), datetime(2025, 8, 10, tzinfo=UTC)]):
        payload = d.ProjectAdopted(
            project_id=uuid4(),
            candidate_id=uuid4(),
            year=2025,
            tier="major",
            name=f"项目{n}",
            content="道路修缮",
            implementing_body="县交通局",
            investment=Decimal(800000),
            deadline=date(2025, 12, 31),
            demand_ids=[],
        )
        env = Envelope(
            event_id=uuid4(),
            type=payload.type_name(),
            schema_version=1,
            county="440781",
            occurred_at=adopted,
            recorded_at=adopted,
            actor=Actor(role="system", id="test"),
            payload=payload.model_dump(mode="json"),
        )
        app.process_batch([Inbound("DECISION", n + 1, Delivered(env, payload))], POLICIES.handler(app))
    app.close()

    def board(as_of: str) -> dict:
        assert (
            main(
                [
                    "audit",
                    "replay",
                    "--as-of",
                    as_of,
                    "--json",
                    "--service",
                    SERVICE,
                    "--county",
                    "440781",
                    "--data-dir",
                    str(tmp_path),
                ]
            )
            == 0
        )
        return json.loads(capsys.readouterr().out)["services"][SERVICE]["440781"]

    june, december = board("2025-06-30"), board("2025-12-31")
    kind = next(k for k, docs in december.items() if len(docs) == 2 and all("name" in doc for doc in docs))
    assert [doc["name"] for doc in june[kind]] == ["项目0"]
    assert sorted(doc["name"] for doc in december[kind]) == ["项目0", "项目1"]
