"""The canonical encoding of one stored event: what a Merkle leaf commits to.

``notification id (u64) | originator id (16 bytes) | version (u64) | topic (u32 length, UTF-8)
| state (u32 length, the stored bytes exactly)``, all big-endian. The stored bytes are hashed
as stored (after any encryption of personal data), so erasing a resident's key later leaves
every leaf, and so every proof, intact.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from uuid import UUID

from eventsourcing.persistence import Notification

from shared.audit.merkle import leaf_hash

HEAD = struct.Struct(">Q16sQI")  # notification id, originator id, version, topic length
LENGTH = struct.Struct(">I")


@dataclass(frozen=True)
class StoredRecord:
    notification_id: int
    originator_id: UUID | str  # a UUID, or its text as stored (read without building UUID objects)
    version: int
    topic: str
    state: bytes

    def encode(self) -> bytes:
        topic = self.topic.encode("utf-8")
        return b"".join(
            (
                HEAD.pack(self.notification_id, uuid_bytes(self.originator_id), self.version, len(topic)),
                topic,
                LENGTH.pack(len(self.state)),
                self.state,
            )
        )

    def leaf_hash(self) -> bytes:
        return leaf_hash(self.encode())


def uuid_bytes(value: UUID | str) -> bytes:
    return value.bytes if isinstance(value, UUID) else bytes.fromhex(value.replace("-", ""))


def record_of(notification: Notification) -> StoredRecord:
    """From an eventsourcing ``Notification`` (id, originator_id, originator_version, topic, state)."""
    originator = notification.originator_id
    return StoredRecord(
        notification_id=int(notification.id),
        originator_id=originator if isinstance(originator, UUID) else UUID(str(originator)),
        version=int(notification.originator_version),
        topic=str(notification.topic),
        state=bytes(notification.state),
    )
