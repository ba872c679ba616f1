"""Decision's application: every use case of the service on one event-sourced application.

The use cases are classes of one kind, each over :class:`~services.decision.app.core.DecisionCore`
(the pool of demands, micro projects and their funds, the county's rules): the candidates, their
approval chain and the vote sessions are in ``voting.py``.
"""

from __future__ import annotations

from services.decision.app.core import SERVICE, MicroProposal
from services.decision.app.voting import VotingUseCases

__all__ = ["SERVICE", "DecisionApplication", "MicroProposal"]


class DecisionApplication(VotingUseCases):
    name = SERVICE
