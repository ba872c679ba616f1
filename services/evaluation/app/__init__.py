"""Evaluation's app: the use cases: load aggregates, call them, save; the only place that changes state."""
