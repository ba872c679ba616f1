"""Benchmarks of the real path, each quoted against a raw baseline measured in the same run.

``pipeline`` (``shishi bench pipeline``): hotline tickets through the intake service, its event
store and its outbox relay to the outbound ``hotline.accepted`` event, against the ceiling of
the same broker and store with no domain code (``raw``).
"""
