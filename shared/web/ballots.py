"""What a deputy's device sends to a service's ballot routes (decision's sessions, evaluation's rounds):
the blinded token to have signed, and the proof shown with an anonymous ballot."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class CredentialIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    blinded: str = Field(min_length=8, max_length=2000, description="the blinded token (RFC 9474), base64url")
    kid: str = Field(min_length=1, max_length=100, description="the id of the key the token was blinded for")


class ProofIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    msg: str = Field(min_length=8, max_length=200, description="the token's prepared message, base64url")
    sig: str = Field(min_length=8, max_length=2000, description="its finalized signature, base64url")


RECEIPT_FIELD = Field(min_length=14, max_length=14, description="XXXX-XXXX-XXXX, computed by the voter's device")
