"""Typed dispatch tables: ``{EventClass: function}`` in place of ``isinstance`` chains.

A read model's fold, a service's translation to contracts and its inbound policies are each one
table: every function is registered for the event classes it handles, with the event's class in its
annotations (``def submitted(tx: ViewTx, event: Demand.Submitted) -> None``). Registering a function
for a class its annotation does not accept fails at import, so a table cannot drift from its code;
what a table handles (``classes``) is data, from which followers derive the topics they read.
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class DispatchError(TypeError):
    """A function registered for a class it does not accept, or a class registered twice."""


class DispatchTable(Generic[F]):
    """Functions by the class of the event they handle. ``lookup`` finds the function registered for
    the event's class or, failing that, for its nearest registered base class."""

    def __init__(self, name: str, *, event_arg: int) -> None:
        """``event_arg``: the position of the event among each function's parameters."""
        self.name = name
        self.event_arg = event_arg
        self._table: dict[type, F] = {}
        self._found: dict[type, F | None] = {}

    def on(self, *classes: type) -> Callable[[F], F]:
        """Register the decorated function for ``classes``."""
        if not classes:
            raise DispatchError(f"{self.name}: name at least one class to handle")

        def register(fn: F) -> F:
            accepted = self._accepted(fn)
            for cls in classes:
                if cls in self._table:
                    raise DispatchError(f"{self.name}: {cls.__qualname__} is handled twice")
                if accepted is not None and not issubclass(cls, accepted):
                    raise DispatchError(
                        f"{self.name}: {fn.__qualname__} is registered for {cls.__qualname__} "
                        f"but its event parameter accepts {_names(accepted)}"
                    )
                self._table[cls] = fn
            self._found.clear()
            return fn

        return register

    def include(self, other: DispatchTable[F]) -> None:
        """Take every entry of ``other`` too (a fold split over modules); a class in both is an error."""
        for cls, fn in other._table.items():
            if cls in self._table:
                raise DispatchError(f"{self.name}: {cls.__qualname__} is handled by {other.name} too")
            self._table[cls] = fn
        self._found.clear()

    def lookup(self, cls: type) -> F | None:
        try:
            return self._found[cls]
        except KeyError:
            found = next((self._table[base] for base in cls.__mro__ if base in self._table), None)
            self._found[cls] = found
            return found

    @property
    def classes(self) -> tuple[type, ...]:
        return tuple(self._table)

    def _accepted(self, fn: Callable[..., Any]) -> tuple[type, ...] | None:
        """The classes the function's event parameter is annotated with (None: not annotated)."""
        params = list(inspect.signature(fn).parameters.values())
        if len(params) <= self.event_arg:
            raise DispatchError(f"{self.name}: {fn.__qualname__} takes no event at position {self.event_arg}")
        try:
            hints = typing.get_type_hints(fn)
        except NameError:  # names not importable here: the annotation cannot be checked
            return None
        hint = hints.get(params[self.event_arg].name)
        if hint is None or hint is Any or hint is object:
            return None
        return _classes(hint)


def _classes(hint: Any) -> tuple[type, ...]:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return tuple(c for arg in typing.get_args(hint) for c in _classes(arg))
    if isinstance(hint, type):
        return (hint,)
    raise DispatchError(f"an event parameter must be annotated with classes, not {hint!r}")


def _names(classes: Iterable[type]) -> str:
    return " | ".join(c.__qualname__ for c in classes)
