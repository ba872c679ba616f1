"""Audit and trust: a Merkle log over every stored event, signed checkpoints, proofs, a
standalone verifier, time travel (state as of any moment) and export bundles.

``merkle`` (RFC 6962 hashing and proofs, pure), ``leaf`` (the canonical encoding of a stored
event), ``signing`` (Ed25519 checkpoints), ``log`` (the append-only sidecar log a service
keeps by following its notification log), ``verify`` (the standalone verifier), ``asof``
(replay), ``bundle`` (export), ``api``/``pages`` (mounted by every service).
"""
