"""The published language on NATS: one module per producing service, plus the hotline's ticket."""

from shared.contracts import decision, evaluation, intake, supervision  # noqa: F401  (registers)
from shared.contracts.envelope import Actor, Contract, Envelope
from shared.contracts.hotline import HotlineTicket
from shared.contracts.registry import REGISTRY, ContractRegistry, UnknownEventType

__all__ = ["REGISTRY", "Actor", "Contract", "ContractRegistry", "Envelope", "HotlineTicket", "UnknownEventType"]
