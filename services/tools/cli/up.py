"""``shishi up``: a supervisor for nats-server, the four services and the origin on one machine.

- **Restarts.** A child that dies (nats-server, a service, the gateway; a service restarts its own
  companion) is started again after a back-off (1 s, doubling to 30 s; back to 1 s once it ran a
  minute), and each exit and restart is printed and logged (``<data dir>/logs/up.log``).
- **No orphans.** Every child is started through ``shared.runtime.lifeline``: on Linux the kernel
  sends it SIGTERM when ``up`` ends, however it ends (SIGKILL included); elsewhere a watcher does.
  SIGTERM, SIGINT (Ctrl-C) and SIGHUP stop everything in order.
- **One ``up`` per data dir.** ``<data dir>/up.lock`` is locked (``fcntl``) for as long as ``up`` or
  any of its children runs; a second ``up`` is refused, naming the first one's pid. nats-server
  locks its store too (``shared.bus.server``), so it never runs twice on one store.
- **Ports.** A NATS port already taken is replaced by a free one, and so are the services' own
  ports; each replacement is reported. The origin's port must be free (it is the address users open).
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from shared.bus.server import NatsServer, free_port
from shared.config import SERVICES, Settings
from shared.runtime import lifeline
from shared.web.demo_status import mark_loaded

RUN_FILE = "run.json"
LOCK_FILE = "up.lock"
BACKOFF_FIRST, BACKOFF_MAX, STABLE_SECONDS = 1.0, 30.0, 60.0


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


class Refused(RuntimeError):
    """``up`` cannot start (the data dir is in use, the origin's port is taken ...): said plainly."""


def lock_data_dir(data_dir: Path) -> int:
    """Lock ``<data dir>/up.lock`` (inherited by the children); Refused if another ``up`` holds it."""
    path = data_dir / LOCK_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        holder = path.read_text().strip() or "unknown"
        os.close(fd)
        raise Refused(
            f"the data directory {data_dir} is in use by another `shishi up` (pid {holder}) or by a process "
            "it started; stop it first, or use another --data-dir"
        ) from None
    os.ftruncate(fd, 0)
    os.write(fd, str(os.getpid()).encode())
    return fd


class Stopped(Exception):
    """A stop was asked for (a signal) while starting."""


def wait_ready(url: str, timeout: float, alive: Any = None, stopping: threading.Event | None = None) -> None:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        if stopping is not None and stopping.is_set():
            raise Stopped
        if alive is not None and not alive():
            raise RuntimeError(f"a process exited during start-up; see its log ({url})")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except Exception as exc:  # noqa: BLE001 - keep polling until the deadline
            last = str(exc)
        time.sleep(0.2)
    raise RuntimeError(f"{url} not ready after {timeout:.0f}s: {last}")


@dataclass
class Child:
    """One supervised process: how to start it, and its restarts."""

    name: str
    start: Any  # () -> subprocess.Popen | None (None: nats-server, kept by its NatsServer)
    alive: Any  # () -> bool
    stop: Any  # () -> None
    pid: Any  # () -> int | None
    started_at: float = 0.0
    restarts: int = 0
    backoff: float = BACKOFF_FIRST
    due: float | None = None  # when a dead child is started again
    extra: dict = field(default_factory=dict)


class Supervisor:
    def __init__(self, data_dir: Path, lock_fd: int) -> None:
        self.data_dir = data_dir
        self.lock_fd = lock_fd
        self.children: list[Child] = []
        self.stopping = threading.Event()
        self.log_path = data_dir / "logs" / "up.log"

    def say(self, event: str, **fields: object) -> None:
        """One line to the terminal, one JSON line to ``logs/up.log``."""
        text = " ".join(f"{k}={v}" for k, v in fields.items())
        print(f"shishi: {event} {text}".rstrip(), flush=True)
        with contextlib.suppress(OSError), self.log_path.open("a") as out:
            out.write(json.dumps({"event": event, "at": datetime.now(UTC).isoformat(), **fields}) + "\n")

    def spawn(self, name: str, argv: list[str], env: dict[str, str]) -> Child:
        holder: dict[str, subprocess.Popen[bytes] | None] = {"p": None}

        def start() -> None:
            with open(self.data_dir / "logs" / f"{name}.log", "ab") as log:
                holder["p"] = subprocess.Popen(
                    lifeline.command(os.getpid(), argv),
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # Ctrl-C reaches `up`, which stops each in order
                    pass_fds=(self.lock_fd,),  # the data dir stays locked while any child runs
                )

        def alive() -> bool:
            p = holder["p"]
            return p is not None and p.poll() is None

        def stop() -> None:
            p = holder["p"]
            if p is not None and p.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(p.pid, signal.SIGTERM)  # the service and its companion

        child = Child(name, start, alive, stop, lambda: holder["p"].pid if holder["p"] else None, extra=holder)
        child.start()
        child.started_at = time.monotonic()
        self.children.append(child)
        return child

    def watch(self, nats: Child) -> None:
        """Until stopping: start again every child that died, after its back-off (nats-server first)."""
        while not self.stopping.wait(0.5):
            now = time.monotonic()
            for child in self.children:
                if child.alive():
                    if child.due is None and now - child.started_at > STABLE_SECONDS:
                        child.backoff = BACKOFF_FIRST
                    continue
                if child.due is None:
                    process = child.extra.get("p")
                    code = process.returncode if process is not None else None
                    child.due = now + child.backoff
                    self.say("child_exited", name=child.name, code=code, restart_in=f"{child.backoff:.0f}s")
                    child.backoff = min(child.backoff * 2, BACKOFF_MAX)
                    continue
                if now < child.due or (child is not nats and not nats.alive()):
                    continue
                try:
                    child.start()
                except Exception as exc:  # noqa: BLE001 - tried again after the next back-off
                    child.due = now + child.backoff
                    self.say("child_start_failed", name=child.name, error=str(exc))
                    continue
                child.due, child.started_at = None, now
                child.restarts += 1
                self.say("child_restarted", name=child.name, pid=child.pid(), restarts=child.restarts)

    def stop_all(self, nats: Child | None, timeout: float = 20.0) -> None:
        others = [c for c in self.children if c is not nats]
        for child in reversed(others):  # the gateway first, then the services
            child.stop()
        deadline = time.monotonic() + timeout
        for child in others:
            p = child.extra.get("p")
            if p is None:
                continue
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        if nats is not None:
            nats.stop()


def choose_port(wanted: int, what: str, supervisor_say: Any) -> int:
    if port_free(wanted):
        return wanted
    port = free_port()
    supervisor_say("port_taken", what=what, port=wanted, using=port)
    return port


def run_up(args: argparse.Namespace) -> int:
    data_dir: Path = args.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "logs").mkdir(exist_ok=True)
    try:
        lock_fd = lock_data_dir(data_dir)
    except Refused as exc:
        print(f"shishi: {exc}", file=sys.stderr)
        return 1
    sup = Supervisor(data_dir, lock_fd)
    mark_loaded(data_dir)  # a demo load cut short by an earlier run's end: its pages' banner goes
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda number, frame: sup.stopping.set())
    if not port_free(args.port, args.host):
        print(f"shishi: port {args.port} on {args.host} is taken (the origin's port); choose another with --port")
        return 1
    nats_port = choose_port(args.nats_port or 4222, "nats", sup.say)
    ports = {name: choose_port(args.port + 1 + i, name, sup.say) for i, name in enumerate(SERVICES)}
    upstreams = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    nats_server = NatsServer(data_dir / "nats", port=nats_port, wrap=lambda argv: lifeline.command(os.getpid(), argv))
    env = {
        **os.environ,
        "SHISHI_DATA_DIR": str(data_dir),
        "SHISHI_NATS_URL": nats_server.url,
        "SHISHI_UPSTREAMS": json.dumps(upstreams),
        "PYTHONUNBUFFERED": "1",
    }
    if args.persistence:
        env["SHISHI_PERSISTENCE"] = args.persistence
    print(f"shishi: data in {data_dir}", flush=True)
    nats: Child | None = None
    try:
        nats_server.start()
        nats = Child(
            "nats-server",
            nats_server.start,
            lambda: nats_server.running,
            nats_server.stop,
            lambda: nats_server._process.pid if nats_server._process else None,  # noqa: SLF001
        )
        nats.started_at = time.monotonic()
        sup.children.append(nats)
        sup.say("nats_started", url=nats_server.url)
        Settings(data_dir=data_dir).resolved_jwt_secret()  # create the local secret once, before the services
        cli = [sys.executable, "-m", "services.tools.cli.main", "serve"]
        services = [
            sup.spawn(name, [*cli, name, "--port", str(ports[name])], {**env, "SHISHI_SERVICE": name})
            for name in SERVICES
        ]
        for name, child in zip(SERVICES, services, strict=True):
            wait_ready(f"{upstreams[name]}/{name}/readyz", 90, child.alive, sup.stopping)
        gateway = sup.spawn(
            "gateway",
            [*cli, "gateway", "--port", str(args.port), "--host", args.host],
            {**env, "SHISHI_SERVICE": "gateway"},
        )
        origin = f"http://{'127.0.0.1' if args.host in ('0.0.0.0', '::') else args.host}:{args.port}"
        wait_ready(f"{origin}/readyz", 60, gateway.alive, sup.stopping)
        (data_dir / RUN_FILE).write_text(
            json.dumps(
                {
                    "nats_url": nats_server.url,
                    "origin": f"http://{args.host}:{args.port}",
                    "upstreams": upstreams,
                    "pid": os.getpid(),
                }
            )
        )
        if args.demo:
            threading.Thread(target=_demo, args=(origin, data_dir), daemon=True).start()
        print(f"shishi: open http://{args.host}:{args.port}/  (Ctrl-C stops everything)", flush=True)
        sup.watch(nats)
    except Stopped:
        pass
    except (RuntimeError, FileNotFoundError) as exc:  # FileNotFoundError: no nats-server (the `local` extra)
        print(f"shishi: {exc}", file=sys.stderr)
        return 1
    finally:
        sup.stop_all(nats)
        print("shishi: stopped", flush=True)
    return 0


def _demo(origin: str, data_dir: Path) -> None:
    from services.tools.cli.progress import progress
    from services.tools.demo.loader import load_demo

    try:
        with progress() as bar:  # on a terminal: a bar on stderr; else a line per county
            load_demo(origin, data_dir, bar)
    except Exception as exc:  # noqa: BLE001 - the product keeps running; the reason is printed
        print(f"shishi: demo not loaded: {exc}", file=sys.stderr, flush=True)
