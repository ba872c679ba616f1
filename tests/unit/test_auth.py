"""Tokens, roles and county scope."""

from __future__ import annotations

import time

import pytest

from shared.auth import AuthError, Role, TokenVerifier, issue_token, scope_covers

SECRET = "x" * 48


def test_scope_covers_codes_prefixes_and_all() -> None:
    assert scope_covers("440781", "440781")
    assert not scope_covers("440781", "440703")
    assert scope_covers("4407*", "440703") and not scope_covers("4407*", "440105")
    assert scope_covers("44*", "440105") and scope_covers("*", "110101")


def test_issued_token_round_trips_roles_and_counties() -> None:
    token = issue_token(SECRET, subject="u1", roles=["congress_staff"], counties=["440781"], name="李主任")
    p = TokenVerifier(secret=SECRET).verify(token)
    assert p.subject == "u1" and p.roles == {Role.CONGRESS_STAFF} and p.counties == ("440781",)
    assert p.covers("440781") and not p.covers("440703")
    assert p.has_any({Role.CONGRESS_STAFF}) and not p.has_any({Role.DEPUTY})


def test_admin_has_every_role_but_unknown_roles_are_refused() -> None:
    p = TokenVerifier(secret=SECRET).verify(issue_token(SECRET, subject="a", roles=["admin"], counties=["*"]))
    assert p.has_any({Role.AUDITOR})
    with pytest.raises(ValueError):
        issue_token(SECRET, subject="a", roles=["mayor"], counties=["*"])


@pytest.mark.parametrize("mutate", ["wrong_secret", "expired", "garbage", "wrong_issuer"])
def test_bad_tokens_are_refused(mutate: str) -> None:
    verifier = TokenVerifier(secret=SECRET)
    tokens = {
        "wrong_secret": issue_token("y" * 48, subject="u", roles=["deputy"], counties=["440781"]),
        "expired": issue_token(
            SECRET, subject="u", roles=["deputy"], counties=["440781"], ttl_seconds=10, now=time.time() - 3600
        ),
        "garbage": "not.a.token",
        "wrong_issuer": issue_token(SECRET, subject="u", roles=["deputy"], counties=["440781"], issuer="other"),
    }
    with pytest.raises(AuthError):
        verifier.verify(tokens[mutate])


def _signed(claims: dict) -> str:
    import jwt

    return jwt.encode({"sub": "u", "iss": "shishi", "iat": int(time.time()), **claims}, SECRET, algorithm="HS256")


def test_a_token_without_an_expiry_is_refused() -> None:
    token = _signed({"roles": ["admin"], "counties": ["*"]})
    with pytest.raises(AuthError, match="exp"):
        TokenVerifier(secret=SECRET).verify(token)


@pytest.mark.parametrize("counties", ["*", "440781", {"440781": True}, [440781], ["all"], ["4407"]])
def test_counties_must_be_a_list_of_scopes(counties: object) -> None:
    token = _signed({"roles": ["congress_staff"], "counties": counties, "exp": int(time.time()) + 60})
    with pytest.raises(AuthError):
        TokenVerifier(secret=SECRET).verify(token)


def test_a_list_of_scopes_is_accepted() -> None:
    token = _signed({"roles": ["auditor"], "counties": ["*", "4407*", "440781"], "exp": int(time.time()) + 60})
    assert TokenVerifier(secret=SECRET).verify(token).counties == ("*", "4407*", "440781")
