"""The followers of a service in a companion process.

A service's read-model updater, audit-log follower, journal follower and outbox relay only read its
event store and write their own files (``views.sqlite``, ``audit.sqlite``), publish to NATS, or (the
relay) record a position, so they can run beside the service in a second process and use a second
core while the service answers requests and applies inbound messages (Python runs one thread at a
time in a process). With ``SHISHI_FOLLOWERS=process`` the service starts ``python -m
shared.runtime.companion <module>:create_app`` (the service's own composition root, named by the
service) with its own settings, wakes it through its standard input after every save, restarts it
when it dies, and stops it by closing that input. The companion says on a status pipe when its
followers run (it holds their lease and reached NATS); a service starting up is ready only from then
on. The companion stops on its own when the service is gone (end of input), on SIGTERM and on Ctrl-C.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import importlib
import os
import select
import signal
import subprocess
import sys
import threading
import time
from typing import Any

import structlog

from shared.bus.server import stop_process
from shared.config import Settings
from shared.runtime.heap import settle_heap

log = structlog.get_logger("shishi.followers")

NUDGE = b"\x01"
STATUS_FD = "SHISHI_COMPANION_STATUS_FD"  # where the companion says its followers run (the relay among them)
FOLLOWING = b"following\n"
URGENT = b"\x02"  # a reader waits on the read models: no gathering


def settings_env(settings: Settings) -> dict[str, str]:
    """The environment that makes ``Settings()`` in another process equal to ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHISHI_")}
    for name, value in settings.model_dump(mode="json").items():
        if value is not None:
            env[f"SHISHI_{name.upper()}"] = str(value)
    env["SHISHI_FOLLOWERS"] = "inline"  # the companion runs them itself
    return env


class FollowerProcess:
    """The companion process of one service: started, woken, supervised and stopped by it."""

    def __init__(self, settings: Settings, factory: str) -> None:
        """``factory``: ``module:function`` of the service's composition root, e.g.
        ``services.intake.main:create_app`` (the service names itself; this library imports no service)."""
        self.settings = settings
        self.factory = factory
        self.process: subprocess.Popen[bytes] | None = None
        self.restarts = 0
        self._fd: int | None = None
        self._following = threading.Event()
        self._stopped = False  # stop() was called: never started again (supervise may be mid-check)

    def start(self) -> None:
        if self.process is not None and self.process.stdin is not None:
            with contextlib.suppress(OSError):
                self.process.stdin.close()  # the previous companion's pipe (it has exited)
        self._following = following = threading.Event()
        status, status_w = os.pipe()
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "shared.runtime.companion", self.factory],
                env={**settings_env(self.settings), STATUS_FD: str(status_w)},
                stdin=subprocess.PIPE,
                pass_fds=(status_w,),
            )
        except BaseException:
            os.close(status)
            raise
        finally:
            os.close(status_w)
        threading.Thread(target=_watch_status, args=(status, following), name="followers-status", daemon=True).start()
        assert self.process.stdin is not None
        self._fd = self.process.stdin.fileno()
        os.set_blocking(self._fd, False)
        log.info("followers_started", pid=self.process.pid)

    @property
    def following(self) -> bool:
        """The companion said its followers run (it holds their lease and reached NATS): until then
        nothing is published or folded, and a service starting up does not call itself ready
        (``ServiceRuntime.is_ready``)."""
        return self._following.is_set() and self.alive

    @property
    def alive(self) -> bool:
        process = self.process  # stop() may clear it meanwhile (another thread)
        return process is not None and process.poll() is None

    def resident_memory(self) -> int | None:
        """The companion's resident memory in bytes, from /proc (Linux); None elsewhere or when it is gone."""
        process = self.process
        if process is None:
            return None
        try:
            with open(f"/proc/{process.pid}/statm") as stream:
                return int(stream.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            return None

    def nudge(self, urgent: bool = False) -> None:
        """Called after every save (any thread): wake the companion rather than wait for its next poll.
        ``urgent``: someone waits on the read models; otherwise wake-ups close together are gathered."""
        fd = self._fd
        if fd is None:
            return
        # its input may be full of wake-ups already, or it is being restarted
        with contextlib.suppress(OSError):
            os.write(fd, URGENT if urgent else NUDGE)

    async def supervise(self, stopping: asyncio.Event, check_seconds: float = 1.0) -> None:
        """Restart the companion whenever it exits while the service runs (with back-off)."""
        backoff = 1.0
        while not stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), timeout=check_seconds)
            if self._stopped:  # stopped while the service goes on (the lease lost): not to be restarted
                return
            if stopping.is_set() or self.alive:
                backoff = 1.0 if self.alive else backoff
                continue
            code = self.process.returncode if self.process is not None else None
            log.error("followers_exited", code=code, restart_in=backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 30.0)
            if not stopping.is_set() and not self._stopped:
                self.restarts += 1
                try:
                    self.start()
                except OSError as exc:  # e.g. out of processes or files: try again after the back-off
                    log.error("followers_start_failed", error=str(exc))

    def stop(self, timeout: float = 15.0) -> None:
        """Close its input (it finishes its batch and signs its last checkpoint), then make sure. It is
        not started again: a companion started meanwhile would outlive its service's lease."""
        self._stopped = True
        process, self.process = self.process, None
        if process is None:
            return
        self._fd = None
        with contextlib.suppress(OSError):
            assert process.stdin is not None
            process.stdin.close()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            stop_process(process, 5.0)


def _watch_status(fd: int, following: threading.Event) -> None:
    """Read what one companion says on its status pipe until it exits (the pipe's end)."""
    with os.fdopen(fd, "rb", buffering=0) as status:
        for line in status:
            if line == FOLLOWING:
                following.set()


def _say_following(fd: int) -> None:
    with contextlib.suppress(OSError):  # the service is gone: it stops us through our input
        os.write(fd, FOLLOWING)


GATHER_SECONDS = 0.02  # wake-ups closer to the previous one than this wait out the rest: one fold for all


def _watch_input(
    loop: asyncio.AbstractEventLoop, runtime: Any, stopping: asyncio.Event, fd: int = 0, gather: float = GATHER_SECONDS
) -> None:
    """Each byte on standard input is a wake-up; its end means the service is gone. A wake-up after a
    quiet spell wakes the followers at once; one that comes less than ``gather`` seconds after the
    previous one waits out the rest of that interval, and every wake-up meanwhile goes with it: under a
    stream of saves the followers fold, log and journal many saves in one transaction, instead of one
    each competing with the service for the cores and the disk. An ``URGENT`` byte (a page waits on the
    read models, ``settle_views``) wakes them at once."""
    last = -gather
    while True:
        data = _read(fd)
        if data and URGENT not in data:
            data = _gather(fd, last + gather)
        if not data:
            loop.call_soon_threadsafe(stopping.set)
            return
        last = time.monotonic()
        runtime.nudge_followers()


def _read(fd: int) -> bytes:
    try:
        return os.read(fd, 4096)
    except OSError:
        return b""


def _gather(fd: int, until: float) -> bytes:
    """The wake-ups that arrive until ``until`` (monotonic) or an urgent one, then those already waiting;
    empty at the end of input."""
    data = NUDGE
    while (rest := until - time.monotonic()) > 0 and URGENT not in data:
        if not select.select([fd], [], [], rest)[0]:
            break
        data = _read(fd)
        if not data:
            return b""
    while select.select([fd], [], [], 0)[0]:
        data = _read(fd)
        if not data:
            return b""
    return NUDGE


async def run_companion(runtime: Any) -> None:
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    threading.Thread(target=_watch_input, args=(loop, runtime, stopping), name="followers-input", daemon=True).start()
    await runtime.run_followers(stopping)


def load_factory(factory: str) -> Any:
    """``module:function`` to the function (the service's ``create_app``)."""
    module, _, name = factory.partition(":")
    return getattr(importlib.import_module(module), name or "create_app")


def main(factory: str, service: str | None = None) -> int:
    """Build the service with its own ``create_app`` as ``shishi serve`` does, and run only its followers.
    Settings come from the environment (``settings_env``)."""
    settings = Settings() if service is None else Settings(service=service)
    api = load_factory(factory)(settings, start_runtime=False)
    status = os.environ.get(STATUS_FD)
    if status:  # started by the service: tell it when the followers run
        api.state.runtime.on_following = functools.partial(_say_following, int(status))
    settle_heap()  # as ``shishi serve`` does
    asyncio.run(run_companion(api.state.runtime))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
