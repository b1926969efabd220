"""Helpers of the mock server tests: personas, ids of the default data set, spec conformance.

Every answer a test looks at can be checked against the spec with `expect` (status, content type,
body against the declared response schema) and `expect_error` (the API's own error shape).
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Mapping
from typing import Any

import httpx
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from orgkit_fixtures import load, persona_token
from starlette.testclient import TestClient

from mockserver.app import MockApp
from mockserver.router import Router
from orgkit.model import ErrorShape, Operation
from orgkit.specs import LoadedApi, load_api

DATASET: dict[str, Any] = load()
PERSONAS: Mapping[str, Any] = DATASET["personas"]
SVX_PERSONAS = tuple(n for n, p in PERSONAS.items() if p["api"] == "svx")
TRANSMIT_PERSONAS = tuple(n for n, p in PERSONAS.items() if p["api"] == "transmit")

TENANT_A: str = PERSONAS["tenant-admin"]["tenant_id"]
TENANT_B: str = PERSONAS["other-tenant-admin"]["tenant_id"]
ORG_A1: str = PERSONAS["org-admin"]["org_id"]
ORG_B1: str = PERSONAS["other-tenant-admin"]["org_id"]
ORG_X: str = PERSONAS["transmit-org-admin"]["organization_id"]
GLOBAL_ADMIN: str = PERSONAS["global-admin"]["sub"]
TENANT_ADMIN: str = PERSONAS["tenant-admin"]["sub"]
ORG_ADMIN: str = PERSONAS["org-admin"]["sub"]
NO_RIGHTS: str = PERSONAS["no-rights"]["sub"]
MISSING = "00000000-0000-4000-8000-000000000000"  # a well-formed UUID nobody has

MOUNTS = {"/svx": "svx", "/cis": "transmit"}
SUCCESS = range(200, 400)


def svx_items(collection: str, **where: Any) -> list[dict[str, Any]]:
    """Items of an SVX collection of the default data set matching all `where` fields."""
    return [i for i in DATASET["svx"][collection]
            if all(i.get(k) == v for k, v in where.items())]


def transmit_items(collection: str, **where: Any) -> list[dict[str, Any]]:
    """Items of a Transmit collection of the default data set matching all `where` fields."""
    return [i for i in DATASET["transmit"][collection]
            if all(i.get(k) == v for k, v in where.items())]


def api_of(path: str) -> tuple[LoadedApi, str] | None:
    """The API a request path belongs to and the path below its mount."""
    for mount, name in MOUNTS.items():
        if path == mount or path.startswith(mount + "/"):
            return load_api(name), path[len(mount):] or "/"
    return None


_ROUTERS: dict[str, Router] = {}


def operation_of(method: str, path: str) -> Operation | None:
    """The operation a request addresses, if any."""
    found = api_of(path)
    if found is None:
        return None
    loaded, sub = found
    router = _ROUTERS.setdefault(loaded.model.name, Router(loaded.model))
    match = router.match(method, sub)
    return None if match is None else match.op


def conformance(response: httpx.Response) -> list[str]:
    """What is wrong with an answer by its operation's declared responses (empty: nothing)."""
    request = response.request
    op = operation_of(request.method, request.url.path)
    if op is None:
        return [f"{request.method} {request.url.path} is no operation"]
    found = api_of(request.url.path)
    assert found is not None
    document = found[0].document
    declared = document["paths"][op.path][op.method.lower()]["responses"]
    status = str(response.status_code)
    spec = declared.get(status) or declared.get("default")
    if spec is None:
        return [f"{op.operation_id}: status {status} is not declared ({sorted(declared)})"]
    content = spec.get("content") or {}
    if not content:
        return [] if not response.content or status == "302" else [
            f"{op.operation_id} {status}: declares no body, got {response.text[:200]!r}"]
    media = response.headers.get("content-type", "").split(";")[0].strip()
    if media not in content:
        return [f"{op.operation_id} {status}: content type {media!r} not in {sorted(content)}"]
    schema = content[media].get("schema")
    if schema is None or "json" not in media:
        return []
    validator = OAS30Validator(schema, format_checker=oas30_format_checker)
    return [f"{op.operation_id} {status}: {'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(response.json())][:5]


def expect(response: httpx.Response, status: int | range = SUCCESS) -> Any:
    """Assert the status and the answer's conformance; the JSON body (None when empty)."""
    wanted = status if isinstance(status, range) else range(status, status + 1)
    assert response.status_code in wanted, (
        f"{response.request.method} {response.request.url}: expected {status}, got "
        f"{response.status_code}: {response.text[:500]}")
    assert conformance(response) == []
    if not response.content or "json" not in response.headers.get("content-type", ""):
        return None
    return response.json()


def error_shape_of(method: str, path: str) -> ErrorShape:
    """The error shape an answer at this method and path must have."""
    op = operation_of(method, path)
    if op is not None:
        return op.error_shape
    found = api_of(path)
    assert found is not None, f"{path} is under no API"
    return found[0].model.error_shape


def shape_problems(response: httpx.Response, status: int) -> list[str]:
    """What is wrong with an error answer by its API's error shape (empty: nothing)."""
    request = response.request
    shape = error_shape_of(request.method, request.url.path)
    found = api_of(request.url.path)
    assert found is not None
    media = response.headers.get("content-type", "").split(";")[0].strip()
    if media != shape.content_type:
        return [f"content type {media!r}, expected {shape.content_type!r}"]
    body = response.json()
    schema = found[0].document["components"]["schemas"][shape.schema_for(status)]
    validator = OAS30Validator(schema, format_checker=oas30_format_checker)
    problems = [e.message for e in validator.iter_errors(body)]
    if shape.status_field is not None and body.get(shape.status_field) != status:
        problems.append(f"{shape.status_field} is {body.get(shape.status_field)!r}, not {status}")
    if shape.name == "invitations" and any(e.get("http_code") != status for e in body["errors"]):
        problems.append(f"an error's http_code is not {status}")
    text = response.text
    problems += [f"leaks {marker!r}" for marker in ("Traceback", 'File "', "site-packages")
                 if marker in text]
    return problems


def expect_error(response: httpx.Response, status: int) -> dict[str, Any]:
    """Assert an error answer: the status, the API's error shape and no internals leaked."""
    assert response.status_code == status, (
        f"{response.request.method} {response.request.url}: expected {status}, got "
        f"{response.status_code}: {response.text[:500]}")
    assert shape_problems(response, status) == []
    body: dict[str, Any] = response.json()
    return body


def error_message(body: Mapping[str, Any]) -> str:
    """The human message of an error body in any of the three shapes."""
    if "errors" in body:
        return " ".join(str(e["message"]) for e in body["errors"])
    message = body["message"]
    return " ".join(message) if isinstance(message, list) else str(message)


class Api:
    """An in-process client that speaks as the personas of the loaded data set."""

    def __init__(self, app: MockApp, client: TestClient) -> None:
        self.app, self.client = app, client
        self._tokens: dict[str, str] = {}

    @property
    def svx(self) -> Any:
        """The SVX store (for arranging state and checking it directly)."""
        return self.app.mock.runtimes["svx"].store

    @property
    def transmit(self) -> Any:
        """The Transmit store."""
        return self.app.mock.runtimes["transmit"].store

    def token(self, persona: str) -> str:
        """A valid token for a persona (Transmit: the claims /cis/oidc/token issues)."""
        if persona not in self._tokens:
            self._tokens[persona] = persona_token(self.app.mock.dataset, persona,
                                                  self.app.mock.keyring)
        return self._tokens[persona]

    def auth(self, persona: str | None) -> dict[str, str]:
        """The Authorization header of a persona (none for None)."""
        return {} if persona is None else {"Authorization": f"Bearer {self.token(persona)}"}

    def bearer(self, sub: str, tid: str | None = None) -> dict[str, str]:
        """The Authorization header of any SVX user (rights come from the mock's state)."""
        claims = {"sub": sub} if tid is None else {"sub": sub, "tid": tid}
        return {"Authorization": f"Bearer {self.app.mock.keyring.mint(claims)}"}

    def call(self, method: str, url: str, *, as_: str | None = None,
             headers: Mapping[str, str | bytes] | None = None, **kwargs: Any) -> httpx.Response:
        """One request as a persona (or anonymous)."""
        merged = {**self.auth(as_), **(headers or {})}
        answer: httpx.Response = self.client.request(method, url, headers=merged, **kwargs)
        return answer

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        """GET as a persona."""
        return self.call("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        """POST as a persona."""
        return self.call("POST", url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> httpx.Response:
        """PUT as a persona."""
        return self.call("PUT", url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        """DELETE as a persona."""
        return self.call("DELETE", url, **kwargs)

    def clone(self, api: str, collection: str, template: Mapping[str, Any],
              **changes: Any) -> dict[str, Any]:
        """Store a disposable copy of an item (new id unless given) and return it."""
        store = self.app.mock.runtimes[api].store
        coll = store[collection]
        id_field = coll.key_fields[-1]
        item = copy.deepcopy(dict(template))
        item[id_field] = str(uuid.uuid4()) if api == "svx" else uuid.uuid4().hex[:21]
        item.update(changes)
        coll.put(item)
        return item
