"""The services as the product runs them (``shishi serve <service>``), each in a child process."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from shared.bus.server import free_port, stop_process


class ServeProcess:
    """One child serving HTTP (by default ``python -m services.tools.cli.main serve <service>``) with its
    data and logs in ``data_dir``; ``argv`` replaces the command (``{port}`` is filled in) and
    ``health_path`` the path it is ready at."""

    def __init__(
        self,
        service: str,
        data_dir: Path,
        nats_url: str,
        env: dict[str, str] | None = None,
        *,
        argv: list[str] | None = None,
        health_path: str | None = None,
    ) -> None:
        """``env``: more SHISHI_* settings (e.g. PostgreSQL's); the default store is SQLite."""
        self.service = service
        self.data_dir = data_dir.resolve()
        self.nats_url = nats_url
        self.env = env or {}
        self.argv = argv or [sys.executable, "-m", "services.tools.cli.main", "serve", service, "--port", "{port}"]
        self.health_path = health_path or (f"/{service}/healthz" if service != "gateway" else "/livez")
        self.port = 0
        self.log_path = self.data_dir / f"{service}.log"
        self.output_path = self.data_dir / f"{service}.out"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def health_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.health_path}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def start(self, timeout: float = 60.0) -> None:
        """Start the child; return once its health check answers 200 (consumers subscribed)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        env = {
            **os.environ,
            "SHISHI_SERVICE": self.service,
            "SHISHI_DATA_DIR": str(self.data_dir),
            "SHISHI_NATS_URL": self.nats_url,
            "SHISHI_PERSISTENCE": "sqlite",
            "SHISHI_LOG_FILE": str(self.log_path),
            **self.env,
        }
        with self.output_path.open("ab") as output:
            self._process = subprocess.Popen(
                [part.replace("{port}", str(self.port)) for part in self.argv],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while not self._healthy():
            if self._process.poll() is not None:
                code, self._process = self._process.returncode, None
                raise RuntimeError(f"{self.service} exited with {code} before it was ready:\n{self.output_tail()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{self.service} not ready after {timeout}s:\n{self.output_tail()}")
            time.sleep(0.1)

    def pids(self) -> list[int]:
        """The child and its own children (a service's companion process)."""
        if self._process is None:
            return []
        pid = self._process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children")
        return [pid, *(int(c) for c in (children.read_text().split() if children.exists() else []))]

    def peak_rss_mb(self) -> float:
        """Peak resident set (VmHWM) of the service and its followers process added up, read while
        they still run (an upper bound: the two peaks need not coincide)."""
        return sum(vm_mb(p, "VmHWM") for p in self.pids())

    def rss_mb(self) -> dict[str, float]:
        """Resident set (VmRSS) now: ``service`` (the process) and ``companion`` (its children)."""
        pids = self.pids()
        if not pids:
            return {"service": 0.0, "companion": 0.0}
        return {"service": vm_mb(pids[0], "VmRSS"), "companion": sum(vm_mb(p, "VmRSS") for p in pids[1:])}

    def cpu_seconds(self) -> dict[int, float]:
        """CPU time (user and system) each of the child and its children has used so far, by pid."""
        seconds: dict[int, float] = {}
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            seconds[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return seconds

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM (a graceful shutdown), then SIGKILL after ``timeout`` seconds."""
        process, self._process = self._process, None
        stop_process(process, timeout)

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(self.health_url, timeout=1) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def output_tail(self, size: int = 4000) -> str:
        """The end of the child's own output and of its log, for error reports."""
        text = ""
        for path in (self.output_path, self.log_path):
            if path.exists():
                text += path.read_bytes()[-size:].decode(errors="replace")
        return text


class IntakeProcess(ServeProcess):
    """``shishi serve intake`` in a child (the pipeline benchmark's and the fault tests' service)."""

    def __init__(self, data_dir: Path, nats_url: str, env: dict[str, str] | None = None) -> None:
        super().__init__("intake", data_dir, nats_url, env)
        self.log_path = self.data_dir / "intake.log"
        self.output_path = self.data_dir / "intake.out"


def vm_mb(pid: int, field: str) -> float:
    """A ``/proc/<pid>/status`` memory field (``VmHWM``, ``VmRSS``) in MB; 0 once the process is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:  # already gone
        return 0.0
    for line in status.splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024  # kB
    return 0.0


def vm_hwm_mb(pid: int) -> float:
    return vm_mb(pid, "VmHWM")


def stored_events(data_dir: Path) -> int:
    """How many events intake's SQLite store under ``data_dir`` holds (read-only; 0 without a store)."""
    path = data_dir / "intake" / "events.sqlite"
    if not path.exists():
        return 0
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return int(conn.execute("SELECT max(rowid) FROM stored_events").fetchone()[0] or 0)


LAG_GAUGES = (
    "shishi_consumer_pending_messages",
    "shishi_consumer_ack_pending_messages",
    "shishi_relay_lag_notifications",
    "shishi_views_lag_notifications",
    "shishi_audit_log_lag_notifications",
)


def behind(child: ServeProcess) -> float:
    """What a service still has to do by its ``/metrics`` (messages not yet consumed, notifications not
    yet relayed, folded or in the audit log), added up; 0 for a child without them (the gateway)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{child.port}/metrics", timeout=10) as response:
            text = response.read().decode()
    except (urllib.error.URLError, OSError):
        return 0.0
    return sum(
        float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(LAG_GAUGES) and " " in line
    )


def wait_quiet(children: list[ServeProcess], timeout: float, share: float = 0.1, window: float = 2.0) -> bool:
    """Wait until the services have nothing left to do: every lag their ``/metrics`` show is 0 (a service
    taking in another's backlog through NATS, followers catching up on a filled store) and no process of
    theirs uses more than ``share`` of a core over ``window`` seconds (an idle service polls at about 2%
    of a core); False after ``timeout``."""

    def used() -> dict[int, float]:
        return {pid: s for child in children for pid, s in child.cpu_seconds().items()}

    deadline = time.monotonic() + timeout
    before = used()
    while time.monotonic() < deadline:
        time.sleep(window)
        now = used()
        idle = all(s - before.get(pid, 0.0) < share * window for pid, s in now.items())
        before = now
        if idle and not any(behind(child) for child in children if child.service != "gateway"):
            return True
    return False
