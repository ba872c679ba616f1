"""The event store's JSON decoding hook decodes exactly as the library's, and a read-model rebuild
runs with the garbage collector paused, then restores it."""

from __future__ import annotations

import gc
from datetime import UTC, date, datetime
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import JSONTranscoder, UUIDAsHex

from shared.persistence.application import FastJSONTranscoder, ServiceApplication
from shared.views.store import collector_paused
from shared.views.updater import ViewUpdater


def transcoders() -> tuple[JSONTranscoder, JSONTranscoder]:
    """The library's transcoder and the one our applications use, with the same transcodings."""
    app = ServiceApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})  # in memory
    library = JSONTranscoder()
    app.register_transcodings(library)
    library.register(UUIDAsHex())  # the library's own, in place of our faster decoding
    ours = app.mapper.transcoder
    assert isinstance(ours, FastJSONTranscoder)
    return library, ours


def test_decodes_byte_for_byte_like_the_library() -> None:
    library, ours = transcoders()
    value = {
        "at": datetime(2026, 3, 1, 9, tzinfo=UTC),
        "id": uuid4(),
        "day": date(2026, 3, 1),
        "plain": {"a": 1, "b": [1, {"c": None}]},
        "looks_typed": {"_type_": "x", "_data_": 1, "third": True},
        "two_keys": {"_type_": "x", "other": 2},
        "text": "台城街道",
    }
    encoded = library.encode(value)
    assert ours.encode(value) == encoded
    assert ours.decode(encoded) == library.decode(encoded) == value


def test_uuids_decode_to_the_same_uuids_as_the_library() -> None:
    library, ours = transcoders()
    for value in [uuid4(), UUID(int=0), UUID(int=2**128 - 1), UUID("2d757d5a-7b92-5731-8d6d-9ea97be9dfdf")]:
        encoded = library.encode({"id": value})
        mine, theirs = ours.decode(encoded)["id"], library.decode(encoded)["id"]
        assert type(mine) is UUID and mine == theirs == value
        assert (str(mine), hash(mine), mine.hex, mine.version, mine.is_safe) == (
            str(theirs),
            hash(theirs),
            theirs.hex,
            theirs.version,
            theirs.is_safe,
        )
    dashed = b'{"id":{"_type_":"uuid_hex","_data_":"2d757d5a-7b92-5731-8d6d-9ea97be9dfdf"}}'  # other spellings
    assert ours.decode(dashed) == library.decode(dashed)
    for bad in ["zz757d5a7b9257318d6d9ea97be9dfdf", "2d757d5a"]:
        data = b'{"id":{"_type_":"uuid_hex","_data_":"%s"}}' % bad.encode()
        with pytest.raises(ValueError) as theirs_error:
            library.decode(data)
        with pytest.raises(ValueError) as mine_error:
            ours.decode(data)
        assert str(mine_error.value) == str(theirs_error.value)


def test_an_unknown_type_is_refused_as_by_the_library() -> None:
    library, ours = transcoders()
    for data in [b'{"x":{"_type_":"nope","_data_":1}}', b'{"x":{"_type_":["a"],"_data_":1}}']:
        with pytest.raises(Exception) as theirs_error:
            library.decode(data)
        with pytest.raises(Exception) as mine_error:
            ours.decode(data)
        assert (type(mine_error.value), str(mine_error.value)) == (type(theirs_error.value), str(theirs_error.value))


def test_rebuild_pauses_the_collector_and_restores_it() -> None:
    seen: list[bool] = []

    class Views:
        def clear(self) -> None:
            seen.append(gc.isenabled())

    updater = ViewUpdater(app=None, views=Views(), project=lambda tx, e: None)
    updater.catch_up = lambda: seen.append(gc.isenabled())
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


def test_meta_decodes_to_an_equal_frozen_value_with_defaults_for_older_events() -> None:
    from dataclasses import FrozenInstanceError

    from shared.kernel.meta import Meta
    from shared.persistence.application import MetaAsDict

    meta = Meta("440781", "staff", "u1", datetime(2026, 3, 1, 9, tzinfo=UTC), "corr", "cause", "why")
    decoded = MetaAsDict().decode(MetaAsDict().encode(meta))
    assert decoded == meta and hash(decoded) == hash(meta) and repr(decoded) == repr(meta)
    with pytest.raises(FrozenInstanceError):
        decoded.county = "440782"
    assert decoded.because("again").reason == "again"
    older = MetaAsDict().decode(
        {"county": "440781", "actor_role": "staff", "actor_id": "u1", "occurred_at": meta.occurred_at}
    )  # stored before the later fields existed
    assert older == Meta("440781", "staff", "u1", meta.occurred_at)


@pytest.mark.parametrize(
    "text",
    [
        '{"a":1,"a":2}',
        "[NaN,Infinity,-Infinity,-0,-0.0,1E400,1e-400,0.1e1,1E+2]",
        "12345678901234567890123456789",
        "123456789012345678901234567890.5",
        '"\\ud83d\\ude00 \\u00e9\\n\\t 台城"',
        '{"k":{"_type_":"x"}}',
        '[{"_type_":"uuid_hex","_data_":"2d757d5a7b9257318d6d9ea97be9dfdf"},[{"_type_":"date_iso","_data_":"2026-03-01"}]]',
        '{"_type_":"meta","_data_":{"county":"440781","actor_role":"r","actor_id":"i","occurred_at":'
        '{"_type_":"datetime_iso","_data_":"2026-03-01T09:00:00+00:00"},"correlation_id":"","causation_id":"","reason":""}}',
    ],
)
def test_parses_every_kind_of_json_value_as_the_library(text: str) -> None:
    import math

    library, ours = transcoders()
    mine, theirs = ours.decode(text.encode()), library.decode(text.encode())
    assert repr(mine) == repr(theirs)  # nan != nan: compare the printed values, types included
    if isinstance(theirs, list) and theirs and isinstance(theirs[0], float):
        assert [math.copysign(1, x) for x in mine] == [math.copysign(1, x) for x in theirs]


def test_parses_floats_as_the_library() -> None:
    import random

    library, ours = transcoders()
    rng = random.Random(3)
    values = [rng.random() * 10 ** rng.randint(-300, 300) for _ in range(20_000)]
    encoded = library.encode(values)
    assert ours.decode(encoded) == library.decode(encoded) == values


def test_deeply_nested_values_decode_as_with_the_library() -> None:
    library, ours = transcoders()
    deep = b"[" * 250 + b"1" + b"]" * 250  # beyond pydantic-core's nesting limit: the library's parser decides
    assert ours.decode(deep) == library.decode(deep)


def test_a_negative_hex_is_refused_as_by_uuid() -> None:
    from shared.kernel.uuids import uuid_from_hex

    with pytest.raises(ValueError):
        UUID("-" + "f" * 31)
    with pytest.raises(ValueError):
        uuid_from_hex("-" + "f" * 31)
