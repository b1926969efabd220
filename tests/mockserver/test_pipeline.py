"""The request pipeline: routed once, JSON parsed once, every error from the one renderer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from orgkit_fixtures import load, persona_token
from starlette.testclient import TestClient

from mockserver.app import MockApp, create_app
from mockserver.config import ServeConfig
from mockserver.render import Refused, error_response
from mockserver.router import Router
from orgkit.errors import MethodNotAllowed, NotFound, Unauthenticated
from orgkit.specs import load_api

DATA = load()
TENANT_A = DATA["personas"]["tenant-admin"]["tenant_id"]
BODY = '{"name": "Pipeline Org"}'


@pytest.fixture(scope="module", params=[True, False], ids=["compiled", "connexion"])
def served(request: pytest.FixtureRequest) -> Iterator[tuple[MockApp, TestClient]]:
    app = create_app(ServeConfig(fast_path=request.param), DATA)
    with TestClient(app) as client:
        yield app, client


def create(app: MockApp, client: TestClient, body: str = BODY) -> Any:
    token = persona_token(DATA, "tenant-admin", app.mock.keyring)
    return client.post(f"/svx/tenants/{TENANT_A}/orgs", content=body, headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})


@pytest.mark.parametrize(("body", "status"), [(BODY, 201), ('{"name": 5}', 400)],
                         ids=["created", "refused"])
def test_a_request_is_routed_once(served: tuple[MockApp, TestClient],
                                  monkeypatch: pytest.MonkeyPatch, body: str,
                                  status: int) -> None:
    app, client = served
    calls: list[str] = []
    match = Router.match

    def counting(self: Router, method: str, path: str) -> Any:
        calls.append(path)
        return match(self, method, path)

    monkeypatch.setattr(Router, "match", counting)
    assert create(app, client, body).status_code == status
    assert calls == [f"/tenants/{TENANT_A}/orgs"]  # errors too take their shape from it


def test_a_json_body_is_parsed_once(served: tuple[MockApp, TestClient],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    app, client = served
    parsed: list[str] = []
    loads = json.loads

    def counting(text: Any, *args: Any, **kwargs: Any) -> Any:
        if text in (BODY, BODY.encode()):
            parsed.append(str(text))
        return loads(text, *args, **kwargs)

    monkeypatch.setattr(json, "loads", counting)
    assert create(app, client).status_code == 201
    assert len(parsed) == 1


SHAPES = {api: load_api(api).model.error_shape for api in ("svx", "transmit")}


@pytest.mark.parametrize(("shape", "exc", "status", "header"), [
    ("svx", NotFound("no such org"), 404, None),
    ("transmit", Unauthenticated("no token"), 401, ("www-authenticate", "Bearer")),
    ("svx", MethodNotAllowed("no", allowed=("GET", "PUT")), 405, ("allow", "GET, PUT")),
    (None, Refused(421, "misdirected_request", "wrong host", {"Connection": "close"}), 421,
     ("connection", "close")),
    ("svx", RuntimeError("a bug"), 500, None),
], ids=["domain-error", "401-challenge", "405-allow", "plain-shape", "bug"])
def test_every_error_is_rendered_in_its_shape(shape: str | None, exc: Exception, status: int,
                                              header: tuple[str, str] | None) -> None:
    response = error_response(SHAPES[shape] if shape else None, exc)
    assert response.status == status
    if shape is None:
        assert response.body == {"error": exc.code, "message": "wrong host",  # type: ignore
                                 "http_code": 421}
    else:
        assert response.content_type == SHAPES[shape].content_type
        assert "a bug" not in json.dumps(response.body)  # no internals in the answer
    if header is not None:
        assert {k.lower(): v for k, v in response.headers.items()}[header[0]] == header[1]
