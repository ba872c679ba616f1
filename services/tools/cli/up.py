"""``shishi up``: nats-server, the four services as separate processes, and the origin.

Ctrl-C (or SIGTERM) stops everything; running it again keeps the data (under --data-dir).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import uvicorn

from shared.bus.server import NatsServer, free_port
from shared.config import SERVICES, Settings

RUN_FILE = "run.json"


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    import socket

    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def wait_ready(url: str, timeout: float, procs: list[subprocess.Popen] | None = None) -> None:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        for p in procs or []:
            if p.poll() is not None:
                raise RuntimeError(f"a service exited during start-up (code {p.returncode}); see its log")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except Exception as exc:  # noqa: BLE001 - keep polling until the deadline
            last = str(exc)
        time.sleep(0.2)
    raise RuntimeError(f"{url} not ready after {timeout:.0f}s: {last}")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run_up(args: argparse.Namespace) -> int:
    signal.signal(signal.SIGTERM, _interrupt)  # SIGTERM stops everything cleanly, like Ctrl-C
    data_dir: Path = args.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "logs").mkdir(exist_ok=True)
    nats_port = args.nats_port or (4222 if port_free(4222) else free_port())
    nats = NatsServer(data_dir / "nats", port=nats_port)
    ports = {name: args.port + 1 + i for i, name in enumerate(SERVICES)}
    upstreams = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    env = {
        **os.environ,
        "SHISHI_DATA_DIR": str(data_dir),
        "SHISHI_NATS_URL": nats.url,
        "SHISHI_UPSTREAMS": json.dumps(upstreams),
        "PYTHONUNBUFFERED": "1",
    }
    if args.persistence:
        env["SHISHI_PERSISTENCE"] = args.persistence
    procs: list[subprocess.Popen] = []
    print(f"shishi: data in {data_dir}", flush=True)
    try:
        nats.start()
        print(f"shishi: nats-server (JetStream, sync always) at {nats.url}", flush=True)
        Settings(data_dir=data_dir).resolved_jwt_secret()  # create the local secret once, before the services
        for name in SERVICES:
            log = open(data_dir / "logs" / f"{name}.log", "ab")  # noqa: SIM115 - owned by the child
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "services.tools.cli.main", "serve", name, "--port", str(ports[name])],
                    env={**env, "SHISHI_SERVICE": name},
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        for name in SERVICES:
            wait_ready(f"{upstreams[name]}/{name}/healthz", 90, procs)
        (data_dir / RUN_FILE).write_text(
            json.dumps(
                {
                    "nats_url": nats.url,
                    "origin": f"http://{args.host}:{args.port}",
                    "upstreams": upstreams,
                    "pid": os.getpid(),
                }
            )
        )
        settings = Settings(
            service="gateway",
            data_dir=data_dir,
            port=args.port,
            host=args.host,
            log_file=data_dir / "logs" / "gateway.log",
        )
        from services.gateway.main import create_gateway

        server = uvicorn.Server(
            uvicorn.Config(
                create_gateway(settings, upstreams),
                host=args.host,
                port=args.port,
                log_level="warning",
                access_log=False,
            )
        )
        if args.demo:
            threading.Thread(target=_demo_when_ready, args=(server, args, data_dir), daemon=True).start()
        print(f"shishi: open http://{args.host}:{args.port}/  (Ctrl-C stops everything)", flush=True)
        server.run()
    except KeyboardInterrupt:
        pass
    except (RuntimeError, FileNotFoundError) as exc:  # FileNotFoundError: no nats-server (the `local` extra)
        print(f"shishi: {exc}", file=sys.stderr)
        return 1
    finally:
        stop_all(procs)
        nats.stop()
        print("shishi: stopped", flush=True)
    return 0


def _demo_when_ready(server: uvicorn.Server, args: argparse.Namespace, data_dir: Path) -> None:
    from services.tools.cli.progress import progress
    from services.tools.demo.loader import load_demo

    while not server.started:
        time.sleep(0.1)
    try:
        with progress() as bar:  # on a terminal: a bar on stderr; else a line per county
            load_demo(f"http://127.0.0.1:{args.port}", data_dir, bar)
    except Exception as exc:  # noqa: BLE001 - the product keeps running; the reason is printed
        print(f"shishi: demo not loaded: {exc}", file=sys.stderr, flush=True)


def stop_all(procs: list[subprocess.Popen], timeout: float = 15.0) -> None:
    for p in procs:
        if p.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for p in procs:
        try:
            p.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
