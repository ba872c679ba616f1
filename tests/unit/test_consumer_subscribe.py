"""A replica starting while its JetStream cluster elects a leader (shared/bus/patience.py): the
durable's creation and the streams' declaration that time out or find JetStream unavailable are tried
again with back-off, and the error is raised only once ``patience`` is spent; other errors at once."""

from __future__ import annotations

from typing import Any, cast

import nats.errors
import pytest
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError, ServiceUnavailableError

from shared.bus.consumer import Consumer
from shared.bus.streams import all_streams, ensure_streams


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


class ElectingStreams:
    """``stream_info`` answers each of ``failures`` in turn, then "not found"; ``add_stream`` records."""

    def __init__(self, *failures: Exception) -> None:
        self.failures = list(failures)
        self.added: list[str] = []

    async def stream_info(self, name: str) -> Any:
        if self.failures:
            raise self.failures.pop(0)
        raise NotFoundError()

    async def add_stream(self, config: Any) -> None:
        self.added.append(config.name)


async def test_streams_are_declared_once_the_cluster_has_its_leader(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr("shared.bus.patience.asyncio.sleep", sleep)
    js = ElectingStreams(nats.errors.TimeoutError(), ServiceUnavailableError())
    specs = all_streams()[:2]
    await ensure_streams(cast(JetStreamContext, js), specs)
    assert slept == [0.5, 1.0]
    assert js.added == [spec.config(1).name for spec in specs]
