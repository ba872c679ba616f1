"""The intake service as the product runs it: ``shishi serve intake`` in a child process."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from shared.bus.server import free_port, stop_process


class IntakeProcess:
    """One ``python -m services.tools.cli.main serve intake`` child with its data and logs in ``data_dir``."""

    def __init__(self, data_dir: Path, nats_url: str, env: dict[str, str] | None = None) -> None:
        """``env``: more SHISHI_* settings (e.g. PostgreSQL's); the default store is SQLite."""
        self.data_dir = data_dir.resolve()
        self.nats_url = nats_url
        self.env = env or {}
        self.port = 0
        self.log_path = self.data_dir / "intake.log"
        self.output_path = self.data_dir / "intake.out"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def health_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/intake/healthz"

    def start(self, timeout: float = 60.0) -> None:
        """Start the child; return once its health check answers 200 (consumers subscribed)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        env = {
            **os.environ,
            "SHISHI_SERVICE": "intake",
            "SHISHI_DATA_DIR": str(self.data_dir),
            "SHISHI_NATS_URL": self.nats_url,
            "SHISHI_PERSISTENCE": "sqlite",
            "SHISHI_LOG_FILE": str(self.log_path),
            **self.env,
        }
        with self.output_path.open("ab") as output:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "services.tools.cli.main", "serve", "intake", "--port", str(self.port)],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while not self._healthy():
            if self._process.poll() is not None:
                code, self._process = self._process.returncode, None
                raise RuntimeError(f"intake exited with {code} before it was ready:\n{self.output_tail()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"intake not ready after {timeout}s:\n{self.output_tail()}")
            time.sleep(0.1)

    def peak_rss_mb(self) -> float:
        """Peak resident set (VmHWM) of the service and its followers process added up, read while
        they still run (an upper bound: the two peaks need not coincide)."""
        if self._process is None:
            return 0.0
        pid = self._process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children")
        pids = [pid, *(int(c) for c in (children.read_text().split() if children.exists() else []))]
        return sum(vm_hwm_mb(p) for p in pids)

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


def vm_hwm_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:  # already gone
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024  # kB
    return 0.0
