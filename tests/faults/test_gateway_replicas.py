"""The origin in front of a service's replicas (``shishi up --replicas 2``; real uvicorn servers): requests
go to the replicas in turn; when one is gone (killed, restarting) every request, a POST with its body
too, is answered by the other, and the origin's readiness says which replica is ready and which one
holds the service's lease; a read whose replica hung up without answering is asked of the next one."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import httpx
from fastapi import FastAPI, Request

from services.gateway.main import create_gateway
from services.tools.cli.up import port_free
from shared.bus.server import free_port
from shared.config import Settings
from tests.faults.test_gateway_after_500 import serve


def replica(number: int, leads: bool) -> FastAPI:
    app = FastAPI()

    @app.get("/decision/readyz")
    def readyz() -> dict:
        return {"ready": True, "service": "decision"}

    @app.get("/decision/healthz")
    def healthz() -> dict:
        return {"ready": True, "service": "decision", "lease": {"held": leads}}

    @app.post("/decision/api/echo")
    async def echo(request: Request) -> dict:
        return {"replica": number, "body": (await request.body()).decode()}

    @app.get("/decision/api/who")
    def who() -> dict:
        return {"replica": number}

    return app


def test_requests_reach_the_live_replica_when_the_other_is_gone(tmp_path: Path) -> None:
    ports = [free_port(), free_port()]
    servers = [serve(replica(i + 1, leads=i == 0), port) for i, port in enumerate(ports)]
    gateway_port = free_port()
    upstreams = {"decision": [f"http://127.0.0.1:{port}" for port in ports]}
    servers.append(serve(create_gateway(Settings(service="gateway", data_dir=tmp_path), upstreams), gateway_port))
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{gateway_port}", timeout=10) as client:
            both = {client.get("/decision/api/who").json()["replica"] for _ in range(6)}
            assert both == {1, 2}  # in turn
            health = client.get("/healthz").json()["services"]["decision"]
            assert health["ready"] and health["replicas"] == [
                {"replica": 1, "ready": True, "lease": True},
                {"replica": 2, "ready": True, "lease": False},
            ]

            servers[0].should_exit = True  # replica 1 dies
            deadline = time.monotonic() + 10
            while not port_free(ports[0]) and time.monotonic() < deadline:
                time.sleep(0.05)
            answers = [client.post("/decision/api/echo", content=f"票 {i}".encode()) for i in range(10)]
            assert [a.status_code for a in answers] == [200] * 10
            assert {a.json()["replica"] for a in answers} == {2}
            assert [a.json()["body"] for a in answers] == [f"票 {i}" for i in range(10)]  # bodies intact
            ready = client.get("/readyz")
            assert ready.status_code == 200
            assert [r["ready"] for r in ready.json()["services"]["decision"]["replicas"]] == [False, True]
    finally:
        for server in servers:
            server.should_exit = True


def hang_up(port: int, stop: threading.Event) -> threading.Thread:
    """A replica dying while it answers: it takes each request in and closes the connection unanswered."""
    listener = socket.create_server(("127.0.0.1", port))
    listener.settimeout(0.1)

    def run() -> None:
        with listener:
            while not stop.is_set():
                try:
                    conn, _ = listener.accept()
                except TimeoutError:
                    continue
                with conn:
                    conn.recv(65536)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_a_read_the_replica_dropped_unanswered_is_asked_of_the_next_one(tmp_path: Path) -> None:
    dying, live, gateway_port = free_port(), free_port(), free_port()
    stop = threading.Event()
    hang_up(dying, stop)
    servers = [serve(replica(2, leads=True), live)]
    upstreams = {"decision": [f"http://127.0.0.1:{dying}", f"http://127.0.0.1:{live}"]}
    servers.append(serve(create_gateway(Settings(service="gateway", data_dir=tmp_path), upstreams), gateway_port))
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{gateway_port}", timeout=10) as client:
            reads = [client.get("/decision/api/who") for _ in range(4)]
            assert [r.status_code for r in reads] == [200] * 4
            assert {r.json()["replica"] for r in reads} == {2}
    finally:
        stop.set()
        for server in servers:
            server.should_exit = True
