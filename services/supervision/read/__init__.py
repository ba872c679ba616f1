"""Supervision's read: read models: JSON documents folded from the service's own events (a typed dispatch table),
and queries over them."""
