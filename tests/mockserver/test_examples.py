"""A document without x-orgkit rules is served statelessly from its examples and schemas."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver.app import create_app
from mockserver.config import ServeConfig
from mockserver.examples import instance
from orgkit.specs import SpecSource

PETS = """
openapi: 3.0.3
info: {title: Pet Store, version: '1.0'}
servers: [{url: 'https://api.example.com/v1'}]
security: [{bearer: []}]
paths:
  /pets:
    get:
      operationId: listPets
      security: []
      responses:
        '200':
          description: pets
          content:
            application/json:
              example: [{id: 1, name: Rex}]
    post:
      responses:
        '201':
          description: created
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Pet'}
  /pets/{pet_id}:
    get:
      operationId: getPet
      parameters: [{name: pet_id, in: path, required: true, schema: {type: integer}}]
      responses:
        '200':
          description: a pet
          content:
            application/json:
              examples:
                rex: {value: {id: 7, name: Rex, tag: dog}}
    delete:
      operationId: deletePet
      parameters: [{name: pet_id, in: path, required: true, schema: {type: integer}}]
      responses: {'204': {description: gone}}
components:
  securitySchemes: {bearer: {type: http, scheme: bearer}}
  schemas:
    Pet:
      type: object
      required: [id, name]
      properties:
        id: {type: integer, minimum: 1}
        name: {type: string, minLength: 8}
        born: {type: string, format: date}
        kind: {type: string, enum: [cat, dog]}
        tags: {type: array, items: {type: string}}
"""


@pytest.fixture()
def pets(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> tuple[TestClient, list[str], str]:
    path = tmp_path / "pet-store.yaml"
    path.write_text(PETS, encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="orgkit.specs"):
        app = create_app(ServeConfig(apis=(SpecSource(path),)), dataset={})
    token = app.mock.keyring.mint({"sub": "someone"})
    return TestClient(app), [r.getMessage() for r in caplog.records], token


def test_it_loads_with_defaults_and_one_warning_per_kind(
    pets: tuple[TestClient, list[str], str]
) -> None:
    client, warnings, _ = pets
    model = client.app.mock.runtimes["pet-store"].model  # type: ignore[attr-defined]
    assert (model.name, model.mount, model.auth.kind) == ("pet-store", "/v1", "jwt")
    assert model.error_shape.content_type == "application/problem+json"
    assert len(warnings) == 4, warnings
    kinds = ["without operationId", "no x-orgkit rules", "without x-orgkit-rights",
             "without x-orgkit-resource"]
    assert [k for k in kinds if any(k in w for w in warnings)] == kinds


ANSWERS = [
    ("example", "GET", "/v1/pets", False, 200, [{"id": 1, "name": "Rex"}]),
    ("named-example", "GET", "/v1/pets/7", True, 200, {"id": 7, "name": "Rex", "tag": "dog"}),
    ("from-schema", "POST", "/v1/pets", True, 201,
     {"id": 1, "name": "stringxx", "born": "1970-01-01", "kind": "cat", "tags": ["string"]}),
    ("no-content", "DELETE", "/v1/pets/7", True, 204, None),
]


@pytest.mark.parametrize(("method", "url", "auth", "status", "body"), [a[1:] for a in ANSWERS],
                         ids=[a[0] for a in ANSWERS])
def test_operations_answer_their_examples(pets: tuple[TestClient, list[str], str], method: str,
                                          url: str, auth: bool, status: int, body: Any) -> None:
    client, _, token = pets
    headers = {"Authorization": f"Bearer {token}"} if auth else {}
    kwargs: dict[str, Any] = {"json": {"id": 1, "name": "Rexxxxxx"}} if method == "POST" else {}
    response = client.request(method, url, headers=headers, **kwargs)
    assert response.status_code == status, response.text
    assert (response.json() if response.content else None) == body


def test_secured_operations_refuse_without_token_in_problem_details(
    pets: tuple[TestClient, list[str], str]
) -> None:
    client, _, _ = pets
    response = client.get("/v1/pets/7")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 401


SCHEMAS = [
    ("recursive", {"type": "object", "properties": {"child": {"$ref": "x"}}}, dict),
    ("nullable-untyped", {"nullable": True}, type(None)),
    ("exclusive-min", {"type": "integer", "minimum": 3, "exclusiveMinimum": True}, int),
    ("all-of", {"allOf": [{"properties": {"a": {"type": "string"}}},
                          {"properties": {"b": {"type": "boolean"}}}]}, dict),
    ("one-of", {"oneOf": [{"type": "number"}, {"type": "string"}]}, int),
    ("max-length", {"type": "string", "maxLength": 2}, str),
]


@pytest.mark.parametrize(("schema", "kind"), [s[1:] for s in SCHEMAS], ids=[s[0] for s in SCHEMAS])
def test_instances_are_deterministic_and_bounded(schema: dict[str, Any], kind: type) -> None:
    first = instance(schema)
    assert isinstance(first, kind) and instance(schema) == first
    if "maxLength" in schema:
        assert isinstance(first, str) and len(first) <= 2
    if schema.get("exclusiveMinimum"):
        assert first == 4


def test_a_deeply_nested_schema_ends() -> None:
    node: dict[str, Any] = {"type": "object", "properties": {}}
    root = node
    for _ in range(50):
        child: dict[str, Any] = {"type": "object", "properties": {}}
        node["properties"]["next"] = child
        node = child
    assert str(instance(root)).count("next") <= 8


@pytest.mark.parametrize(("second", "problem"), [
    ("https://api.example.com/v1", "same x-orgkit.mount '/v1'"),
    ("https://api.example.com/v1/admin", "mounted at /v1/admin, inside"),
], ids=["same-mount", "nested-mount"])
def test_documents_whose_mounts_collide_are_a_config_error(tmp_path: Path, second: str,
                                                           problem: str) -> None:
    from orgkit.errors import ConfigError

    one, two = tmp_path / "one.yaml", tmp_path / "two.yaml"
    one.write_text(PETS, encoding="utf-8")
    two.write_text(PETS.replace("https://api.example.com/v1", second), encoding="utf-8")
    with pytest.raises(ConfigError, match=problem):
        create_app(ServeConfig(apis=(SpecSource(one), SpecSource(two))), dataset={})
