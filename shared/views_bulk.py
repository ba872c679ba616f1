"""Catching a read model up over a long backlog (a rebuild, a first start on a large store) with
the writing done in a child process.

Writing the folded documents (the upsert statements and the commits) takes about a third of a
rebuild, and Python's global lock keeps it on the core that decodes and folds. A child process
running ``python -m shared.views_bulk`` writes batch *k* while this process decodes and folds
batch *k + 1*, on the machine's other core.

Each batch is still one transaction that moves the read model's position together with its
documents, guarded by the position it expects (``ViewStore.write(after=...)``): the store is at
every moment the exact fold of a prefix of the log. Documents of batches sent but not yet
confirmed stay in memory (the overlay), so a later batch folds on what earlier ones wrote.

Protocol on the child's stdin/stdout (a private pipe, pickled): first ``{"sqlite_path",
"postgres", "name"}``, then ``(after, position, columns)`` per batch (``pack``), each answered by ``("ok",
position)``, ``("moved", position)`` (another process folded meanwhile: nothing written) or
``("error", reason)`` (the child stops). Closing stdin ends the child.
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from array import array
from itertools import accumulate
from collections.abc import Callable
from pathlib import Path
from typing import Any

from shared.views import ViewStore, ViewTx, encode_doc_bytes

Key = tuple[str, str]
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class BulkWriteFailed(RuntimeError):
    """The writer process failed or died; every batch it confirmed is committed, no other."""


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

    def _search(self, kind: str, field: str, value: str) -> list[str]:
        pending = {id for changes in self._pending for (k, id), (_, doc) in changes.items()
                   if k == kind and doc is not None and doc.get(field) == value}
        return [*self._reader.search(kind, field, value), *pending]

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


def unpack(kinds: list[str], ids: list[str], counties: list[str], texts: bytes,
           lengths: array) -> list[tuple[str, str, str, str]]:
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


class BulkWriter:
    """The parent's end of one writer process."""

    def __init__(self, views: ViewStore, name: str) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH", "")) if p)
        self.process = subprocess.Popen([sys.executable, "-m", "shared.views_bulk"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, env=env)
        assert self.process.stdin is not None
        widen_pipe(self.process.stdin.fileno())
        self._send({"sqlite_path": str(views.sqlite_path) if views.sqlite_path else None,
                    "postgres": views.postgres, "name": name})

    def _send(self, message: Any) -> None:
        assert self.process.stdin is not None
        try:
            pickle.dump(message, self.process.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            self.process.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            raise BulkWriteFailed(f"the read-model writer process is gone (exit code {self.process.poll()})") from exc

    def send(self, after: int, position: int, changes: Changes) -> None:
        self._send((after, position, pack(changes)))

    def confirm(self) -> bool:
        """The oldest unconfirmed batch's outcome: True if written, False if the position had moved."""
        assert self.process.stdout is not None
        try:
            outcome, detail = pickle.load(self.process.stdout)
        except EOFError as exc:
            raise BulkWriteFailed(f"the read-model writer process ended (exit code {self.process.wait()})") from exc
        if outcome == "error":
            raise BulkWriteFailed(f"the read-model writer failed: {detail}")
        return bool(outcome == "ok")

    def close(self) -> None:
        if self.process.stdin is not None and not self.process.stdin.closed:
            try:
                self.process.stdin.close()
            except OSError:
                pass
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


def fold_in_bulk(updater: Any, batch: int, stop: Callable[[], bool] | None = None) -> int:
    """Fold ``updater``'s backlog, ``batch`` notifications at a time, writing through a child
    process. Returns how many notifications were written; stops early (without error) if another
    process moved the read model meanwhile, leaving the rest to the caller's ordinary catch-up,
    or when ``stop()`` turns true (the service is stopping), after the batches already sent."""
    from shared.notifications import next_batch

    views: ViewStore = updater.views
    position = views.position(updater.NAME)
    reader = views.peer()  # opened before the writer holds the store's write lock
    try:
        writer = BulkWriter(views, updater.NAME)
    except BaseException:
        reader.close()
        raise
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

    try:
        while not moved and not (stop is not None and stop()):
            notifications, new_position = next_batch(updater.app.recorder, position, batch, updater.topics)
            if new_position == position:
                break
            tx = OverlayTx(reader, pending)
            for notification in notifications:
                updater.project(tx, updater.app.mapper.to_domain_event(notification))
            writer.send(position, new_position, tx.changes())
            pending.append(tx.changes())
            counts.append(len(notifications))
            if len(pending) > 1:  # the writer works on this batch while the next one folds
                confirm_oldest()
            position = new_position
        while pending:
            confirm_oldest()
    finally:
        writer.close()
        reader.close()
    return written


def main() -> int:
    """The child: write each batch it is sent, answer each, until stdin closes."""
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed goes to stderr, never into the answers
    source = sys.stdin.buffer
    try:
        header = pickle.load(source)
    except EOFError:
        return 0
    store = ViewStore(sqlite_path=Path(header["sqlite_path"]) if header["sqlite_path"] else None,
                      postgres=header["postgres"])
    store.bulk_loading()
    try:
        while True:
            try:
                after, position, columns = pickle.load(source)
            except EOFError:
                return 0
            try:
                reply = ("ok" if store.write(header["name"], position, unpack(*columns), after=after) else "moved", position)
            except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises it
                pickle.dump(("error", f"{type(exc).__name__}: {exc}"), out)
                out.flush()
                return 1
            pickle.dump(reply, out)
            out.flush()
    finally:
        store.close()


if __name__ == "__main__":
    sys.exit(main())
