"""Catching a read model up over a long backlog (a rebuild, a first start on a large store) with
the writing done in a child process.

Writing the folded documents (the upsert statements and the commits) takes about a third of a
rebuild, and Python's global lock keeps it on the core that decodes and folds. A child process
running ``python -m shared.views.bulk`` writes batch *k* while this process decodes and folds
batch *k + 1*, on the machine's other core.

Each batch is still one transaction that moves the read model's position together with its
documents, guarded by the position it expects (``ViewStore.write(after=...)``): the store is at
every moment the exact fold of a prefix of the log. Documents of batches sent but not yet
confirmed stay in memory (the overlay), so a later batch folds on what earlier ones wrote.

When the event store can be opened by another process too (a file or PostgreSQL, not memory),
a second child (``python -m shared.views.bulk read``) reads the log one batch ahead and sends it
as plain rows, the states in one buffer (``shared.views.log``). Reading the stored events was a sixth
of what this process did per event; in a process of its own it is a few percent of a core
(a thread in the writer was slower: the two threads took Python's lock in turns for every row).

Protocol on the writer's stdin/stdout (private pipes, pickled): first ``{"sqlite_path",
"postgres", "name"}``, then ``(after, position, columns)`` per batch (``pack``), each answered by ``("ok",
position)``, ``("moved", position)`` (another process folded meanwhile: nothing written) or
``("error", reason)`` (the child stops). Closing stdin ends the child. The reader is sent
``{"name", "env", "position", "limit", "topics"}`` and answers ``("rows", after, position,
columns)`` per batch, the last one empty (the end of the log), or ``("error", reason)``; it stops
at the end of the log or when its output is closed.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import subprocess
import sys
from array import array
from collections.abc import Callable, Sequence
from itertools import accumulate
from pathlib import Path
from typing import Any

import structlog

from shared.persistence.notifications import next_batch
from shared.views.log import StoredRow, log_source, read_log, unpack_rows
from shared.views.store import ViewStore, ViewTx, encode_doc_bytes

_log = structlog.get_logger("shishi.views")

Key = tuple[str, str]
PROJECT_ROOT = Path(__file__).resolve().parents[2]


class BulkWriteFailed(RuntimeError):
    """A child process failed or died. Of the writer's batches, every one it confirmed is
    committed; one sent but not confirmed may be committed too (the store stays at a batch
    boundary: the next catch-up goes on from its position). A failed log reader only makes this
    process read the rest itself."""


Changes = dict[Key, tuple[str, dict | None]]  # a fold transaction's changed documents: county, document


class OverlayTx(ViewTx):
    """A fold transaction whose reads see, before the store, the documents of batches still being
    written by the child (newest first); the store is read without the write lock the child holds."""

    def __init__(self, reader: ViewStore, pending: list[Changes]) -> None:
        super().__init__(None, "")
        self._reader = reader
        self._pending = pending

    def _load(self, key: Key) -> tuple[dict, str] | None:
        for changes in reversed(self._pending):
            found = changes.get(key)
            if found is not None and found[1] is not None:
                return found[1], found[0]
        stored = self._reader.lookup(*key)
        return (json.loads(stored[0]), stored[1]) if stored else None

    def _search(self, kind: str, county: str, field: str, value: str) -> list[str]:
        pending = {
            id
            for changes in self._pending
            for (k, id), (_, doc) in changes.items()
            if k == kind and doc is not None and doc.get(field) == value
        }
        return [*self._reader.search(kind, county, field, value), *pending]

    def changes(self) -> Changes:
        return self._dirty


def pack(changes: Changes) -> tuple[list[str], list[str], list[str], bytes, array]:
    """Changed documents, encoded, as columns: kinds, ids, counties, and the documents' texts in one
    UTF-8 buffer with their lengths (pickling one buffer costs a fraction of many strings)."""
    kinds, ids, counties, docs = [], [], [], []
    for (kind, doc_id), (county, doc) in changes.items():
        if doc is not None:
            kinds.append(kind)
            ids.append(doc_id)
            counties.append(county)
            docs.append(encode_doc_bytes(doc))
    return kinds, ids, counties, b"".join(docs), array("Q", map(len, docs))


def unpack(
    kinds: list[str], ids: list[str], counties: list[str], texts: bytes, lengths: array
) -> list[tuple[str, str, str, str]]:
    view, ends = memoryview(texts), accumulate(lengths)
    start, docs = 0, []
    for end in ends:
        docs.append(str(view[start:end], "utf-8"))
        start = end
    return list(zip(kinds, ids, counties, docs, strict=True))


def widen_pipe(fd: int) -> None:
    """A pipe buffer of 1 MiB where Linux allows it, not 64 KiB: a batch (tens of MiB) then
    crosses in a few hundred writes rather than thousands of turns between the two processes."""
    try:
        import fcntl

        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
    except (ImportError, OSError):
        pass  # another platform, or a lower limit: the default buffer works, a little slower


class _Child:
    """One child process running ``python -m shared.views.bulk [mode]``, sent ``header`` first."""

    role = "child"

    def __init__(self, mode: list[str], header: dict) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH", "")) if p)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "shared.views.bulk", *mode], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env
        )
        assert self.process.stdin is not None
        widen_pipe(self.process.stdin.fileno())
        try:
            self._send(header)
        except BulkWriteFailed:
            self.close()
            raise

    def _send(self, message: Any) -> None:
        assert self.process.stdin is not None
        try:
            pickle.dump(message, self.process.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            self.process.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            raise BulkWriteFailed(
                f"the read-model {self.role} process is gone (exit code {self.process.poll()})"
            ) from exc

    def _receive(self) -> Any:
        assert self.process.stdout is not None
        try:
            return pickle.load(self.process.stdout)
        except (EOFError, OSError, pickle.UnpicklingError) as exc:
            raise BulkWriteFailed(f"the read-model {self.role} process ended (exit code {self._exit_code()})") from exc

    def _exit_code(self) -> int | None:
        try:
            return self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return None

    def close(self) -> None:
        _close(self.process.stdin)  # a writer finishes what it was sent, then ends
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        _close(self.process.stdout)


class BulkWriter(_Child):
    """The parent's end of one writer process."""

    role = "writer"

    def __init__(self, views: ViewStore, name: str) -> None:
        super().__init__(
            [],
            {
                "sqlite_path": str(views.sqlite_path) if views.sqlite_path else None,
                "postgres": views.postgres,
                "name": name,
            },
        )

    def send(self, after: int, position: int, changes: Changes) -> None:
        self._send((after, position, pack(changes)))

    def confirm(self) -> bool:
        """The oldest unconfirmed batch's outcome: True if written, False if the position had moved."""
        outcome, detail = self._receive()
        if outcome == "error":
            raise BulkWriteFailed(f"the read-model writer failed: {detail}")
        return bool(outcome == "ok")


class LogReader(_Child):
    """The parent's end of one log-reader process (``log_source``)."""

    role = "log reader"

    def __init__(self, source: dict) -> None:
        super().__init__(["read"], source)

    def next_rows(self, after: int) -> tuple[list[StoredRow], int]:
        """The next batch read from the log after ``after``, and the position after it."""
        message = self._receive()
        if message[0] == "error":
            raise BulkWriteFailed(f"the read-model log reader could not read the log: {message[1]}")
        try:
            _, start, position, columns = message
            rows = unpack_rows(*columns)
        except (TypeError, ValueError) as exc:
            raise BulkWriteFailed(f"the read-model log reader sent a malformed batch: {exc}") from exc
        if start != after:
            raise BulkWriteFailed(f"the log reader sent the batch after {start}, expected after {after}")
        return rows, position

    def close(self) -> None:
        _close(self.process.stdout)  # a reader still sending gets a broken pipe and ends
        super().close()


def _close_all(children: list[_Child]) -> None:
    """Stop the children together: every reader's output and writer's input closed first (the
    writer finishes the batches it was sent), then each waited for."""
    for child in children:
        if isinstance(child, LogReader):
            _close(child.process.stdout)
        _close(child.process.stdin)
    for child in children:
        child.close()


def _close(pipe: Any) -> None:
    if pipe is not None and not pipe.closed:
        with contextlib.suppress(OSError):
            pipe.close()


def fold_in_bulk(updater: Any, batch: int, stop: Callable[[], bool] | None = None) -> int:
    """Fold ``updater``'s backlog, ``batch`` notifications at a time, writing through a child
    process. Returns how many notifications were written; stops early (without error) if another
    process moved the read model meanwhile, leaving the rest to the caller's ordinary catch-up,
    or when ``stop()`` turns true (the service is stopping), after the batches already sent."""
    views: ViewStore = updater.views
    position = views.position(updater.NAME)
    reader = views.peer()  # opened before the writer holds the store's write lock
    try:
        writer = BulkWriter(views, updater.NAME)
    except BaseException:
        reader.close()
        raise
    log: LogReader | None = None
    pending: list[Changes] = []  # sent, not yet confirmed: oldest first
    counts: list[int] = []
    written, moved = 0, False

    def confirm_oldest() -> None:
        nonlocal moved, written
        pending.pop(0)
        count = counts.pop(0)
        if writer.confirm():
            written += count
        else:
            moved = True

    def read_here() -> tuple[list, int]:
        return next_batch(updater.app.recorder, position, batch, updater.topics)

    try:
        # the first batch is read here, while the writer starts; a reader process goes on from its end
        ahead: tuple[list[Any], int] | None = read_here()
        source = log_source(updater.app, ahead[1], batch, updater.topics) if ahead and ahead[1] != position else None
        log = LogReader(source) if source is not None else None
        while not moved and not (stop is not None and stop()):
            if ahead is not None:
                (notifications, new_position), ahead = ahead, None
            elif log is not None:
                try:
                    notifications, new_position = log.next_rows(position)
                except BulkWriteFailed as exc:  # the reader failed: this process reads the rest
                    _log.warning("views_bulk_reader_failed", error=str(exc))
                    log.close()
                    log = None
                    notifications, new_position = read_here()
            else:
                notifications, new_position = read_here()
            if new_position == position:
                break
            tx = OverlayTx(reader, pending)
            project, to_event = updater.project, updater.app.mapper.to_domain_event
            for notification in notifications:
                project(tx, to_event(notification))
            writer.send(position, new_position, tx.changes())
            pending.append(tx.changes())
            counts.append(len(notifications))
            if len(pending) > 1:  # the writer works on this batch while the next one folds
                confirm_oldest()
            position = new_position
        while pending:
            confirm_oldest()
    finally:
        _close_all([child for child in (log, writer) if child is not None])
        reader.close()
    return written


def main(argv: Sequence[str] = ()) -> int:
    """The child: the writer (write each batch it is sent, answer each, until stdin closes), or
    with ``read`` the log reader."""
    out = os.fdopen(os.dup(1), "wb", buffering=1 << 20)
    os.dup2(2, 1)  # anything printed goes to stderr, never into the answers
    source = sys.stdin.buffer
    try:
        header = pickle.load(source)
    except EOFError:
        return 0
    if list(argv) == ["read"]:
        widen_pipe(out.fileno())
        code = read_log(out, header)
        with contextlib.suppress(BrokenPipeError):  # the parent stopped reading before the last buffered bytes
            out.close()
        return code
    store = ViewStore(
        sqlite_path=Path(header["sqlite_path"]) if header["sqlite_path"] else None, postgres=header["postgres"]
    )
    store.bulk_loading()
    try:
        while True:
            try:
                after, position, columns = pickle.load(source)
            except EOFError:
                return 0
            try:
                reply = (
                    "ok" if store.write(header["name"], position, unpack(*columns), after=after) else "moved",
                    position,
                )
            except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises it
                pickle.dump(("error", f"{type(exc).__name__}: {exc}"), out)
                out.flush()
                return 1
            pickle.dump(reply, out)
            out.flush()
    finally:
        store.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
