"""The guard every test runs under (``tests/fixtures/loop_guard.py``) catches an async route that waits
on something blocking, names the route, and lets a sync route (run in the thread pool) block freely."""

from __future__ import annotations

import time

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.fixtures.loop_guard import watch_blocking_calls


@pytest.mark.blocking_allowed
def test_an_async_route_that_sleeps_is_caught_and_a_sync_one_is_not(monkeypatch: pytest.MonkeyPatch) -> None:
    found = watch_blocking_calls(monkeypatch)
    app = FastAPI()

    @app.get("/async")
    async def sleeps_on_the_loop() -> dict[str, bool]:
        time.sleep(0.001)
        return {"ok": True}

    @app.get("/sync")
    def sleeps_in_a_thread() -> dict[str, bool]:
        time.sleep(0.001)
        return {"ok": True}

    with TestClient(app) as client:
        assert client.get("/sync").status_code == 200
        assert found == []
        assert client.get("/async").status_code == 200
    assert len(found) == 1 and found[0].startswith("time.sleep called on the event loop by sleeps_on_the_loop")
