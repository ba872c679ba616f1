"""Progress bars for the CLI's long jobs (demo load, ``audit verify|replay|export|restore``, ``bench``,
``report``), drawn with rich on standard error, so standard output stays the result alone.

Quiet unless standard error is a terminal, and always quiet with ``--json``: a pipe, a log file or a
script sees no bar. The jobs take a :class:`Progress` and call ``step``/``advance``; the same code runs
with the bars off (``Progress.off()``).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress


class Progress:
    """One bar per job (``task``), advanced step by step; a no-op when off."""

    def __init__(self, bars: RichProgress | None) -> None:
        self._bars = bars
        self._task: TaskID | None = None

    @classmethod
    def off(cls) -> Progress:
        return cls(None)

    @property
    def shown(self) -> bool:
        return self._bars is not None

    def task(self, description: str, total: int | None) -> None:
        """Start a new bar of ``total`` steps (None: unknown, a spinner)."""
        if self._bars is not None:
            self._task = self._bars.add_task(description, total=total)

    def step(self, description: str) -> None:
        """Name what the current bar is doing now."""
        if self._bars is not None and self._task is not None:
            self._bars.update(self._task, description=description)

    def update(self, completed: int, total: int | None = None, description: str | None = None) -> None:
        """Set where the current bar is (``completed`` of ``total``)."""
        if self._bars is not None and self._task is not None:
            self._bars.update(self._task, completed=completed, total=total, description=description)

    def advance(self, steps: int = 1) -> None:
        if self._bars is not None and self._task is not None:
            self._bars.advance(self._task, steps)


def wanted(as_json: bool = False, stream: TextIO | None = None) -> bool:
    """Bars only for a person at a terminal: never with ``--json``, never when standard error is redirected."""
    stream = stream if stream is not None else sys.stderr
    return not as_json and stream.isatty()


@contextmanager
def progress(as_json: bool = False, *, stream: TextIO | None = None) -> Iterator[Progress]:
    """A :class:`Progress` drawing on standard error when :func:`wanted`, else one that does nothing."""
    if not wanted(as_json, stream):
        yield Progress.off()
        return
    console = Console(file=stream if stream is not None else sys.stderr)
    columns = (
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with RichProgress(*columns, console=console, transient=False) as bars:
        yield Progress(bars)
