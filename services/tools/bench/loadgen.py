"""A closed-loop HTTP/1.1 load generator: N clients, each on its own keep-alive connection, each
sending its next request as soon as the previous answer is read, for a fixed time.

Hand-written on asyncio streams rather than httpx on purpose: the generator runs on the same two
cores as the system it measures, and at several hundred requests a second httpx's client would
take a large share of a core away from the gateway and the service (this costs a few tens of
microseconds a request). It speaks only what the benchmark needs: one request bytes template per
call, answers with ``Content-Length`` or ``chunked`` bodies.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


@dataclass
class LoadResult:
    """What one timed run saw: each answered request's latency, its statuses, failures and the time."""

    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    failures: int = 0  # connection errors and answers that could not be read
    seconds: float = 0.0

    @property
    def ok(self) -> int:
        return sum(n for status, n in self.statuses.items() if 200 <= status < 300)

    @property
    def errors(self) -> int:
        return self.failures + sum(n for status, n in self.statuses.items() if not 200 <= status < 300)

    @property
    def rps(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0


def request_bytes(method: str, path: str, body: bytes, host: str, headers: dict[str, str] | None = None) -> bytes:
    head = [f"{method} {path} HTTP/1.1", f"host: {host}", f"content-length: {len(body)}"]
    head += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


async def read_answer(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """One HTTP/1.1 answer: its status and body."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length, chunked = None, False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
    if chunked:
        body = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                return status, body
            body += chunk[:-2]
    return status, await reader.readexactly(length or 0)


async def run_load(
    host: str, port: int, make_request: Callable[[int], bytes], *, clients: int, seconds: float
) -> LoadResult:
    """``clients`` connections send ``make_request(n)`` (n counts requests) one after another for
    ``seconds``; a failed connection is counted and opened again."""
    result = LoadResult()
    deadline = time.perf_counter() + seconds
    counter = iter(range(1 << 62))

    async def client() -> None:
        reader = writer = None
        while time.perf_counter() < deadline:
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection(host, port)
                assert reader is not None
                started = time.perf_counter()
                writer.write(make_request(next(counter)))
                status, _ = await read_answer(reader)
                result.latencies_ms.append((time.perf_counter() - started) * 1000)
                result.statuses[status] = result.statuses.get(status, 0) + 1
            except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
                result.failures += 1
                if writer is not None:
                    writer.close()
                reader = writer = None
                await asyncio.sleep(0.05)
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    result.seconds = time.perf_counter() - started
    return result


async def timed_requests(host: str, port: int, requests: Sequence[bytes]) -> list[tuple[int, float]]:
    """Send ``requests`` one after another on one keep-alive connection: (status, milliseconds) each."""
    reader, writer = await asyncio.open_connection(host, port)
    answers = []
    try:
        for request in requests:
            started = time.perf_counter()
            writer.write(request)
            status, _ = await read_answer(reader)
            answers.append((status, (time.perf_counter() - started) * 1000))
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
    return answers
