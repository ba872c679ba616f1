"""The base of every service's event-sourced application.

Adds to the library's ``Application``: our process recorder (batch tracking), transcodings
for our value objects, and :meth:`process_batch`, which applies many inbound messages in one
atomic save together with one ``Tracking`` row per message.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date
from typing import Any, ClassVar, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import JSONTranscoder, ProcessRecorder, Recording, Tracking, Transcoding, UUIDAsHex
from pydantic_core import from_json

from shared.kernel.meta import Meta
from shared.kernel.ranges import Range, check_values, effective
from shared.kernel.rulebook import RuleBook, rulebook_id
from shared.kernel.uuids import uuid_from_hex
from shared.persistence import BatchTrackingRecorder


class MetaAsDict(Transcoding):
    type = Meta
    name = "meta"

    def encode(self, obj: Meta) -> dict:
        return {
            "county": obj.county,
            "actor_role": obj.actor_role,
            "actor_id": obj.actor_id,
            "occurred_at": obj.occurred_at,
            "correlation_id": obj.correlation_id,
            "causation_id": obj.causation_id,
            "reason": obj.reason,
            "actor_name": obj.actor_name,
            # stored only when set, so an event entered as it happened keeps the bytes it always had
            **({"entered_late": True} if obj.entered_late else {}),
        }

    FIELDS = frozenset(field.name for field in fields(Meta))
    # every field but entered_late, whose default (False) the class itself holds
    USUAL = FIELDS - {"entered_late"}

    def decode(self, data: dict) -> Meta:
        if data.keys() == self.USUAL or data.keys() == self.FIELDS:  # the instance's state is exactly ``data``
            meta = _new_object(Meta)  # as the library builds events: no frozen-dataclass __init__ (7 setattr calls)
            _set_slot(meta, "__dict__", data)
            return meta
        return Meta(**data)  # an older event without the later fields: their defaults


_new_object, _set_slot = object.__new__, object.__setattr__


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class FastUUIDAsHex(UUIDAsHex):
    """The library's UUID transcoding, decoding through ``uuid_from_hex``."""

    def decode(self, data: str) -> UUID:
        return uuid_from_hex(data)


class FastJSONTranscoder(JSONTranscoder):
    """The library's JSON transcoder, byte for byte the same format, decoding faster: the JSON is
    parsed by pydantic-core (the same values as the standard library's parser, tested), then each
    object is passed bottom-up through the same hook the library gives the standard parser, but a
    plain object costs no raised exception (the library's hook looks ``_type_`` up and catches
    the KeyError). Together a third of decoding a stored event (``shishi bench replay``)."""

    def decode(self, data: bytes) -> Any:
        try:
            parsed = from_json(data, cache_strings="keys")  # caching every short value costs a third more
        except ValueError:  # pydantic-core refuses what the library may accept (nesting beyond 200 levels):
            return super().decode(data)  # the library's parser decides, with its own errors
        return self._revive(parsed)

    def _revive(self, value: Any) -> Any:
        kind = type(value)
        if kind is dict:
            for key, item in value.items():
                if type(item) is dict or type(item) is list:
                    value[key] = self._revive(item)
            return self._decode_obj(value) if len(value) == 2 else value
        if kind is list:
            for index, item in enumerate(value):
                if type(item) is dict or type(item) is list:
                    value[index] = self._revive(item)
        return value

    def _decode_obj(self, d: dict[str, Any]) -> Any:
        if len(d) == 2 and "_type_" in d and "_data_" in d:
            try:
                transcoding = self.names[d["_type_"]]
            except (KeyError, TypeError):
                return super()._decode_obj(d)  # the library's error
            return transcoding.decode(d["_data_"])
        return d


A = TypeVar("A", bound=Aggregate)
T = TypeVar("T")


class NotFound(LookupError):
    """An aggregate the caller asked for does not exist (or is outside their county)."""


class UnitOfWork:
    """Aggregates touched while handling a batch: each loaded once, saved once.

    ``prefetch`` learns in one query which of many ids exist, so a batch of new items (hotline
    tickets, say) costs no read per item; ``memo`` keeps per-batch lookups (a county's rules).
    """

    def __init__(self, app: ServiceApplication, memo: dict[object, Any] | None = None) -> None:
        """``memo``: lookups shared with other units of work (the requests of one group commit)."""
        self.app = app
        self.loaded: dict[UUID, Aggregate] = {}
        self.absent: set[UUID] = set()
        self._memo: dict[object, Any] = memo if memo is not None else {}

    def get(self, aggregate_id: UUID) -> Aggregate:
        if aggregate_id not in self.loaded:
            if aggregate_id in self.absent:
                raise AggregateNotFoundError(aggregate_id)
            self.loaded[aggregate_id] = self.app.repository.get(aggregate_id)
        return self.loaded[aggregate_id]

    def find(self, aggregate_id: UUID) -> Aggregate | None:
        try:
            return self.get(aggregate_id)
        except AggregateNotFoundError:
            return None

    def find_as(self, cls: type[A], aggregate_id: UUID) -> A | None:
        """The aggregate if it exists and is a ``cls``."""
        found = self.find(aggregate_id)
        return found if isinstance(found, cls) else None

    def prefetch(self, aggregate_ids: Iterable[UUID]) -> None:
        wanted = {i for i in aggregate_ids if i not in self.loaded}
        existing_ids = getattr(self.app.recorder, "existing_ids", None)
        if wanted and existing_ids is not None:
            self.absent |= wanted - existing_ids(wanted)

    def memo(self, key: object, factory: Callable[[], T]) -> T:
        if key not in self._memo:
            self._memo[key] = factory()
        return self._memo[key]  # keyed by what ``factory`` made: the same T

    def add(self, aggregate: A) -> A:
        self.loaded[aggregate.id] = aggregate
        self.absent.discard(aggregate.id)
        return aggregate

    def aggregates(self) -> list[Aggregate]:
        return list(self.loaded.values())


@dataclass(frozen=True)
class Inbound:
    """One message to process: its stream position and its decoded body."""

    stream: str
    sequence: int
    body: Any


class ServiceApplication(Application):
    """An ``Application`` whose recorder tracks upstream positions exactly."""

    recorder: ProcessRecorder

    def __init__(self, env: dict[str, str] | None = None) -> None:
        super().__init__(env)
        self.after_save: list[Callable[[], None]] = []
        self._rule_books: dict[UUID, tuple[int, int, dict[str, Any]]] = {}  # id -> (stored version, version, values)

    def _notify(self, recordings: list) -> None:  # called by save() after the commit
        super()._notify(recordings)
        for listener in self.after_save:
            listener()

    def construct_recorder(self) -> ProcessRecorder:
        return self.factory.process_recorder()

    def construct_transcoder(self) -> JSONTranscoder:
        transcoder = FastJSONTranscoder()
        self.register_transcodings(transcoder)
        return transcoder

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(FastUUIDAsHex())  # replaces the library's, same name and format
        transcoder.register(MetaAsDict())
        transcoder.register(DateAsISO())

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[Any]]:
        """The library's save, minus its per-object runtime Protocol checks (costly on Python 3.11)
        for the common case of plain aggregates; anything else goes through the library."""
        if not all(isinstance(o, Aggregate) for o in objs):
            return super().save(*objs, **kwargs)
        processing_event: ProcessingEvent = ProcessingEvent()
        for aggregate in objs:
            processing_event.events.extend(aggregate.collect_events())
            processing_event.aggregates[aggregate.id] = aggregate
        processing_event.saved_kwargs.update(kwargs)
        recordings = self._record(processing_event)
        self._take_snapshots(processing_event)
        self._notify(recordings)
        self.notify(processing_event.events)  # the library's deprecated hook, kept for parity
        return recordings

    def load(self, aggregate_id: UUID, county: str | None = None) -> Aggregate:
        """Get an aggregate; a county mismatch is reported as not found (no existence leak)."""
        try:
            aggregate: Aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError as exc:
            raise NotFound(str(aggregate_id)) from exc
        if county is not None and getattr(aggregate, "county", None) != county:
            raise NotFound(str(aggregate_id))
        return aggregate

    def find(self, aggregate_id: UUID) -> Aggregate | None:
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None

    def find_as(self, cls: type[A], aggregate_id: UUID) -> A | None:
        """The aggregate if it exists and is a ``cls``."""
        found = self.find(aggregate_id)
        return found if isinstance(found, cls) else None

    def load_as(self, cls: type[A], aggregate_id: UUID, county: str | None = None) -> A:
        """A ``cls`` of ``county`` (any county if None), else ``NotFound`` (no existence leak)."""
        found = self.load(aggregate_id, county)
        if not isinstance(found, cls):
            raise NotFound(str(aggregate_id))
        return found

    def already_processed(self, stream: str, sequences: Iterable[int]) -> set[int]:
        recorder: BatchTrackingRecorder = self.recorder  # type: ignore[assignment]  # ours always: construct_recorder
        return recorder.tracked_ids(stream, sequences)

    def process_batch(
        self,
        messages: Sequence[Inbound],
        handle: Callable[[UnitOfWork, Inbound], None],
        prefetch: Callable[[UnitOfWork, Sequence[Inbound]], None] | None = None,
    ) -> None:
        """Apply ``handle`` to each message and save everything in one transaction.

        Messages whose position is already recorded are skipped (a redelivery).
        An exception from ``handle`` aborts the whole batch: nothing is recorded.
        ``prefetch`` may warm the unit of work for the whole batch first.
        """
        if not messages:
            return
        done = set()
        for stream in {m.stream for m in messages}:
            seqs = [m.sequence for m in messages if m.stream == stream]
            done |= {(stream, s) for s in self.already_processed(stream, seqs)}
        fresh = []
        for m in messages:  # skip recorded positions, and a position delivered twice in one fetch
            if (m.stream, m.sequence) not in done:
                done.add((m.stream, m.sequence))
                fresh.append(m)
        if not fresh:
            return
        uow = UnitOfWork(self)
        if prefetch is not None:
            prefetch(uow, fresh)
        for message in fresh:
            handle(uow, message)
        trackings = [Tracking(m.stream, m.sequence) for m in fresh]
        self.save(*uow.aggregates(), trackings=trackings)

    # -- the county's rule set of this service, versioned as events (a RuleBook per county) ---------------
    # The range of each of this service's rules (its ``rules.RANGES``): revisions outside are refused,
    # and a stored value outside (recorded before ranges existed) is used as its nearest allowed value.
    RULE_RANGES: ClassVar[Mapping[str, Range]] = {}

    def current_rules(self, service: str, county: str, defaults: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Defaults are version 1 until the county revises them. Asked with every submission: the book's
        last stored event is looked up (one indexed row, not decoded) and the book is read whole only
        when a version was stored since it was last read here, by this process or any other, so a
        revision applies from the next request on, everywhere."""
        book_id = rulebook_id(service, county)
        last = self.recorder.select_events(book_id, desc=True, limit=1)
        if not last:
            return 1, dict(defaults)
        known = self._rule_books.get(book_id)
        if known is None or known[0] != last[0].originator_version:
            book = self.find(book_id)
            if not isinstance(book, RuleBook):
                return 1, dict(defaults)
            known = (last[0].originator_version, book.version, dict(book.values))
            self._rule_books[book_id] = known
        values = copy.deepcopy({**defaults, **known[2]})  # a caller may change what it was given
        return known[1], effective(values, defaults, self.RULE_RANGES)

    def revise_rules(
        self, service: str, meta: Meta, changes: dict[str, Any], defaults: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        check_values(changes, self.RULE_RANGES)  # RuleOutOfRange: 409, the reason in Chinese and English
        book = self.find(rulebook_id(service, meta.county))
        if not isinstance(book, RuleBook):
            book = RuleBook(service=service, meta=meta.because("defaults"), values=defaults)
        book.revise(meta, changes, defaults)
        self.save(book)
        return book.version, dict(book.values)

    def rule_history(self, service: str, county: str, defaults: dict[str, Any]) -> list[dict[str, Any]]:
        book = self.find(rulebook_id(service, county))
        if isinstance(book, RuleBook):
            return list(book.history)
        return [{"version": 1, "at": None, "by": "default", "reason": "defaults", "values": dict(defaults)}]
