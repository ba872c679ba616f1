"""Supervision's inbound: NATS handlers: a published contract in, a use case called (a typed dispatch table)."""
