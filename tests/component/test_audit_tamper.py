"""`shishi audit verify` catches every way history can be altered after the fact: an edited,
deleted, reordered, inserted or truncated event, a forged or re-signed checkpoint, and two
checkpoints that fork; an untouched store (even with events newer than the last checkpoint)
verifies."""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.tools.audit.commands import verify_data_dir
from services.tools.cli.main import main
from shared.audit.log import MerkleLog, sidecar_path
from shared.audit.merkle import leaf_hash, root
from shared.audit.signing import Checkpoint, load_or_create_signer, public_key_text, read_public_key
from shared.audit.stores import open_store
from shared.audit.verify import Problem, Trusted
from shared.config import Settings
from shared.kernel.meta import Meta

SERVICE = "supervision"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """Nine stored events of three counties' rule books, all logged and covered by two checkpoints."""
    settings = Settings(service=SERVICE, data_dir=tmp_path)
    app = open_store(settings)
    log = MerkleLog(sidecar_path(settings.service_dir), SERVICE)
    signer = load_or_create_signer(tmp_path, SERVICE)
    for n, county in enumerate(["440781", "440703", "440705"] * 2):
        meta = Meta(
            county, "congress_staff", f"staff-{n}", datetime(2025, 3, 1 + n, tzinfo=UTC), reason=f"revision {n}"
        )
        app.revise_rules(SERVICE, meta, {"plan_due_days": 20 + n}, {"plan_due_days": 30})
        if n == 2:
            log.follow(app.recorder)
            log.checkpoint(signer)
    log.follow(app.recorder)
    log.checkpoint(signer)
    assert log.size() == 9 and len(log.checkpoints()) == 2
    log.close()
    app.close()
    return tmp_path


def problems(data_dir: Path) -> list[Problem]:
    (report,) = verify_data_dir(data_dir)
    return report.problems


def kinds(data_dir: Path) -> set[str]:
    return {p.kind for p in problems(data_dir)}


def events_db(data_dir: Path) -> sqlite3.Connection:
    return sqlite3.connect(data_dir / SERVICE / "events.sqlite", isolation_level=None)


def test_untouched_store_verifies(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert problems(data_dir) == []
    assert main(["audit", "verify", "--data-dir", str(data_dir)]) == 0
    assert "OK" in capsys.readouterr().out


def test_events_after_the_last_checkpoint_are_not_an_alarm(data_dir: Path) -> None:
    app = open_store(Settings(service=SERVICE, data_dir=data_dir))
    app.revise_rules(
        SERVICE,
        Meta("440781", "congress_staff", "s", datetime(2025, 9, 1, tzinfo=UTC), reason="autumn"),
        {"plan_due_days": 40},
        {"plan_due_days": 30},
    )
    (report,) = verify_data_dir(data_dir)
    assert report.ok and report.events == 10 and report.covered == 9


def test_edited_event_is_caught(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = events_db(data_dir)
    (state,) = db.execute("SELECT state FROM stored_events WHERE rowid=5").fetchone()
    edited = bytes(state).replace(b"staff-2", b"staff-9")  # someone else did it, says the store now
    assert edited != bytes(state)
    db.execute("UPDATE stored_events SET state=? WHERE rowid=5", (edited,))
    found = problems(data_dir)
    assert {"edited", "checkpoint_mismatch"} <= {p.kind for p in found}
    assert next(p for p in found if p.kind == "edited").notification_id == 5
    assert main(["audit", "verify", "--data-dir", str(data_dir)]) == 1
    assert "TAMPERED" in capsys.readouterr().out


def test_deleted_event_is_caught(data_dir: Path) -> None:
    events_db(data_dir).execute("DELETE FROM stored_events WHERE rowid=4")
    assert {"deleted", "checkpoint_mismatch"} <= kinds(data_dir)


def test_reordered_events_are_caught(data_dir: Path) -> None:
    db = events_db(data_dir)
    a = db.execute("SELECT originator_id, originator_version, topic, state FROM stored_events WHERE rowid=7").fetchone()
    b = db.execute("SELECT originator_id, originator_version, topic, state FROM stored_events WHERE rowid=8").fetchone()
    update = "UPDATE stored_events SET originator_id=?, originator_version=?, topic=?, state=? WHERE rowid=?"
    db.execute(update, ("temporary", 0, a[2], a[3], 7))
    db.execute(update, ("temporary", 1, b[2], b[3], 8))
    db.execute(update, (*b, 7))  # row 7 now holds row 8's event ...
    db.execute(update, (*a, 8))  # ... and row 8 holds row 7's
    assert {"reordered", "checkpoint_mismatch"} <= kinds(data_dir)


def test_inserted_event_is_caught(data_dir: Path) -> None:
    db = events_db(data_dir)
    rows = db.execute(
        "SELECT rowid, originator_id, originator_version, topic, state FROM stored_events "
        "WHERE rowid >= 6 ORDER BY rowid DESC"
    ).fetchall()
    db.execute("DELETE FROM stored_events WHERE rowid >= 6")
    for rowid, *rest in reversed(rows):
        db.execute(
            "INSERT INTO stored_events (rowid, originator_id, originator_version, topic, state) VALUES (?,?,?,?,?)",
            (rowid + 1, *rest),
        )
    forged = rows[-1]
    db.execute(
        "INSERT INTO stored_events (rowid, originator_id, originator_version, topic, state) VALUES (?,?,?,?,?)",
        (6, "6f1c1d8e-3c55-4b8e-9b51-6d0a6c3a0f10", 1, forged[3], forged[4]),
    )
    assert {"inserted", "checkpoint_mismatch"} <= kinds(data_dir)


def test_truncated_store_is_caught(data_dir: Path) -> None:
    events_db(data_dir).execute("DELETE FROM stored_events WHERE rowid > 7")
    assert "truncated" in kinds(data_dir)


def test_forked_checkpoints_are_caught(data_dir: Path) -> None:
    """A second history signed with the same key: the later checkpoint no longer extends the first."""
    settings = Settings(service=SERVICE, data_dir=data_dir)
    log = MerkleLog(sidecar_path(settings.service_dir), SERVICE)
    signer = load_or_create_signer(data_dir, SERVICE)
    leaves = log.leaf_hashes()
    other = [leaf_hash(b"another history")] + leaves[1:] + [leaf_hash(b"x")]
    log.keep(signer.sign(SERVICE, len(other), root(other).hex(), "2026-01-01T00:00:00Z"))
    log.keep(signer.sign(SERVICE, 6, root(other[:6]).hex(), "2026-01-02T00:00:00Z"))
    log.close()
    assert "fork" in kinds(data_dir)


def test_rewritten_store_with_a_rebuilt_log_fails_the_signatures(data_dir: Path) -> None:
    """Whoever edits an event and rebuilds the sidecar log cannot re-sign without the key."""
    db = events_db(data_dir)
    (state,) = db.execute("SELECT state FROM stored_events WHERE rowid=2").fetchone()
    edited = bytes(state).replace(b"revision 0", b"revision X")
    assert edited != bytes(state)
    db.execute("UPDATE stored_events SET state=? WHERE rowid=2", (edited,))
    sidecar = sidecar_path(data_dir / SERVICE)
    keep = (
        sqlite3.connect(sidecar)
        .execute("SELECT service, size, root, time, key_id, signature FROM checkpoints")
        .fetchall()
    )
    sidecar.unlink()
    app = open_store(Settings(service=SERVICE, data_dir=data_dir))
    log = MerkleLog(sidecar, SERVICE)
    log.follow(app.recorder)
    from shared.audit.signing import Checkpoint

    for row in keep:
        log.keep(Checkpoint(*row))  # the old, genuinely signed checkpoints still stand
    log.close()
    assert "checkpoint_mismatch" in kinds(data_dir)


# -- trust without NATS: the log must be there, and what an auditor kept earlier must still hold ----------
@pytest.fixture(autouse=True)
def pin_file(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test pins into a file of its own (never the developer's ~/.config/shishi/pins.json)."""
    path = tmp_path_factory.mktemp("pins") / "pins.json"
    monkeypatch.setenv("SHISHI_AUDIT_PINS", str(path))
    return path


def resign(data_dir: Path, *, new_key: bool = False) -> None:
    """What someone holding the data dir (and its key) can do: rebuild the sidecar log over the store
    as it is now and sign it again (with a key of their own if ``new_key``)."""
    if new_key:
        for path in (data_dir / "audit").glob(f"{SERVICE}-ed25519.*"):
            path.unlink()
    sidecar = sidecar_path(data_dir / SERVICE)
    for path in sidecar.parent.glob(sidecar.name + "*"):
        path.unlink()
    app = open_store(Settings(service=SERVICE, data_dir=data_dir))
    log = MerkleLog(sidecar, SERVICE)
    log.follow(app.recorder)
    log.checkpoint(load_or_create_signer(data_dir, SERVICE))
    log.close()
    app.close()


def edit_event(data_dir: Path, rowid: int = 2) -> None:
    db = events_db(data_dir)
    (state,) = db.execute("SELECT state FROM stored_events WHERE rowid=?", (rowid,)).fetchone()
    db.execute(
        "UPDATE stored_events SET state=? WHERE rowid=?", (bytes(state).replace(b"revision", b"revisiom"), rowid)
    )


def test_events_without_their_log_fail(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sidecar = sidecar_path(data_dir / SERVICE)
    for path in sidecar.parent.glob(sidecar.name + "*"):
        path.unlink()
    assert "log_missing" in kinds(data_dir)
    assert main(["audit", "verify", "--data-dir", str(data_dir)]) == 1
    assert "log_missing: 9 events are stored" in capsys.readouterr().out


def test_the_first_verify_pins_key_and_checkpoint(data_dir: Path, pin_file: Path) -> None:
    assert main(["audit", "verify", "--data-dir", str(data_dir)]) == 0
    pinned = json.loads(pin_file.read_text())[str(data_dir.resolve())][SERVICE]
    assert pinned["checkpoint"]["size"] == 9 and pinned["public_key"] == public_key(data_dir)


@pytest.mark.parametrize(
    ("tamper", "kind"),
    [
        (lambda d: (edit_event(d), resign(d)), "rewritten"),
        (lambda d: (events_db(d).execute("DELETE FROM stored_events WHERE rowid > 6"), resign(d)), "rolled_back"),
        (lambda d: (edit_event(d), resign(d, new_key=True)), "key_changed"),
    ],
    ids=["re-signed", "rolled-back", "re-keyed"],
)
def test_a_history_changed_after_pinning_is_caught(data_dir: Path, tamper, kind: str) -> None:
    assert main(["audit", "verify", "--data-dir", str(data_dir)]) == 0  # pinned on first use
    tamper(data_dir)
    assert problems(data_dir) == []  # the data dir alone is consistent again ...
    (report,) = verify_data_dir(data_dir, trusted=trusted_pins(data_dir))
    assert kind in {p.kind for p in report.problems}  # ... but not with what was pinned
    assert main(["audit", "verify", "--data-dir", str(data_dir)]) == 1


def test_a_key_and_checkpoint_published_earlier_catch_a_re_signed_history(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = MerkleLog(sidecar_path(data_dir / SERVICE), SERVICE)
    published = tmp_path / "checkpoints.json"
    published.write_text(json.dumps({"checkpoints": [c.as_dict() for c in log.checkpoints()]}))
    log.close()
    key = public_key(data_dir)
    flags = ["--no-pin", "--key", f"{SERVICE}={key}", "--checkpoint", str(published)]
    assert main(["audit", "verify", "--data-dir", str(data_dir), *flags]) == 0
    edit_event(data_dir, rowid=4)
    resign(data_dir)
    assert main(["audit", "verify", "--data-dir", str(data_dir), *flags]) == 1
    assert "rewritten" in capsys.readouterr().out
    resign(data_dir, new_key=True)
    assert main(["audit", "verify", "--data-dir", str(data_dir), *flags]) == 1
    assert "key_changed" in capsys.readouterr().out


def public_key(data_dir: Path) -> str:
    key = read_public_key(data_dir, SERVICE)
    assert key is not None
    return public_key_text(key)


def trusted_pins(data_dir: Path) -> dict[str, Trusted]:
    pins = json.loads(Path(os.environ["SHISHI_AUDIT_PINS"]).read_text())[str(data_dir.resolve())]
    return {s: Trusted(p["public_key"], [Checkpoint.from_dict(p["checkpoint"])]) for s, p in pins.items()}
