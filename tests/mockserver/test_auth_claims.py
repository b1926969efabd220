"""A mock started with --issuer/--audience refuses tokens with the wrong iss or aud (401)."""

from __future__ import annotations

from collections.abc import Iterator

import jwt
import pytest
from orgkit_fixtures import load
from starlette.testclient import TestClient

from mockserver.app import MockApp, create_app
from mockserver.config import ServeConfig
from orgkit.tokens import DEFAULT_SECRET, TokenConfig

ISSUER, AUDIENCE = "https://issuer.orgkit.test", "svx-api"
SUB = load()["personas"]["global-admin"]["sub"]


@pytest.fixture(scope="module")
def client() -> Iterator[tuple[MockApp, TestClient]]:
    config = ServeConfig(tokens=TokenConfig(issuer=ISSUER, audience=AUDIENCE))
    app = create_app(config)
    with TestClient(app) as c:
        yield app, c


def _token(**claims: object) -> str:
    import time

    body = {"sub": SUB, "exp": int(time.time()) + 60, **claims}
    return jwt.encode(body, DEFAULT_SECRET, algorithm="HS256")


@pytest.mark.parametrize(("claims", "status"), [
    ({"iss": ISSUER, "aud": AUDIENCE}, 200),
    ({"iss": "https://evil.example", "aud": AUDIENCE}, 401),
    ({"iss": ISSUER, "aud": "another-api"}, 401),
    ({"aud": AUDIENCE}, 401),
    ({"iss": ISSUER}, 401),
], ids=["right", "wrong-issuer", "wrong-audience", "no-issuer", "no-audience"])
def test_issuer_and_audience_are_enforced(client: tuple[MockApp, TestClient],
                                          claims: dict[str, object], status: int) -> None:
    _, c = client
    response = c.get("/svx/tenants", headers={"Authorization": f"Bearer {_token(**claims)}"})
    assert response.status_code == status, response.text
    if status == 401:
        body = response.json()
        assert body["http_code"] == 401 and body["error"] == "unauthorized"
        assert "token" in body["message"]


def test_minted_tokens_carry_the_configured_claims(client: tuple[MockApp, TestClient]) -> None:
    app, c = client
    token = app.mock.keyring.mint({"sub": SUB})
    claims = jwt.decode(token, DEFAULT_SECRET, algorithms=["HS256"], audience=AUDIENCE)
    assert claims["iss"] == ISSUER
    assert c.get("/svx/tenants", headers={"Authorization": f"Bearer {token}"}).status_code == 200
