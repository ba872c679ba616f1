"""The sidecar Merkle log agrees with RFC 6962 whatever the batch sizes and restarts, its proofs
verify, and an exported bundle verifies offline — and stops verifying when anything in it is
altered."""

from __future__ import annotations

import base64
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.tools.cli.main import main
from shared.audit.bundle import verify_bundle
from shared.audit.leaf import record_of
from shared.audit.log import MerkleLog, sidecar_path
from shared.audit.merkle import (
    consistency_proof,
    inclusion_proof,
    memory_subtree,
    root,
    verify_consistency,
)
from shared.audit.signing import load_or_create_signer, public_key_text
from shared.audit.stores import open_store
from shared.config import Settings
from shared.kernel.meta import Meta
from shared.persistence.application import ServiceApplication

SERVICE = "evaluation"


def fill(app: ServiceApplication, n: int, county: str = "440781", year: int = 2025) -> None:
    for i in range(n):
        meta = Meta(county, "congress_staff", "s", datetime(year, 1 + i % 12, 1, tzinfo=UTC), reason=f"r{i}")
        app.revise_rules(SERVICE, meta, {"satisfied_share": 0.5 + i / 1000}, {"satisfied_share": 0.66})


def test_log_matches_the_reference_hashing_across_batches_and_restarts(tmp_path: Path) -> None:
    settings = Settings(service=SERVICE, data_dir=tmp_path)
    app = open_store(settings)
    path = sidecar_path(settings.service_dir)
    for rounds in (1, 5, 17, 3):
        fill(app, rounds)
        log = MerkleLog(path, SERVICE)  # a fresh instance each round: a restarted service
        log.follow(app.recorder, batch=4)
        log.close()
    log = MerkleLog(path, SERVICE)
    leaves = [record_of(n).leaf_hash() for n in app.recorder.select_notifications(0, 1000)]
    assert log.size() == len(leaves) == 26 + 1  # the first revision also opens the rule book
    sub = memory_subtree(leaves)
    for size in range(1, len(leaves) + 1):
        assert log.root(size) == root(leaves[:size])
        for i in range(0, size, 5):
            assert log.inclusion(i, size) == inclusion_proof(i, size, sub)
        assert log.consistency(max(1, size // 3), size) == consistency_proof(max(1, size // 3), size, sub)
        assert verify_consistency(
            size // 2, size, root(leaves[: size // 2]), root(leaves[:size]), log.consistency(size // 2, size)
        )
    assert log.follow(app.recorder) == 0  # nothing appended twice


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    app = open_store(Settings(service=SERVICE, data_dir=data))
    fill(app, 6, "440781", 2025)
    fill(app, 4, "440703", 2025)
    fill(app, 3, "440781", 2024)
    log = MerkleLog(sidecar_path(data / SERVICE), SERVICE)
    log.follow(app.recorder)
    log.checkpoint(load_or_create_signer(data, SERVICE))
    log.close()
    fill(app, 2, "440781", 2025)  # after the last checkpoint: the export signs a new one
    out = tmp_path / "bundle"
    assert (
        main(["audit", "export", "--county", "440781", "--year", "2025", "--data-dir", str(data), "--out", str(out)])
        == 0
    )
    return out


def test_export_holds_the_county_year_and_verifies_offline(
    bundle: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "another-machine"
    shutil.copytree(bundle, elsewhere)  # nothing but the bundle
    manifest = json.loads((elsewhere / "manifest.json").read_text())
    lines = (elsewhere / SERVICE / "events.jsonl").read_text().splitlines()
    events = [json.loads(line) for line in lines]
    assert manifest["services"][SERVICE]["events"] == len(events) == 6 + 1 + 2
    assert all(e["state"]["meta"]["_data_"]["county"] == "440781" for e in events)
    assert "shishi audit verify --bundle" in (elsewhere / "README.md").read_text()
    (report,) = verify_bundle(elsewhere)
    assert report.ok and report.events == 9 and report.checkpoints == 2
    capsys.readouterr()
    assert main(["audit", "verify", "--bundle", str(elsewhere)]) == 0
    key = manifest["services"][SERVICE]["public_key"]
    assert main(["audit", "verify", "--bundle", str(elsewhere), "--public-key", f"{SERVICE}={key}"]) == 0


def test_an_edited_bundle_event_fails(bundle: Path) -> None:
    path = bundle / SERVICE / "events.jsonl"
    lines = path.read_text().splitlines()
    event = json.loads(lines[2])

    genuine = base64.b64decode(event["state_b64"])
    state = genuine.replace(b"congress_staff", b"gov_unit")  # "it was the government's doing"
    assert state != genuine
    event["state_b64"] = base64.b64encode(state).decode()
    lines[2] = json.dumps(event)
    path.write_text("\n".join(lines) + "\n")
    (report,) = verify_bundle(bundle)
    assert [p.kind for p in report.problems] == ["edited"]
    assert main(["audit", "verify", "--bundle", str(bundle)]) == 1


def test_a_bundle_signed_by_another_key_fails_against_the_pinned_key(bundle: Path, tmp_path: Path) -> None:
    other = load_or_create_signer(tmp_path / "attacker", SERVICE)
    manifest = json.loads((bundle / "manifest.json").read_text())
    genuine = manifest["services"][SERVICE]["public_key"]
    head = manifest["services"][SERVICE]["checkpoint"]
    forged = other.sign(SERVICE, head["size"], head["root"], head["time"])
    manifest["services"][SERVICE].update(checkpoint=forged.as_dict(), public_key=public_key_text(other.public))
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    (report,) = verify_bundle(bundle, {SERVICE: genuine})
    assert {"bad_signature"} <= {p.kind for p in report.problems}
