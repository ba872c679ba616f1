"""`shishi up` as a supervisor, with real processes (about a minute): a second `up` on the same data dir
is refused, a taken NATS port is replaced and reported, a service and nats-server killed with SIGKILL
are started again and the product is ready again, and after SIGKILL of `up` no child survives."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from shared.config import SERVICES
from tests.fixtures.product import REPO_ROOT, _free_port_run, _wait_healthy


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def command_of(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def up(data_dir: Path, port: int, nats_port: int) -> subprocess.Popen:
    command = [sys.executable, "-m", "services.tools.cli.main", "up", "--data-dir", str(data_dir)]
    command += ["--port", str(port), "--nats-port", str(nats_port)]
    out = open(data_dir / "up.out", "ab")  # noqa: SIM115 - kept by the child
    return subprocess.Popen(command, cwd=REPO_ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def ready(origin: str) -> bool:
    try:
        with urllib.request.urlopen(f"{origin}/readyz", timeout=3) as r:
            return r.status == 200
    except OSError:
        return False


def wait(predicate, seconds: float) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return False


def test_up_restarts_refuses_a_second_up_and_leaves_no_orphan(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    port = _free_port_run(1 + len(SERVICES))
    origin = f"http://127.0.0.1:{port}"
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    nats_port = taken.getsockname()[1]  # the NATS port asked for is taken: another is used, and reported
    process = up(data_dir, port, nats_port)
    descendants: list[int] = []
    try:
        _wait_healthy(origin, process, data_dir)
        output = (data_dir / "up.out").read_text()
        assert f"port_taken what=nats port={nats_port}" in output
        assert json.loads((data_dir / "run.json").read_text())["nats_url"] != f"nats://127.0.0.1:{nats_port}"

        second = subprocess.run(
            [sys.executable, "-m", "services.tools.cli.main", "up", "--data-dir", str(data_dir), "--port", "1"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 1 and f"in use by another `shishi up` (pid {process.pid})" in second.stderr

        kids = children_of(process.pid)
        intake = next(p for p in kids if "serve intake" in command_of(p))
        nats = next(p for p in kids if "nats-server" in command_of(p))
        os.kill(intake, signal.SIGKILL)
        os.kill(nats, signal.SIGKILL)
        assert wait(lambda: "child_restarted name=intake" in (data_dir / "up.out").read_text(), 30)
        assert wait(lambda: "child_restarted name=nats-server" in (data_dir / "up.out").read_text(), 30)
        assert wait(lambda: ready(origin), 60), (data_dir / "up.out").read_text()[-2000:]

        descendants = [*children_of(process.pid)]
        descendants += [g for c in descendants for g in children_of(c)]  # the services' companions
        assert len(descendants) >= 1 + len(SERVICES) * 2 + 1  # nats, services and companions, gateway
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        assert wait(lambda: not any(alive(p) for p in descendants), 30), [
            command_of(p) for p in descendants if alive(p)
        ]
    finally:
        taken.close()
        if process.poll() is None:
            process.kill()
            process.wait()
        for pid in descendants:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
