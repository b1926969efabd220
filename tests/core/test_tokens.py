"""orgkit.tokens: minting, verification and every refusal, the config checks, the JWKS."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orgkit.errors import ConfigError, Unauthenticated
from orgkit.tokens import DEFAULT_SECRET, KEY_ID, KeyRing, TokenConfig

OTHER_SECRET = "another-secret-that-is-long-enough-for-hmac-0002"
ISSUER, AUDIENCE = "https://issuer.example", "orgkit-mock"


@pytest.fixture(scope="module")
def ring() -> KeyRing:
    return KeyRing()


@pytest.fixture(scope="module")
def other_ring() -> KeyRing:
    return KeyRing()


@pytest.fixture(scope="module")
def strict_ring() -> KeyRing:
    return KeyRing(TokenConfig(issuer=ISSUER, audience=AUDIENCE))


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def segment(value: dict[str, Any]) -> str:
    return b64(json.dumps(value).encode())


def claims(**extra: Any) -> dict[str, Any]:
    now = int(time.time())
    return {"sub": "user-1", "iat": now, "exp": now + 600, **extra}


def hs256_by_hand(payload: dict[str, Any], key: bytes) -> str:
    signing_input = f"{segment({'alg': 'HS256', 'typ': 'JWT'})}.{segment(payload)}"
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


# --- round trips -------------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["HS256", "RS256"])
def test_mint_verify_round_trip(ring: KeyRing, algorithm: str) -> None:
    token = ring.mint({"sub": "user-1", "tid": "tenant-1", "perms": ["a"]}, algorithm=algorithm)
    header = jwt.get_unverified_header(token)
    assert header["alg"] == algorithm
    assert header.get("kid") == (KEY_ID if algorithm == "RS256" else None)
    got = ring.verify(token)
    assert (got["sub"], got["tid"], got["perms"]) == ("user-1", "tenant-1", ["a"])
    assert got["exp"] - got["iat"] == ring.config.ttl_seconds


def test_mint_honours_ttl_and_adds_issuer_and_audience(strict_ring: KeyRing) -> None:
    got = strict_ring.verify(strict_ring.mint({"sub": "u"}, ttl_seconds=60))
    assert got["exp"] - got["iat"] == 60
    assert (got["iss"], got["aud"]) == (ISSUER, AUDIENCE)


def test_mint_refuses_other_algorithms(ring: KeyRing) -> None:
    with pytest.raises(ConfigError, match="cannot sign with 'none'"):
        ring.mint({"sub": "u"}, algorithm="none")


@settings(max_examples=30, deadline=None)
@given(sub=st.text(min_size=1, max_size=20),
       extra=st.dictionaries(st.sampled_from(["tid", "org", "kind", "perms"]),
                             st.one_of(st.text(max_size=10), st.lists(st.text(max_size=5)))))
def test_round_trip_keeps_every_claim(ring: KeyRing, sub: str, extra: dict[str, Any]) -> None:
    got = ring.verify(ring.mint({"sub": sub, **extra}))
    assert {k: got[k] for k in ("sub", *extra)} == {"sub": sub, **extra}


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_any_one_character_change_is_refused_or_harmless(ring: KeyRing, data: Any) -> None:
    token = ring.mint({"sub": "user-1"})
    original = ring.verify(token)
    index = data.draw(st.integers(0, len(token) - 1))
    char = data.draw(st.sampled_from("AQgw_-.x9"))
    changed = token[:index] + char + token[index + 1:]
    try:
        got = ring.verify(changed)
    except Unauthenticated:
        return
    assert got == original  # only an equivalent encoding (unused base64 bits) may pass


# --- refusals ----------------------------------------------------------------------------------

Maker = Callable[[KeyRing, KeyRing], str]

REFUSALS: list[tuple[str, Maker, str]] = [
    ("alg-none",
     lambda r, o: f"{segment({'alg': 'none', 'typ': 'JWT'})}.{segment(claims())}.",
     "token algorithm 'none' is not accepted; accepted: HS256, RS256"),
    ("alg-none-capitalised",
     lambda r, o: f"{segment({'alg': 'None'})}.{segment(claims())}.",
     "token algorithm 'None' is not accepted"),
    ("alg-hs512",
     lambda r, o: jwt.encode(claims(), DEFAULT_SECRET + "x" * 20, algorithm="HS512"),
     "token algorithm 'HS512' is not accepted"),
    ("hs256-signed-with-rs256-public-pem",
     lambda r, o: hs256_by_hand(claims(), r.public_pem),
     "the token's signature does not verify"),
    ("expired",
     lambda r, o: r.mint(claims(exp=int(time.time()) - 10)),
     "the token has expired"),
    ("nbf-in-future",
     lambda r, o: r.mint(claims(nbf=int(time.time()) + 3600)),
     "the token is not valid yet (nbf/iat in the future)"),
    ("iat-in-future",
     lambda r, o: r.mint(claims(iat=int(time.time()) + 3600)),
     "the token is not valid yet"),
    ("tampered-payload",
     lambda r, o: ".".join([r.mint(claims()).split(".")[0], segment(claims(sub="admin")),
                            r.mint(claims()).split(".")[2]]),
     "the token's signature does not verify"),
    ("wrong-hs256-secret",
     lambda r, o: jwt.encode(claims(), OTHER_SECRET, algorithm="HS256"),
     "the token's signature does not verify"),
    ("rs256-from-another-key",
     lambda r, o: o.mint(claims(), algorithm="RS256"),
     "the token's signature does not verify"),
    ("missing-sub",
     lambda r, o: r.mint({}),
     "the token lacks the required claim 'sub'"),
    ("missing-exp",
     lambda r, o: jwt.encode({"sub": "user-1"}, DEFAULT_SECRET, algorithm="HS256"),
     "the token lacks the required claim 'exp'"),
    ("empty-sub",
     lambda r, o: r.mint(claims(sub="")),
     "the token's 'sub' claim must be a non-empty string"),
    ("numeric-sub",
     lambda r, o: r.mint(claims(sub=42)),
     "the token is invalid: "),
    ("exp-not-a-number",
     lambda r, o: r.mint(claims(exp="tomorrow")),
     "the token is invalid: "),
    ("exp-numeric-string",
     lambda r, o: r.mint(claims(exp=str(int(time.time()) + 600))),
     "the token's 'exp' claim must be a number of seconds since the epoch"),
    ("nbf-numeric-string",
     lambda r, o: r.mint(claims(nbf=str(int(time.time()) - 60))),
     "the token's 'nbf' claim must be a number"),
    ("iat-boolean",
     lambda r, o: r.mint(claims(iat=True)),
     "the token"),
    ("garbage", lambda r, o: "garbage", "the bearer token is not a JWT"),
    ("empty", lambda r, o: "", "the bearer token is not a JWT"),
    ("three-garbage-segments", lambda r, o: "a.b.c", "the bearer token is not a JWT"),
    ("header-not-an-object", lambda r, o: f"{b64(b'[1]')}.{segment(claims())}.x",
     "the bearer token is not a JWT"),
]


@pytest.mark.parametrize(("make", "message"), [c[1:] for c in REFUSALS],
                         ids=[c[0] for c in REFUSALS])
def test_verify_refuses(ring: KeyRing, other_ring: KeyRing, make: Maker, message: str) -> None:
    token = make(ring, other_ring)
    with pytest.raises(Unauthenticated) as info:
        ring.verify(token)
    assert info.value.message.startswith(message)


STRICT_REFUSALS: list[tuple[str, dict[str, Any], str]] = [
    ("wrong-issuer", {"iss": "https://evil.example"},
     f"the token's issuer is wrong; expected {ISSUER!r}"),
    ("wrong-audience", {"aud": "someone-else"},
     f"the token's audience is wrong; expected {AUDIENCE!r}"),
]


@pytest.mark.parametrize(("extra", "message"), [c[1:] for c in STRICT_REFUSALS],
                         ids=[c[0] for c in STRICT_REFUSALS])
def test_verify_refuses_issuer_and_audience_mismatch(
    strict_ring: KeyRing, extra: dict[str, Any], message: str
) -> None:
    with pytest.raises(Unauthenticated) as info:
        strict_ring.verify(strict_ring.mint(claims(**extra)))
    assert info.value.message == message


@pytest.mark.parametrize("claim", ["iss", "aud"])
def test_verify_requires_configured_issuer_and_audience(strict_ring: KeyRing, claim: str) -> None:
    body = {**claims(), "iss": ISSUER, "aud": AUDIENCE}
    del body[claim]
    with pytest.raises(Unauthenticated, match=f"lacks the required claim '{claim}'"):
        strict_ring.verify(jwt.encode(body, DEFAULT_SECRET, algorithm="HS256"))


def test_unconfigured_issuer_and_audience_are_not_checked(ring: KeyRing) -> None:
    got = ring.verify(ring.mint(claims(iss="anyone", aud="anything")))
    assert (got["iss"], got["aud"]) == ("anyone", "anything")


def test_leeway_admits_a_just_expired_token() -> None:
    lenient = KeyRing(TokenConfig(leeway_seconds=60))
    assert lenient.verify(lenient.mint(claims(exp=int(time.time()) - 10)))["sub"] == "user-1"


def test_restricted_algorithms_refuse_the_other_one() -> None:
    hs_only = KeyRing(TokenConfig(algorithms=("HS256",)))
    token = hs_only.mint({"sub": "u"}, algorithm="RS256")
    with pytest.raises(Unauthenticated, match="'RS256' is not accepted; accepted: HS256$"):
        hs_only.verify(token)


# --- configuration -----------------------------------------------------------------------------

BAD_CONFIGS = [
    ("short-secret", {"secret": "short"}, "at least 32 bytes, got 5"),
    ("31-byte-secret", {"secret": "x" * 31}, "got 31"),
    ("empty-secret", {"secret": ""}, "got 0"),
    ("alg-none", {"algorithms": ("none",)}, "non-empty subset"),
    ("alg-hs512", {"algorithms": ("HS256", "HS512")}, "HS512"),
    ("no-algorithms", {"algorithms": ()}, "non-empty subset"),
]


@pytest.mark.parametrize(("kwargs", "message"), [c[1:] for c in BAD_CONFIGS],
                         ids=[c[0] for c in BAD_CONFIGS])
def test_token_config_refuses(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        TokenConfig(**kwargs)


@pytest.mark.parametrize("secret", ["x" * 32, "é" * 16, DEFAULT_SECRET],
                         ids=["32-ascii", "32-bytes-utf8", "default"])
def test_token_config_accepts_32_byte_secrets(secret: str) -> None:
    assert TokenConfig(secret=secret).secret == secret


# --- JWKS --------------------------------------------------------------------------------------


def test_jwks_publishes_the_rs256_key(ring: KeyRing, other_ring: KeyRing) -> None:
    keys = ring.jwks()["keys"]
    assert len(keys) == 1
    jwk = keys[0]
    assert (jwk["kty"], jwk["kid"], jwk["alg"], jwk["use"]) == ("RSA", KEY_ID, "RS256", "sig")
    assert "d" not in jwk, "the private exponent must never be published"
    key = jwt.PyJWK(jwk).key
    token = ring.mint({"sub": "user-1"}, algorithm="RS256")
    assert jwt.decode(token, key, algorithms=["RS256"])["sub"] == "user-1"
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(other_ring.mint({"sub": "u"}, algorithm="RS256"), key, algorithms=["RS256"])


@pytest.mark.parametrize(("claims", "problem"), [
    ({"uid": "user-1"}, None),
    ({"sub": "user-1"}, "the token lacks the required claim 'uid'"),
    ({"uid": ""}, "the token's 'uid' claim must be a non-empty string"),
    ({"uid": 7}, "the token's 'uid' claim must be a non-empty string"),
], ids=["named", "only-sub", "empty", "not-a-string"])
def test_the_subject_claim_is_the_apis(ring: KeyRing, claims: dict[str, Any],
                                       problem: str | None) -> None:
    token = ring.mint(claims)
    if problem is None:
        assert ring.verify(token, subject_claim="uid")["uid"] == claims["uid"]
        return
    with pytest.raises(Unauthenticated, match=re.escape(problem)):
        ring.verify(token, subject_claim="uid")
