"""State that survives a pod: on PostgreSQL the audit log and the signing key live in the service's
database, shared by every replica, and a backup of the database restored elsewhere passes
``shishi audit verify`` with nothing from any machine's disk.

* two replicas of intake on one database get the same signing key and append to one log: the log
  and the checkpoints are the same whichever replica wrote them;
* a key mounted from a Secret (``SHISHI_AUDIT_KEY_FILE``) is used and recorded; another key is
  refused (it could not verify the earlier checkpoints);
* ``pg_dump -Fc`` of the database, ``pg_restore`` into a new one, then ``shishi audit verify`` from an
  empty data directory with ``SHISHI_POSTGRES_DBNAME=restored_…_{service}``: OK, every event covered;
  an event edited in the restored copy is caught.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.audit.storage import KeyMismatch, signer_for
from shared.config import Settings
from tests.fixtures.postgres import PostgresServer
from tests.fixtures.service import InProcessService

pytestmark = pytest.mark.postgres


def binary(name: str) -> str:
    """``pg_dump`` / ``pg_restore`` beside the server's binaries, else on PATH."""
    initdb = shutil.which("initdb")
    if initdb and (Path(initdb).resolve().parent / name).exists():
        return str(Path(initdb).resolve().parent / name)
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} not found (PostgreSQL's client programs)")
    return found


def pg_env(server: PostgresServer) -> dict[str, str]:
    return {**os.environ, "PGPASSWORD": server.password}


def base_settings(server: PostgresServer, prefix: str, data_dir: Path) -> Settings:
    return Settings(
        service="intake",
        data_dir=data_dir,
        persistence="postgres",
        postgres_host=server.host,
        postgres_port=server.port,
        postgres_user=server.user,
        postgres_password=server.password,
        postgres_dbname=f"{prefix}_{{service}}",
    )


def submit(replica: InProcessService, n: int) -> None:
    for i in range(n):
        replica.call(
            "POST",
            "/demands",
            json={"county": "440781", "town": "台城街道", "category": "roads", "text": f"路灯不亮 {i}"},
            expect=201,
        )


def verify(server: PostgresServer, prefix: str, data_dir: Path) -> tuple[int, dict]:
    env = {
        **os.environ,
        "SHISHI_PERSISTENCE": "postgres",
        "SHISHI_POSTGRES_HOST": server.host,
        "SHISHI_POSTGRES_PORT": str(server.port),
        "SHISHI_POSTGRES_USER": server.user,
        "SHISHI_POSTGRES_PASSWORD": server.password,
        "SHISHI_POSTGRES_DBNAME": f"{prefix}_{{service}}",
    }
    result = subprocess.run(
        [sys.executable, "-m", "services.tools.cli.main", "audit", "verify", "--data-dir", str(data_dir)]
        + ["--no-pin", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result.returncode, json.loads(result.stdout) if result.stdout.strip() else {"stderr": result.stderr}


def test_replicas_share_one_log_and_key_and_a_restored_backup_verifies(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    live = f"live{uuid.uuid4().hex[:8]}"
    postgres_server.create_database(f"{live}_intake")
    settings = base_settings(postgres_server, live, tmp_path / "pod-a")
    a = InProcessService("intake", tmp_path / "pod-a", base=settings)
    b = InProcessService(
        "intake", tmp_path / "pod-b", base=settings.model_copy(update={"data_dir": tmp_path / "pod-b"})
    )
    audit_a, audit_b = a.api.state.audit, b.api.state.audit
    assert audit_a.signer.key_id == audit_b.signer.key_id  # one key for every replica, from the database
    assert not (tmp_path / "pod-a" / "audit").exists()  # nothing on the pod's disk

    submit(a, 5)
    audit_a.follower.catch_up()
    first = audit_a.log.checkpoint(audit_a.signer)
    submit(b, 4)
    audit_b.follower.catch_up()
    audit_a.follower.catch_up()  # the other replica finds the leaves already there
    second = audit_b.log.checkpoint(audit_b.signer)
    assert audit_a.log.checkpoint(audit_a.signer) is None  # that head is signed already, by the other
    assert first is not None and second is not None and second.size > first.size
    assert audit_a.log.leaf_rows() == audit_b.log.leaf_rows()
    assert audit_a.log.checkpoints() == audit_b.log.checkpoints() == [first, second]
    events = a.app.recorder.max_notification_id()

    dump = tmp_path / "intake.dump"
    subprocess.run(
        [binary("pg_dump"), "-Fc", "-h", postgres_server.host, "-p", str(postgres_server.port)]
        + ["-U", postgres_server.user, "-f", str(dump), f"{live}_intake"],
        env=pg_env(postgres_server),
        check=True,
        timeout=120,
    )
    restored = f"restored{uuid.uuid4().hex[:8]}"
    postgres_server.create_database(f"{restored}_intake")
    subprocess.run(
        [binary("pg_restore"), "--no-owner", "-h", postgres_server.host, "-p", str(postgres_server.port)]
        + ["-U", postgres_server.user, "-d", f"{restored}_intake", str(dump)],
        env=pg_env(postgres_server),
        check=True,
        timeout=120,
    )

    elsewhere = tmp_path / "auditor"  # another machine: an empty data directory
    elsewhere.mkdir()
    code, report = verify(postgres_server, restored, elsewhere)
    assert code == 0, report
    (intake,) = report["services"]
    assert intake["ok"] and intake["events"] == events and intake["covered"] == second.size == events

    with postgres_server.connect(f"{restored}_intake", autocommit=True) as conn:
        conn.execute(
            "UPDATE intake_events SET state = convert_to(replace(convert_from(state, 'UTF8'), '路灯不亮 2', "
            "'路灯不亮 X'), 'UTF8') WHERE notification_id = (SELECT MIN(notification_id) FROM intake_events "
            "WHERE convert_from(state, 'UTF8') LIKE '%路灯不亮 2%')"
        )
    code, report = verify(postgres_server, restored, elsewhere)
    assert code == 1
    assert {p["kind"] for p in report["services"][0]["problems"]} == {"checkpoint_mismatch", "edited"}


def test_a_mounted_key_is_used_and_recorded_and_another_is_refused(postgres_server: PostgresServer, tmp_path: Path):
    prefix = f"keys{uuid.uuid4().hex[:8]}"
    postgres_server.create_database(f"{prefix}_intake")

    def key_file(name: str) -> Path:
        path = tmp_path / name
        path.write_bytes(
            Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        return path

    mounted = key_file("intake-ed25519.key")
    settings = base_settings(postgres_server, prefix, tmp_path / "pod").model_copy(update={"audit_key_file": mounted})
    signer = signer_for(settings)
    assert signer_for(settings).key_id == signer.key_id
    with pytest.raises(KeyMismatch, match="not the key"):
        signer_for(settings.model_copy(update={"audit_key_file": key_file("other.key")}))
    with pytest.raises(KeyMismatch, match="SHISHI_AUDIT_KEY_FILE"):
        signer_for(settings.model_copy(update={"audit_key_file": None}))  # the private key is not in the database
