"""UUIDs from their 32 hex digits, without ``UUID.__init__``'s parsing of other spellings (a sixth
of decoding a stored event, measured by ``shishi bench replay``). The result is an ordinary
``UUID``: equal, hashed and printed as ``UUID(hex)`` would be; other spellings and bad input go
through ``UUID`` itself, with its errors."""

from __future__ import annotations

from uuid import UUID, SafeUUID

_new, _set = object.__new__, object.__setattr__
_UNKNOWN = SafeUUID.unknown  # an enum member read once: each read costs a descriptor call on 3.11


def uuid_from_hex(text: str) -> UUID:
    if type(text) is str and len(text) == 32:
        try:
            value = int(text, 16)
        except ValueError:
            return UUID(text)
        if value < 0:  # "-" and 31 digits: int() takes it, UUID() refuses it
            return UUID(text)
        uuid = _new(UUID)
        _set(uuid, "int", value)
        _set(uuid, "is_safe", _UNKNOWN)
        return uuid
    return UUID(text)
