"""The event store's JSON decoding hook decodes exactly as the library's, and a read-model rebuild
runs with the garbage collector paused, then restores it."""

from __future__ import annotations

import gc
from datetime import UTC, date, datetime
from uuid import uuid4

from eventsourcing.persistence import JSONTranscoder

from shared.application import FastJSONTranscoder, ServiceApplication
from shared.views import ViewUpdater, collector_paused


def transcoders() -> tuple[JSONTranscoder, JSONTranscoder]:
    """The library's transcoder and the one our applications use, with the same transcodings."""
    app = ServiceApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})  # in memory
    library = JSONTranscoder()
    app.register_transcodings(library)
    ours = app.mapper.transcoder
    assert isinstance(ours, FastJSONTranscoder)
    return library, ours


def test_decodes_byte_for_byte_like_the_library() -> None:
    library, ours = transcoders()
    value = {"at": datetime(2026, 3, 1, 9, tzinfo=UTC), "id": uuid4(), "day": date(2026, 3, 1), "plain": {"a": 1, "b": [1, {"c": None}]},
             "looks_typed": {"_type_": "x", "_data_": 1, "third": True}, "two_keys": {"_type_": "x", "other": 2},
             "text": "台城街道"}
    encoded = library.encode(value)
    assert ours.encode(value) == encoded
    assert ours.decode(encoded) == library.decode(encoded) == value


def test_rebuild_pauses_the_collector_and_restores_it() -> None:
    seen: list[bool] = []

    class Views:
        def clear(self) -> None:
            seen.append(gc.isenabled())

    updater = ViewUpdater(app=None, views=Views(), project=lambda tx, e: None)
    updater.catch_up = lambda: seen.append(gc.isenabled())  # type: ignore[method-assign]
    assert gc.isenabled()
    updater.rebuild()
    assert seen == [False, False] and gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()
