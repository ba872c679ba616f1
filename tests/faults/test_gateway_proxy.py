"""The origin's proxy over the network (aiohttp, real uvicorn servers): what passes through is what was
sent, both ways — a large answer streamed whole with its length, every ``Set-Cookie`` of an answer, a
path and query percent-encoded as the client wrote them, a large upload streamed whole; the forwarded
headers name the client and the origin; one Date and one Server header (the origin's); and a
submission whose replica hung up after taking it in is never sent to the other replica (a 502
instead), while a read is."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from services.gateway.main import create_gateway
from shared.bus.server import free_port
from shared.config import Settings
from tests.faults.test_gateway_after_500 import serve
from tests.faults.test_gateway_replicas import hang_up

BIG = bytes(range(256)) * 4096  # 1 MiB: streamed, not held whole


def upstream(received: list[str]) -> FastAPI:
    app = FastAPI()

    @app.get("/intake/readyz")
    def readyz() -> dict:
        return {"ready": True, "service": "intake"}

    @app.get("/intake/api/big")
    def big() -> Response:
        return Response(BIG, media_type="application/octet-stream")

    @app.get("/intake/api/cookies")
    def cookies() -> Response:
        response = JSONResponse({"ok": True})
        response.set_cookie("a", "1")
        response.set_cookie("b", "2")
        return response

    @app.get("/intake/api/echo/{rest:path}")
    def echo(request: Request, rest: str) -> dict:
        scope = request.scope
        return {
            "raw_path": scope["raw_path"].decode(),
            "query": scope["query_string"].decode(),
            "forwarded_for": request.headers.get("x-forwarded-for"),
            "forwarded_host": request.headers.get("x-forwarded-host"),
            "authorization": request.headers.get("authorization"),
        }

    @app.post("/intake/api/upload")
    async def upload(request: Request) -> dict:
        body = await request.body()
        received.append("upload")
        return {"size": len(body), "sha256": hashlib.sha256(body).hexdigest()}

    @app.post("/intake/api/demands")
    async def submit(request: Request) -> dict:
        received.append((await request.body()).decode())
        return {"replica": "live"}

    @app.get("/intake/api/who")
    def who() -> dict:
        return {"replica": "live"}

    return app


def test_what_passes_through_the_origin_is_what_was_sent(tmp_path: Path) -> None:
    service_port, gateway_port = free_port(), free_port()
    received: list[str] = []
    servers = [serve(upstream(received), service_port)]
    upstreams = {"intake": f"http://127.0.0.1:{service_port}"}
    servers.append(serve(create_gateway(Settings(service="gateway", data_dir=tmp_path), upstreams), gateway_port))
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{gateway_port}", timeout=20) as client:
            big = client.get("/intake/api/big")
            assert big.status_code == 200 and big.content == BIG
            assert big.headers["content-length"] == str(len(BIG))
            assert len(big.headers.get_list("date")) == 1 and len(big.headers.get_list("server")) == 1  # the origin's

            cookies = client.get("/intake/api/cookies")
            assert sorted(c.split("=")[0] for c in cookies.headers.get_list("set-cookie")) == ["a", "b"]

            seen = client.get(
                "/intake/api/echo/%E5%8F%B0%E5%B1%B1?q=%E8%B7%AF%E7%81%AF&a=1&a=2",
                headers={"authorization": "Bearer x", "host": "shishi.example"},
            ).json()
            assert seen["raw_path"] == "/intake/api/echo/%E5%8F%B0%E5%B1%B1"
            assert seen["query"] == "q=%E8%B7%AF%E7%81%AF&a=1&a=2"
            assert seen["forwarded_for"] == "127.0.0.1"  # who asked the origin
            assert seen["forwarded_host"] == "shishi.example"
            assert seen["authorization"] == "Bearer x"

            upload = client.post("/intake/api/upload", content=BIG)
            assert upload.json() == {"size": len(BIG), "sha256": hashlib.sha256(BIG).hexdigest()}
    finally:
        for server in servers:
            server.should_exit = True


def test_a_submission_taken_in_by_a_replica_that_hung_up_is_never_sent_to_the_other(tmp_path: Path) -> None:
    dying, live, gateway_port = free_port(), free_port(), free_port()
    stop = threading.Event()
    hang_up(dying, stop)  # reads the request, then closes without a word
    received: list[str] = []
    servers = [serve(upstream(received), live)]
    upstreams = {"intake": [f"http://127.0.0.1:{dying}", f"http://127.0.0.1:{live}"]}
    servers.append(serve(create_gateway(Settings(service="gateway", data_dir=tmp_path), upstreams), gateway_port))
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{gateway_port}", timeout=10) as client:
            answers = [client.post("/intake/api/demands", content=f"demand {i}") for i in range(4)]
            lost = [r for r in answers if r.status_code == 502]
            assert lost, "the replica that hung up took some of the submissions in turn"
            assert all(r.json()["reason"] == "upstream_unavailable" for r in lost)
            assert len(received) == len(answers) - len(lost)  # none of those sent again
            assert client.get("/intake/api/who").json() == {"replica": "live"}  # a read is asked again
    finally:
        stop.set()
        for server in servers:
            server.should_exit = True
