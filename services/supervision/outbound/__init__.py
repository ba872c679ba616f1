"""Supervision's outbound: domain events out: each stored event mapped to the contracts it publishes (a typed
dispatch table)."""
