"""Authentication: every JWT failure mode is a 401 in the API's own shape; RS256 and JWKS work."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import warnings
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from orgkit.tokens import DEFAULT_SECRET
from tests.mockserver.mocksupport import GLOBAL_ADMIN, Api, expect, expect_error

TENANTS = "/svx/tenants"


def b64(data: bytes) -> str:
    """base64url without padding, as in JWTs."""
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def raw_jwt(header: dict[str, Any], claims: dict[str, Any], sign: Callable[[bytes], bytes]
            ) -> str:
    """A JWT built by hand, so that tokens PyJWT refuses to make can be made."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    return f"{signing_input}.{b64(sign(signing_input.encode()))}"


def claims(**changes: Any) -> dict[str, Any]:
    """Valid claims of the global admin, changed as told (None removes a claim)."""
    now = int(time.time())
    base = {"sub": GLOBAL_ADMIN, "iat": now, "exp": now + 600}
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def hs256(secret: bytes) -> Callable[[bytes], bytes]:
    """An HS256 signer with this secret."""
    return lambda data: hmac.new(secret, data, hashlib.sha256).digest()


def alg_none(api: Api) -> str:
    return raw_jwt({"alg": "none", "typ": "JWT"}, claims(), lambda _: b"")


def alg_none_capitalised(api: Api) -> str:
    return raw_jwt({"alg": "None", "typ": "JWT"}, claims(), lambda _: b"")


def hs256_with_the_public_pem(api: Api) -> str:
    return raw_jwt({"alg": "HS256", "typ": "JWT"}, claims(),
                   hs256(api.app.mock.keyring.public_pem))


def expired(api: Api) -> str:
    return api.app.mock.keyring.mint({"sub": GLOBAL_ADMIN}, ttl_seconds=-30)


def not_yet_valid(api: Api) -> str:
    return api.app.mock.keyring.mint({"sub": GLOBAL_ADMIN, "nbf": int(time.time()) + 3600})


def tampered_payload(api: Api) -> str:
    header, _, signature = api.app.mock.keyring.mint({"sub": "someone-else"}).split(".")
    forged = b64(json.dumps(claims()).encode())
    return f"{header}.{forged}.{signature}"


def wrong_secret(api: Api) -> str:
    return jwt.encode(claims(), "x" * 48, algorithm="HS256")


def missing_sub(api: Api) -> str:
    return jwt.encode(claims(sub=None), DEFAULT_SECRET, algorithm="HS256")


def empty_sub(api: Api) -> str:
    return jwt.encode(claims(sub=""), DEFAULT_SECRET, algorithm="HS256")


def numeric_sub(api: Api) -> str:
    return raw_jwt({"alg": "HS256", "typ": "JWT"}, claims(sub=42), hs256(DEFAULT_SECRET.encode()))


def missing_exp(api: Api) -> str:
    return jwt.encode(claims(exp=None), DEFAULT_SECRET, algorithm="HS256")


def rs256_with_another_key(api: Api) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(claims(), key, algorithm="RS256", headers={"kid": "orgkit-mock-rs256"})


def hs512(api: Api) -> str:
    with warnings.catch_warnings():  # the right secret, too short for SHA-512: on purpose
        warnings.simplefilter("ignore")
        return jwt.encode(claims(), DEFAULT_SECRET, algorithm="HS512")


def garbage(api: Api) -> str:
    return "not-a-jwt"


def three_garbage_parts(api: Api) -> str:
    return "a.b.c"


def non_json_header(api: Api) -> str:
    return f"{b64(b'{{{')}.{b64(json.dumps(claims()).encode())}.sig"


TOKENS: list[tuple[str, Callable[[Api], str]]] = [
    ("alg-none", alg_none), ("alg-None", alg_none_capitalised),
    ("hs256-signed-with-the-rs256-public-pem", hs256_with_the_public_pem),
    ("expired", expired), ("nbf-in-the-future", not_yet_valid),
    ("tampered-payload", tampered_payload), ("wrong-secret", wrong_secret),
    ("missing-sub", missing_sub), ("empty-sub", empty_sub), ("numeric-sub", numeric_sub),
    ("missing-exp", missing_exp), ("rs256-other-key", rs256_with_another_key),
    ("hs512", hs512), ("garbage", garbage), ("three-garbage-parts", three_garbage_parts),
    ("non-json-header", non_json_header),
]
# An endpoint per error shape: SVX, SVX invitations, Transmit.
TARGETS = [("svx", TENANTS), ("invitations", "/svx/invitations"),
           ("transmit", "/cis/v1/organizations")]


@pytest.mark.parametrize("make", [t[1] for t in TOKENS], ids=[t[0] for t in TOKENS])
@pytest.mark.parametrize("url", [t[1] for t in TARGETS], ids=[t[0] for t in TARGETS])
def test_bad_tokens_are_401_in_the_shape(api: Api, make: Callable[[Api], str], url: str) -> None:
    response = api.get(url, headers={"Authorization": f"Bearer {make(api)}"})
    expect_error(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")


HEADERS = [
    ("no-header", None), ("empty", ""), ("scheme-only", "Bearer"), ("blank-token", "Bearer  "),
    ("basic-scheme", "Basic dXNlcjpwYXNz"), ("token-without-scheme", "{token}"),
]


@pytest.mark.parametrize("value", [h[1] for h in HEADERS], ids=[h[0] for h in HEADERS])
@pytest.mark.parametrize("url", [t[1] for t in TARGETS], ids=[t[0] for t in TARGETS])
def test_missing_or_malformed_authorization_is_401(api: Api, value: str | None,
                                                   url: str) -> None:
    headers = {} if value is None else {
        "Authorization": value.replace("{token}", api.token("global-admin"))}
    expect_error(api.get(url, headers=headers), 401)


def test_the_control_hs256_token_is_valid(api: Api) -> None:
    token = api.app.mock.keyring.mint(claims())
    expect(api.get(TENANTS, headers={"Authorization": f"Bearer {token}"}), 200)


def test_rs256_token_of_the_mock_is_accepted(api: Api) -> None:
    token = api.app.mock.keyring.mint({"sub": GLOBAL_ADMIN}, algorithm="RS256")
    assert jwt.get_unverified_header(token)["alg"] == "RS256"
    expect(api.get(TENANTS, headers={"Authorization": f"Bearer {token}"}), 200)


def test_jwks_verifies_the_mocks_rs256_tokens(api: Api) -> None:
    jwks = api.client.get("/__mock/jwks.json").json()
    assert api.client.get("/.well-known/jwks.json").json() == jwks
    token = api.app.mock.keyring.mint({"sub": GLOBAL_ADMIN}, algorithm="RS256")
    key = jwt.PyJWKSet.from_dict(jwks)[jwt.get_unverified_header(token)["kid"]]
    assert jwt.decode(token, key.key, algorithms=["RS256"])["sub"] == GLOBAL_ADMIN


def test_tid_sets_the_tenant_context(api: Api) -> None:
    tenant = api.app.mock.dataset["personas"]["tenant-admin"]["tenant_id"]
    with_tid = api.bearer(GLOBAL_ADMIN, tenant)
    me = expect(api.get("/svx/me", headers=with_tid), 200)
    assert me["tenant_in_jwt"]["id"] == tenant
    assert expect(api.get("/svx/me", as_="global-admin"), 200)["tenant_in_jwt"] is None


def test_an_unknown_subject_is_authenticated_but_holds_nothing(api: Api) -> None:
    stranger = api.bearer("7c0d1f9e-0000-4000-8000-000000000001")
    me = expect(api.get("/svx/me", headers=stranger), 200)
    assert me["user_known_to_atom"] is False and me["user_type"] == "user"
    expect_error(api.get(TENANTS, headers=stranger), 403)


def test_public_operations_ignore_bad_tokens(api: Api) -> None:
    expect(api.get("/svx/version", headers={"Authorization": "Bearer garbage"}), 200)
    expect(api.get("/svx/security_rights", headers={"Authorization": "Bearer garbage"}), 200)
