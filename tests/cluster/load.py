"""The load of the cluster test: the 12345 platform publishing tickets at a steady rate to the NATS
cluster (each retried until acknowledged, with its ticket id as ``Nats-Msg-Id``, as the platform
does), and residents and staff using the origin meanwhile (submissions retried with their
``Idempotency-Key``, reads counted)."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
import nats

from shared.contracts import HotlineTicket

COUNTIES = ("440781", "440703", "440704", "440705")  # 台山市, 蓬江区, 江海区, 新会区
TOWNS = ("台城街道", "环市街道", "外海街道", "会城街道")


def ticket(n: int) -> HotlineTicket:
    return HotlineTicket(
        ticket_id=f"C-{n}",
        county=COUNTIES[n % len(COUNTIES)],
        received_at=datetime(2026, 3, 1, 9, tzinfo=UTC),
        category=("roads", "water", "environment", "safety")[n % 4],
        text=f"路灯不亮，请尽快修理 {n}",
        town=TOWNS[n % len(TOWNS)],
        caller_name=f"市民{n}" if n % 3 == 0 else "",
        caller_phone="13800000000" if n % 3 == 0 else "",
    )


@dataclass
class Hotline:
    """Publishes ``total`` tickets at ``rate`` per second; each is sent again until the cluster acks it."""

    servers: list[str]
    total: int
    rate: float
    acked: int = 0
    retries: int = 0
    ack_times: list[float] = field(default_factory=list)
    started: float = 0.0
    finished: float = 0.0
    stopping: threading.Event = field(default_factory=threading.Event)

    def stop(self) -> None:
        """The test ended (passed or not): no ticket is sent again, so nothing outlives the test."""
        self.stopping.set()

    async def run(self) -> None:
        nc = await nats.connect(
            servers=self.servers, max_reconnect_attempts=-1, reconnect_time_wait=0.2, connect_timeout=2
        )
        js = nc.jetstream(timeout=3)
        self.started = time.monotonic()
        sending = []
        try:
            for n in range(self.total):
                delay = self.started + n / self.rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                if self.stopping.is_set():
                    break
                sending.append(asyncio.create_task(self._send(js, n)))
            await asyncio.gather(*sending)
            self.finished = time.monotonic()
        finally:
            await nc.close()

    async def _send(self, js: nats.js.JetStreamContext, n: int) -> None:
        body = ticket(n)
        data = body.model_dump_json().encode()
        while not self.stopping.is_set():
            try:
                await js.publish(body.subject(body.county), data, headers={"Nats-Msg-Id": body.ticket_id})
            except Exception:  # noqa: BLE001 - not acknowledged (a node died, a leader is being elected): again
                self.retries += 1
                await asyncio.sleep(0.2)
                continue
            self.acked += 1
            self.ack_times.append(time.monotonic())
            return

    def longest_stall_after(self, moment: float) -> float:
        """The longest time without any acknowledgement, in the 30 s after ``moment``."""
        times = sorted(t for t in self.ack_times if moment - 1 <= t <= moment + 30)
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
        return max(gaps, default=0.0)

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=lambda: asyncio.run(self.run()), name="hotline", daemon=True)
        thread.start()
        return thread


@dataclass
class Residents:
    """``total`` demands submitted through the origin, one every ``every`` seconds, each retried with its
    own ``Idempotency-Key`` until answered; between them, reads of intake and decision through the origin."""

    origin: str
    token: str
    total: int
    every: float
    submitted: list[str] = field(default_factory=list)
    retried_submissions: int = 0
    refusals: list[str] = field(default_factory=list)  # why submissions had to be sent again
    reads: int = 0
    slowest_read: float = 0.0
    failed_reads: list[str] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)

    def stop(self) -> None:
        self.stopping.set()

    def run(self) -> None:
        headers = {"authorization": f"Bearer {self.token}"}
        with httpx.Client(base_url=self.origin, timeout=15, headers=headers) as client:
            for i in range(self.total):
                if self.stopping.is_set():
                    return
                started = time.monotonic()
                self._submit(client, i)
                for path in (f"/intake/api/counties/{COUNTIES[0]}/demands?limit=1", "/decision/api/counties"):
                    self.reads += 1
                    asked = time.monotonic()
                    try:
                        status = client.get(path).status_code
                        self.slowest_read = max(self.slowest_read, time.monotonic() - asked)
                    except httpx.HTTPError as exc:
                        status = 0
                        self.failed_reads.append(f"{path}: {type(exc).__name__}")
                    if status != 200 and status:
                        self.failed_reads.append(f"{path}: {status}")
                self.stopping.wait(max(0.0, self.every - (time.monotonic() - started)))

    def _submit(self, client: httpx.Client, i: int) -> None:
        key = uuid.uuid4().hex
        body = {"county": COUNTIES[i % len(COUNTIES)], "town": "台城街道", "category": "water", "text": f"积水 web-{i}"}
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not self.stopping.is_set():
            try:
                r = client.post("/intake/api/demands", json=body, headers={"idempotency-key": key})
                if r.status_code in (200, 201):
                    self.submitted.append(f"web-{i}")
                    return
                self.refusals.append(f"web-{i}: {r.status_code} {r.text[:200]}")
            except httpx.HTTPError as exc:
                self.refusals.append(f"web-{i}: {type(exc).__name__}")
            self.retried_submissions += 1
            time.sleep(0.3)
        if not self.stopping.is_set():
            raise AssertionError(f"submission web-{i} was never answered: {self.refusals[-3:]}")

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name="residents", daemon=True)
        thread.start()
        return thread
