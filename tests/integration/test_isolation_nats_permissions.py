"""The deploy configuration's NATS permissions, on a real nats-server started from
`deploy/nats/nats-server.conf`: each service publishes only its own events, dead letters and
audit checkpoints; the auditor (a read-only user) reads the streams and publishes nothing."""

from __future__ import annotations

import asyncio
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import nats
import pytest
from nats.js.errors import NoStreamResponseError

from shared.audit.follower import ensure_audit_stream
from shared.bus.server import NatsServer, free_port
from shared.bus.streams import ensure_streams

CONF = Path(__file__).resolve().parents[2] / "deploy" / "nats" / "nats-server.conf"
USERS = ("intake", "decision", "supervision", "evaluation", "hotline", "gateway", "auditor")


@pytest.fixture
def deployed(tmp_path: Path) -> Iterator[str]:
    port, http = free_port(), free_port()
    text = CONF.read_text()
    text = re.sub(r"^listen: .*$", f"listen: 127.0.0.1:{port}", text, flags=re.MULTILINE)
    text = re.sub(r"^http: .*$", f"http: 127.0.0.1:{http}", text, flags=re.MULTILINE)
    text = text.replace("/data/jetstream", str(tmp_path / "jetstream"))
    conf = tmp_path / "nats-server.conf"
    conf.write_text(text)
    env = {f"{u.upper()}_NATS_PASSWORD": f"pw-{u}" for u in USERS}
    process = subprocess.Popen(
        [NatsServer.binary(), "-c", str(conf)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                asyncio.run(probe(f"nats://127.0.0.1:{port}"))
                break
            except Exception:  # noqa: BLE001 - not listening yet
                assert process.poll() is None, "nats-server refused the deploy configuration"
                assert time.monotonic() < deadline, "nats-server did not start"
                time.sleep(0.2)
        yield f"nats://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


async def probe(url: str) -> None:
    nc = await nats.connect(url, user="auditor", password="pw-auditor", connect_timeout=1, max_reconnect_attempts=0)
    await nc.close()


async def can_publish(url: str, user: str, subject: str) -> bool:
    """Whether ``user`` gets a JetStream ack for a message on ``subject``."""
    denied: list[str] = []

    async def errors(exc: Exception) -> None:
        denied.append(str(exc))

    nc = await nats.connect(url, user=user, password=f"pw-{user}", error_cb=errors, max_reconnect_attempts=0)
    try:
        try:
            await nc.jetstream(timeout=2).publish(subject, b"{}")
        except (nats.errors.TimeoutError, NoStreamResponseError, nats.errors.NoRespondersError):
            return False
        return not any("Permissions Violation" in d for d in denied)
    finally:
        await nc.close()


async def scenario(url: str) -> dict[tuple[str, str], bool]:
    nc = await nats.connect(url, user="intake", password="pw-intake")
    js = nc.jetstream(timeout=5)
    await ensure_streams(js)  # each service may declare the streams ...
    await ensure_audit_stream(js)  # ... and the audit stream
    await nc.close()
    checks = [
        ("intake", "shishi.440781.intake.demand-submitted"),
        ("intake", "shishi.440781.decision.project-adopted"),
        ("intake", "audit.intake.checkpoints"),
        ("intake", "audit.decision.checkpoints"),
        ("decision", "audit.decision.checkpoints"),
        ("decision", "shishi.440781.intake.demand-submitted"),
        ("auditor", "audit.intake.checkpoints"),
        ("auditor", "shishi.440781.intake.demand-submitted"),
        ("hotline", "hotline.440781.tickets"),
        ("hotline", "shishi.440781.intake.demand-submitted"),
    ]
    return {(user, subject): await can_publish(url, user, subject) for user, subject in checks}


def test_each_user_publishes_only_its_own_subjects(deployed: str) -> None:
    allowed = asyncio.run(scenario(deployed))
    assert allowed == {
        ("intake", "shishi.440781.intake.demand-submitted"): True,
        ("intake", "shishi.440781.decision.project-adopted"): False,
        ("intake", "audit.intake.checkpoints"): True,
        ("intake", "audit.decision.checkpoints"): False,
        ("decision", "audit.decision.checkpoints"): True,
        ("decision", "shishi.440781.intake.demand-submitted"): False,
        ("auditor", "audit.intake.checkpoints"): False,
        ("auditor", "shishi.440781.intake.demand-submitted"): False,
        ("hotline", "hotline.440781.tickets"): True,
        ("hotline", "shishi.440781.intake.demand-submitted"): False,
    }


async def ignore(exc: Exception) -> None:  # a refused request also shows as a permissions violation here
    pass


async def can_purge(url: str, user: str, stream: str) -> bool:
    nc = await nats.connect(url, user=user, password=f"pw-{user}", max_reconnect_attempts=0, error_cb=ignore)
    try:
        try:
            return bool(await nc.jetstream(timeout=2).purge_stream(stream, seq=1))
        except (nats.errors.TimeoutError, nats.errors.NoRespondersError, nats.js.errors.APIError):
            return False
    finally:
        await nc.close()


def test_only_intake_purges_only_the_hotline_stream(deployed: str) -> None:
    """Intake removes the tickets it applied from HOTLINE; nobody purges any other stream."""
    checks = [
        ("intake", "HOTLINE"),
        ("intake", "INTAKE"),
        ("intake", "DECISION"),
        ("decision", "HOTLINE"),
        ("hotline", "HOTLINE"),
        ("auditor", "HOTLINE"),
    ]

    async def run() -> dict[tuple[str, str], bool]:
        nc = await nats.connect(deployed, user="intake", password="pw-intake")
        await ensure_streams(nc.jetstream(timeout=5))
        await nc.close()
        return {(user, stream): await can_purge(deployed, user, stream) for user, stream in checks}

    assert asyncio.run(run()) == {
        ("intake", "HOTLINE"): True,
        ("intake", "INTAKE"): False,
        ("intake", "DECISION"): False,
        ("decision", "HOTLINE"): False,
        ("hotline", "HOTLINE"): False,
        ("auditor", "HOTLINE"): False,
    }


def test_a_service_reads_only_its_own_journal(deployed: str) -> None:
    """Each service resumes its journal from its own subject's last message (a direct get of that
    subject); it can neither read another service's journal nor fetch JOURNAL messages by number."""

    async def attempt(user: str, read) -> bool:
        nc = await nats.connect(deployed, user=user, password=f"pw-{user}", max_reconnect_attempts=0, error_cb=ignore)
        try:
            try:
                await read(nc.jetstream(timeout=2))
                return True
            except (nats.errors.TimeoutError, nats.errors.NoRespondersError, nats.js.errors.APIError):
                return False
        finally:
            await nc.close()

    async def run() -> dict[str, bool]:
        nc = await nats.connect(deployed, user="intake", password="pw-intake")
        js = nc.jetstream(timeout=5)
        await ensure_streams(js)
        await js.publish("journal.intake", b"{}", headers={"Nats-Msg-Id": "journal:intake:1"})
        await nc.close()
        nc = await nats.connect(deployed, user="decision", password="pw-decision")
        await nc.jetstream(timeout=5).publish("journal.decision", b"{}", headers={"Nats-Msg-Id": "journal:decision:1"})
        await nc.close()
        return {
            "intake own": await attempt("intake", lambda js: js.get_last_msg("JOURNAL", "journal.intake", direct=True)),
            "intake other": await attempt(
                "intake", lambda js: js.get_last_msg("JOURNAL", "journal.decision", direct=True)
            ),
            "decision other": await attempt(
                "decision", lambda js: js.get_last_msg("JOURNAL", "journal.intake", direct=True)
            ),
            "intake by number": await attempt("intake", lambda js: js.get_msg("JOURNAL", 1)),
            "decision publishes intake's": await attempt("decision", lambda js: js.publish("journal.intake", b"{}")),
        }

    assert asyncio.run(run()) == {
        "intake own": True,
        "intake other": False,
        "decision other": False,
        "intake by number": False,
        "decision publishes intake's": False,
    }


def test_a_service_changes_only_its_own_streams_and_declares_the_rest_without_changing_them(deployed: str) -> None:
    """Each service may create every stream (start order does not matter) but update only its
    own: not another service's, nor a shared one (JOURNAL's limits, say). Declaring streams that
    already have the declared configuration makes no update at all, so no service trips over the
    rights it lacks; a stream whose configuration differs is left as it is by a non-owner."""
    from dataclasses import replace

    from shared.bus.streams import all_streams

    configs = {spec.name: spec.config() for spec in all_streams()}

    async def attempt_update(user: str, stream: str) -> bool:
        nc = await nats.connect(deployed, user=user, password=f"pw-{user}", max_reconnect_attempts=0, error_cb=ignore)
        try:
            try:
                await nc.jetstream(timeout=2).update_stream(replace(configs[stream], max_msgs=1_000_000))
                return True
            except (nats.errors.TimeoutError, nats.errors.NoRespondersError, nats.js.errors.APIError):
                return False
        finally:
            await nc.close()

    async def declare_as(user: str) -> list[str]:
        violations: list[str] = []

        async def record(exc: Exception) -> None:
            violations.append(str(exc))

        nc = await nats.connect(deployed, user=user, password=f"pw-{user}", max_reconnect_attempts=0, error_cb=record)
        try:
            js = nc.jetstream(timeout=2)
            await ensure_streams(js)
            await ensure_audit_stream(js)
            await nc.flush()
        finally:
            await nc.close()
        return violations

    async def run() -> tuple[dict, dict, int | None]:
        first = await declare_as("decision")  # whoever starts first creates every stream
        others = {user: await declare_as(user) for user in ("intake", "supervision", "evaluation")}
        updates = {
            (user, stream): await attempt_update(user, stream)
            for user, stream in [
                ("intake", "INTAKE"),
                ("intake", "HOTLINE"),
                ("intake", "DECISION"),
                ("intake", "JOURNAL"),
                ("intake", "DEADLETTER"),
                ("decision", "DECISION"),
                ("decision", "INTAKE"),
                ("evaluation", "JOURNAL"),
                ("gateway", "JOURNAL"),
                ("auditor", "INTAKE"),
            ]
        }
        await declare_as("supervision")  # JOURNAL differs now? no: nobody could change it
        nc = await nats.connect(deployed, user="auditor", password="pw-auditor")
        journal_limit = (await nc.jetstream().stream_info("JOURNAL")).config.max_msgs
        await nc.close()
        return {"decision": first, **others}, updates, journal_limit

    declared, updates, journal_limit = asyncio.run(run())
    assert declared == {"decision": [], "intake": [], "supervision": [], "evaluation": []}  # no refused request
    assert updates == {
        ("intake", "INTAKE"): True,
        ("intake", "HOTLINE"): True,
        ("intake", "DECISION"): False,
        ("intake", "JOURNAL"): False,
        ("intake", "DEADLETTER"): False,
        ("decision", "DECISION"): True,
        ("decision", "INTAKE"): False,
        ("evaluation", "JOURNAL"): False,
        ("gateway", "JOURNAL"): False,
        ("auditor", "INTAKE"): False,
    }
    assert journal_limit in (None, -1)


def test_a_differing_stream_is_restored_by_its_owner_and_left_by_others(deployed: str) -> None:
    from dataclasses import replace

    from shared.bus.streams import service_stream

    declared = service_stream("intake").config()

    async def connect(user: str):
        return await nats.connect(deployed, user=user, password=f"pw-{user}", max_reconnect_attempts=0, error_cb=ignore)

    async def atomic_after(user: str) -> bool:
        nc = await connect(user)
        try:
            await ensure_streams(nc.jetstream(timeout=2))  # a refused update is logged, not raised
            return bool((await nc.jetstream().stream_info("INTAKE")).config.allow_atomic)
        finally:
            await nc.close()

    async def run() -> tuple[bool, bool]:
        nc = await connect("intake")
        js = nc.jetstream(timeout=5)
        await ensure_streams(js)
        await js.update_stream(replace(declared, allow_atomic=False))  # e.g. an older version's stream
        await nc.close()
        return await atomic_after("decision"), await atomic_after("intake")

    assert asyncio.run(run()) == (False, True)
