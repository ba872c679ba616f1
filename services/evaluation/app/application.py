"""Evaluation's application: every use case of the service on one event-sourced application.

The use cases are classes of one kind, each over :class:`~services.evaluation.app.core.EvaluationCore`
(projects' ratings and what evaluation records from other services): the session's rating round
(``rounds.py``), rectification (``rectification.py``) and residents' voice (``voice.py``).
"""

from __future__ import annotations

from services.evaluation.app.core import SERVICE
from services.evaluation.app.rectification import RectificationCases
from services.evaluation.app.rounds import RoundCases
from services.evaluation.app.voice import VoiceCases

__all__ = ["SERVICE", "EvaluationApplication"]


class EvaluationApplication(RoundCases, RectificationCases, VoiceCases):
    name = SERVICE
