"""A replica starting while its JetStream cluster elects a leader (shared/bus/consumer.py): the
durable's creation that times out or finds JetStream unavailable is tried again with back-off, and
the error is raised only once ``patience`` is spent; other errors are raised at once."""

from __future__ import annotations

from typing import Any

import nats.errors
import pytest
from nats.js.errors import ServiceUnavailableError

from shared.bus.consumer import Consumer


class ElectingJetStream:
    """Answers ``pull_subscribe`` with each of ``failures`` in turn, then with a subscription."""

    def __init__(self, *failures: Exception) -> None:
        self.failures = list(failures)
        self.calls = 0

    async def pull_subscribe(self, subject: str, **kwargs: Any) -> str:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return f"subscription to {subject} as {kwargs['durable']}"


def consumer(js: ElectingJetStream) -> Consumer:
    return Consumer(
        js=js,
        app=None,
        service="decision",
        stream="INTAKE",
        filter_subject="shishi.*.intake.>",
        decode=lambda msg: msg,
        handle=lambda uow, message: None,
    )


async def test_a_cluster_electing_its_leader_is_waited_for(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr("shared.bus.consumer.asyncio.sleep", sleep)
    js = ElectingJetStream(nats.errors.TimeoutError(), ServiceUnavailableError(), nats.errors.NoRespondersError())
    subscriber = consumer(js)
    await subscriber.subscribe()
    assert js.calls == 4 and slept == [0.5, 1.0, 2.0]
    assert subscriber._sub == "subscription to shishi.*.intake.> as decision-from-intake"  # noqa: SLF001


async def test_the_error_is_raised_once_patience_is_spent(monkeypatch: pytest.MonkeyPatch) -> None:
    async def sleep(seconds: float) -> None:
        return None

    monkeypatch.setattr("shared.bus.consumer.asyncio.sleep", sleep)
    js = ElectingJetStream(*(nats.errors.TimeoutError() for _ in range(10)))
    with pytest.raises(nats.errors.TimeoutError):
        await consumer(js).subscribe(patience=0.0)
    assert js.calls == 1
    with pytest.raises(PermissionError):
        await consumer(ElectingJetStream(PermissionError("not allowed"))).subscribe()
