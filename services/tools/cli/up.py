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
- **A cluster on one machine** (``--cluster``, or ``--nats-nodes 3 --replicas 2``): a JetStream cluster
  of N nats-server nodes on loopback (streams created with min(N, 3) replicas), PostgreSQL (the local
  programs, ``services.tools.cli.local_postgres``, unless ``SHISHI_POSTGRES_HOST`` names a server), R
  replicas of each service sharing its database (one of them holding the service's lease), and the
  origin in front of them. Kill any node or replica with ``kill -9`` (the pids are in ``run.json``):
  the product carries on, and the supervisor starts it again.
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

    def spawn(
        self,
        name: str,
        argv: list[str],
        env: dict[str, str],
        *,
        tied: list[str] | None = None,
        stop_signal: int = signal.SIGTERM,
    ) -> Child:
        """``tied``: the command line already tied to ``up``'s life (default: through ``lifeline``)."""
        holder: dict[str, subprocess.Popen[bytes] | None] = {"p": None}

        def start() -> None:
            with open(self.data_dir / "logs" / f"{name}.log", "ab") as log:
                holder["p"] = subprocess.Popen(
                    tied or lifeline.command(os.getpid(), argv),
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
                    os.killpg(p.pid, stop_signal)  # the service and its companion

        child = Child(name, start, alive, stop, lambda: holder["p"].pid if holder["p"] else None, extra=holder)
        child.start()
        child.started_at = time.monotonic()
        self.children.append(child)
        return child

    def watch(self, nats: list[Child], on_restart: Any = None) -> None:
        """Until stopping: start again every child that died, after its back-off (nats-server first: the
        others wait until a node runs). ``on_restart()``: after each restart (``run.json`` is rewritten)."""
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
                if now < child.due or (child not in nats and not any(node.alive() for node in nats)):
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
                if on_restart is not None:
                    on_restart()

    def stop_all(self, last: list[Child], timeout: float = 20.0) -> None:
        """The gateway first, then the services; ``last`` (nats-server nodes, PostgreSQL) at the end."""
        others = [c for c in self.children if c not in last]
        for child in reversed(others):
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
        for child in reversed(last):
            child.stop()
        for child in last:
            p = child.extra.get("p")
            if p is not None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    p.wait(timeout)


def choose_port(wanted: int, what: str, supervisor_say: Any) -> int:
    if port_free(wanted):
        return wanted
    port = free_port()
    supervisor_say("port_taken", what=what, port=wanted, using=port)
    return port


def nats_nodes(count: int, first_port: int, data_dir: Path, say: Any) -> list[NatsServer]:
    """One nats-server, or the ``count`` nodes of a JetStream cluster on loopback (``nats-1`` ...)."""
    tie = lambda argv: lifeline.command(os.getpid(), argv)  # noqa: E731 - one line, used for every node
    if count == 1:
        return [NatsServer(data_dir / "nats", port=choose_port(first_port, "nats", say), wrap=tie)]
    routes = [free_port() for _ in range(count)]
    return [
        NatsServer(
            data_dir / f"nats-{i + 1}",
            port=choose_port(first_port + i, f"nats-{i + 1}", say),
            monitor_port=free_port(),
            name=f"nats-{i + 1}",
            wrap=tie,
            cluster_port=routes[i],
            routes=routes,
        )
        for i in range(count)
    ]


def wait_meta_leader(nodes: list[NatsServer], timeout: float, stopping: threading.Event) -> str:
    """Until the cluster's nodes agree on a JetStream meta leader (streams can be created from then on)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if stopping.is_set():
            raise Stopped
        leaders = {node.meta_leader() for node in nodes}
        if len(leaders) == 1 and None not in leaders:
            return str(leaders.pop())
        time.sleep(0.2)
    raise RuntimeError(f"the NATS cluster has no JetStream meta leader after {timeout:.0f}s (see logs/nats-*.log)")


def start_postgres(sup: Supervisor, data_dir: Path, env: dict[str, str]) -> Child | None:
    """The services' databases: on ``SHISHI_POSTGRES_HOST`` when set, else a local server started here
    (``local_postgres``); the four databases are created when missing. Returns the local server's child."""
    from services.tools.cli import local_postgres

    child = None
    if "SHISHI_POSTGRES_HOST" not in os.environ:
        server = local_postgres.LocalPostgres(data_dir, choose_port(5432, "postgres", sup.say))
        server.initialise()
        argv = server.command()
        tied = server.as_owner(argv, pdeathsig=True) if server.owner is not None else None
        child = sup.spawn("postgres", argv, env, tied=tied, stop_signal=local_postgres.STOP_SIGNAL)
        env.update(server.env())
        where = str(server.root)
    else:
        where = f"{env['SHISHI_POSTGRES_HOST']}:{env.get('SHISHI_POSTGRES_PORT', '5432')}"
    local_postgres.wait_ready(
        env["SHISHI_POSTGRES_HOST"],
        int(env.get("SHISHI_POSTGRES_PORT", "5432")),
        env.get("SHISHI_POSTGRES_USER", "shishi"),
        env.get("SHISHI_POSTGRES_PASSWORD", ""),
    )
    created = local_postgres.create_databases(env)
    sup.say("postgres_started", at=where, created=",".join(created) or "-")
    return child


def run_up(args: argparse.Namespace) -> int:
    data_dir: Path = args.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "logs").mkdir(exist_ok=True)
    nodes = args.nats_nodes or (3 if args.cluster else 1)
    replicas = args.replicas or (2 if args.cluster else 1)
    persistence = args.persistence or os.environ.get("SHISHI_PERSISTENCE") or ("postgres" if replicas > 1 else None)
    if replicas > 1 and persistence != "postgres":
        print("shishi: replicas of a service share one PostgreSQL database; SQLite serves one process", file=sys.stderr)
        return 1
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
    servers = nats_nodes(nodes, args.nats_port or 4222, data_dir, sup.say)
    ports = {
        name: [choose_port(args.port + 1 + i + 10 * r, f"{name}-{r + 1}", sup.say) for r in range(replicas)]
        for i, name in enumerate(SERVICES)
    }
    urls = {name: [f"http://127.0.0.1:{port}" for port in taken] for name, taken in ports.items()}
    upstreams = {name: found[0] if replicas == 1 else found for name, found in urls.items()}
    env = {
        **os.environ,
        "SHISHI_DATA_DIR": str(data_dir),
        "SHISHI_NATS_URL": ",".join(server.url for server in servers),
        "SHISHI_UPSTREAMS": json.dumps(upstreams),
        "PYTHONUNBUFFERED": "1",
    }
    env.setdefault("SHISHI_NATS_REPLICAS", str(min(3, nodes)))
    if persistence:
        env["SHISHI_PERSISTENCE"] = persistence
    print(f"shishi: data in {data_dir}", flush=True)
    last: list[Child] = []  # stopped after the services: NATS, PostgreSQL
    origin = f"http://{'127.0.0.1' if args.host in ('0.0.0.0', '::') else args.host}:{args.port}"

    def write_run() -> None:
        run = {
            "nats_url": env["SHISHI_NATS_URL"],
            "origin": f"http://{args.host}:{args.port}",
            "upstreams": upstreams,
            "pid": os.getpid(),
            "processes": {child.name: child.pid() for child in sup.children},
        }
        tmp = data_dir / f"{RUN_FILE}.tmp"
        tmp.write_text(json.dumps(run, indent=1))
        tmp.replace(data_dir / RUN_FILE)

    try:
        for server in servers:  # the nodes of a cluster start together: each waits for the others
            server.launch()
        for server in servers:
            server.wait_ready(30)
            name = server.name if nodes > 1 else "nats-server"
            node = Child(name, server.start, lambda s=server: s.running, server.stop, lambda s=server: s.pid)
            node.started_at = time.monotonic()
            sup.children.append(node)
            last.append(node)
        if nodes > 1:
            sup.say("nats_cluster", nodes=nodes, meta_leader=wait_meta_leader(servers, 60, sup.stopping))
        sup.say("nats_started", url=env["SHISHI_NATS_URL"])
        if persistence == "postgres":
            postgres = start_postgres(sup, data_dir, env)
            if postgres is not None:
                last.append(postgres)
        Settings(data_dir=data_dir).resolved_jwt_secret()  # create the local secret once, before the services
        cli = [sys.executable, "-m", "services.tools.cli.main", "serve"]
        started = [
            (
                name,
                url,
                sup.spawn(
                    name if replicas == 1 else f"{name}-{r + 1}",
                    [*cli, name, "--port", str(ports[name][r])],
                    {**env, "SHISHI_SERVICE": name},
                ),
            )
            for r in range(replicas)
            for name in SERVICES
            for url in [urls[name][r]]
        ]
        for name, url, child in started:
            wait_ready(f"{url}/{name}/readyz", 120, child.alive, sup.stopping)
        gateway = sup.spawn(
            "gateway",
            [*cli, "gateway", "--port", str(args.port), "--host", args.host],
            {**env, "SHISHI_SERVICE": "gateway"},
        )
        wait_ready(f"{origin}/readyz", 60, gateway.alive, sup.stopping)
        write_run()
        if args.demo:
            threading.Thread(target=_demo, args=(origin, data_dir), daemon=True).start()
        if nodes > 1 or replicas > 1:
            print(
                f"shishi: {nodes} NATS node(s), {replicas} replica(s) of each service; their pids are in "
                f'{data_dir / RUN_FILE} ("processes"). Kill one with kill -9 and watch {origin}/healthz: the '
                "product carries on, and the node or replica is started again.",
                flush=True,
            )
        print(f"shishi: open http://{args.host}:{args.port}/  (Ctrl-C stops everything)", flush=True)
        sup.watch([c for c in last if c.name.startswith("nats")], on_restart=write_run)
    except Stopped:
        pass
    except (RuntimeError, FileNotFoundError, subprocess.CalledProcessError) as exc:  # no nats-server, no initdb ...
        print(f"shishi: {exc}", file=sys.stderr)
        return 1
    finally:
        sup.stop_all(last)
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
