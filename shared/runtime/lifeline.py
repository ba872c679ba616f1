"""``python -m shared.runtime.lifeline PARENT_PID SIGNAL -- COMMAND ...``: run COMMAND so that it ends
when the process PARENT_PID ends, however that ends (SIGKILL included).

On Linux the kernel does it: ``prctl(PR_SET_PDEATHSIG, SIGNAL)``, then this process becomes COMMAND
(``exec``; the setting survives it), so nothing stays in between. If PARENT_PID is already gone by
then, COMMAND is not started. Elsewhere this process stays as COMMAND's parent, watches PARENT_PID
every half second, and sends SIGNAL (then SIGKILL after ten seconds) to COMMAND when it is gone.

``shishi up`` starts nats-server, the four services and the gateway this way, so that none of them
outlives it (``tests/faults/test_supervisor.py`` kills ``up`` with SIGKILL and finds no orphan).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import subprocess
import sys
import time

PR_SET_PDEATHSIG = 1


def command(parent_pid: int, argv: list[str], sig: int = signal.SIGTERM) -> list[str]:
    """The command line that runs ``argv`` tied to ``parent_pid``."""
    return [sys.executable, "-m", "shared.runtime.lifeline", str(parent_pid), str(int(sig)), "--", *argv]


def _exec_tied(parent_pid: int, sig: int, argv: list[str]) -> int:
    libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent_pid:  # the parent ended before the setting took: do not start at all
        return 1
    os.execvp(argv[0], argv)
    return 127  # not reached


def _watch(parent_pid: int, sig: int, argv: list[str]) -> int:
    child = subprocess.Popen(argv, pass_fds=_inherited())
    for received in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(received, lambda number, frame: child.send_signal(number))
    while child.poll() is None:
        if os.getppid() != parent_pid:
            child.send_signal(sig)
            try:
                child.wait(10)
            except subprocess.TimeoutExpired:
                child.kill()
            break
        time.sleep(0.5)
    return child.wait()


def _inherited() -> tuple[int, ...]:
    """The descriptors this process was given beyond 0-2 (a lock the child must hold, say)."""
    found = []
    for fd in range(3, 256):
        with contextlib.suppress(OSError):
            os.fstat(fd)
            found.append(fd)
    return tuple(found)


def main(args: list[str]) -> int:
    parent_pid, sig, separator, *argv = args
    if separator != "--" or not argv:
        print("usage: python -m shared.runtime.lifeline PARENT_PID SIGNAL -- COMMAND ...", file=sys.stderr)
        return 2
    if sys.platform.startswith("linux"):
        return _exec_tied(int(parent_pid), int(sig), argv)
    return _watch(int(parent_pid), int(sig), argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
