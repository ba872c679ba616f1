"""type <-> model <-> subject, for every integration event."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import ValidationError

from shared.contracts.envelope import Contract, Envelope


class UnknownEventType(LookupError, ValueError):
    """A type we do not know: a poison message (dead-lettered with its reason), never a retry."""


class ContractRegistry:
    def __init__(self) -> None:
        self._by_type: dict[tuple[str, int], type[Contract]] = {}

    def register(self, model: type[Contract]) -> type[Contract]:
        key = (model.type_name(), model.SCHEMA_VERSION)
        existing = self._by_type.get(key)
        if existing is not None and existing is not model:
            raise ValueError(f"{key} registered twice")
        self._by_type[key] = model
        return model

    def model(self, type_name: str, schema_version: int) -> type[Contract]:
        try:
            return self._by_type[(type_name, schema_version)]
        except KeyError:
            raise UnknownEventType(f"unknown event type {type_name} v{schema_version}") from None

    def models(self) -> Iterator[type[Contract]]:
        yield from sorted(self._by_type.values(), key=lambda m: (m.type_name(), m.SCHEMA_VERSION))

    def decode(self, data: bytes) -> tuple[Envelope, Contract]:
        """Parse and validate an envelope and its payload; raises ValueError with a reason."""
        try:
            envelope = Envelope.model_validate_json(data)
        except ValidationError as exc:
            raise ValueError(f"invalid envelope: {_short(exc)}") from exc
        model = self.model(envelope.type, envelope.schema_version)
        try:
            payload = model.model_validate(envelope.payload)
        except ValidationError as exc:
            raise ValueError(f"invalid {envelope.type} payload: {_short(exc)}") from exc
        return envelope, payload


def _short(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or '(root)'}: {e['msg']}" for e in exc.errors()[:5])


REGISTRY = ContractRegistry()
