"""One service's audit machinery, built once by ``install_audit``: its Merkle log, its signing
key and the follower that keeps both current."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from shared.audit.follower import AuditFollower
from shared.audit.log import MerkleLog
from shared.audit.names import Catalogue
from shared.audit.signing import Checkpoint, Signer
from shared.audit.storage import open_log, signer_for
from shared.config import Settings


@dataclass
class AuditContext:
    service: str
    app: Any
    log: MerkleLog
    signer: Signer
    follower: AuditFollower
    project: Any = None  # the service's read-model projector (for dashboards as of a moment)
    names: Catalogue = field(default_factory=lambda: Catalogue().with_shared())  # the pages' names

    @classmethod
    def build(cls, app: Any, settings: Settings) -> AuditContext:
        merkle = open_log(settings)
        signer = signer_for(settings)
        follower = AuditFollower(
            merkle,
            app,
            signer,
            every_events=settings.audit_checkpoint_events,
            every_seconds=settings.audit_checkpoint_seconds,
        )
        return cls(settings.service, app, merkle, signer, follower)

    def covering_checkpoint(self, leaf_index: int) -> Checkpoint:
        """The latest checkpoint covering ``leaf_index``; signs the current head if none does yet."""
        self.follower.catch_up()
        latest = self.log.latest_checkpoint()
        if latest is None or latest.size <= leaf_index:
            self.log.checkpoint(self.signer)
            latest = self.log.latest_checkpoint()
        assert latest is not None
        return latest

    def leaf_of(self, aggregate_id: UUID, version: int) -> tuple[int, int, bytes] | None:
        found = self.log.leaf_of(aggregate_id, version)
        if found is None:
            self.follower.catch_up()
            found = self.log.leaf_of(aggregate_id, version)
        return found
