"""orgkit.payloads: what operations send and answer is read once into the model, read-only."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from orgkit.model import Operation
from orgkit.specs import LoadedApi, load_api

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("orgkit", "mockserver", "contract_tests", "fixtures", "orgkit_cli", "benchmarks")
# The loader and its helpers may read the document's paths and components; nobody else.
LOADER = {"orgkit/specs.py", "orgkit/served.py", "orgkit/defaults.py", "orgkit/overlays.py",
          "orgkit/payloads.py"}
INDEXING = re.compile(r"""\[\s*["'](paths|components)["']\s*\]|\.get\(\s*["']paths["']""")

TINY = textwrap.dedent("""\
    openapi: 3.0.3
    info: {title: Tiny, version: '1.0'}
    x-orgkit:
      api: tiny
      mount: /tiny
      auth: {kind: jwt}
      default_error_shape: plain
      implicit_errors: [401, 403]
      error_shapes:
        plain:
          schemas: {default: Err, '403': Err403}
          templates: {default: {message: '{message}'}}
    security: [{bearer: []}]
    components:
      securitySchemes: {bearer: {type: http, scheme: bearer}}
      schemas:
        Err: {type: object, properties: {message: {type: string}}}
        Err403: {type: object, properties: {message: {type: string}, why: {type: string}}}
        Thing: {type: object, properties: {id: {type: string}, name: {type: string}}}
    paths:
      /things:
        post:
          operationId: createThing
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  properties: {thing: {type: object, properties: {name: {type: string}}}}
                example: {thing: {name: one}}
          responses:
            '201':
              description: created
              content:
                application/json:
                  schema: {type: object, properties: {id: {type: string}}}
              links:
                GetThing:
                  operationId: getThing
                  parameters: {thing_id: '$response.body#/id'}
          x-orgkit-rights: {mode: authenticated}
          x-orgkit-resource: {collection: things, action: create, envelope: thing}
      /things/{thing_id}:
        parameters:
          - {name: thing_id, in: path, required: true, schema: {type: string}}
        get:
          operationId: getThing
          responses:
            '200':
              description: ok
              headers: {ETag: {schema: {type: string}}}
              content:
                application/json:
                  schema:
                    type: object
                    properties: {thing: {$ref: '#/components/schemas/Thing'}}
          x-orgkit-rights: {mode: authenticated}
          x-orgkit-resource: {collection: things, action: get, id: 'path:thing_id',
                              envelope: thing}
        delete:
          operationId: deleteThing
          responses:
            '204': {description: gone}
          x-orgkit-rights: {mode: authenticated}
    """)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> LoadedApi:
    path = tmp_path_factory.mktemp("payloads") / "tiny.yaml"
    path.write_text(TINY, encoding="utf-8")
    return load_api(str(path))


def _op_doc(loaded: LoadedApi, op: Operation) -> Mapping[str, Any]:
    found: Mapping[str, Any] = loaded.document["paths"][op.path][op.method.lower()]
    return found


def _every_operation() -> list[Any]:
    return [pytest.param(api, op.operation_id, id=f"{api}-{op.operation_id}")
            for api in ("svx", "transmit") for op in load_api(api).model.operations]


@pytest.mark.parametrize(("api", "operation_id"), _every_operation())
def test_payloads_mirror_the_cleaned_document(api: str, operation_id: str) -> None:
    loaded = load_api(api)
    op = loaded.model.operation(operation_id)
    doc = _op_doc(loaded, op)
    content = (doc.get("requestBody") or {}).get("content") or {}
    json_media = [m for m in content if "json" in m]
    assert dict(op.request_content) == content
    assert op.body_required == bool((doc.get("requestBody") or {}).get("required"))
    if json_media:  # the very object: validators cached by identity keep working
        assert op.request_schema is content[json_media[0]]["schema"]
    else:
        assert op.request_schema == {}
    assert set(op.responses) == {str(s) for s in doc["responses"]}
    links = [(str(s), n, link["operationId"]) for s, r in doc["responses"].items()
             for n, link in (r.get("links") or {}).items()]
    assert [(link.status, link.name, link.operation_id) for link in op.links] == links


TINY_CASES = [
    pytest.param("createThing", "request_fields", ("name",), id="request-fields-unwrapped"),
    pytest.param("createThing", "body_required", True, id="body-required"),
    pytest.param("getThing", "request_fields", (), id="no-body-no-fields"),
    pytest.param("createThing", "item_schema_fields", ["id", "name"], id="item-from-the-get"),
    pytest.param("deleteThing", "item_schema_fields", [], id="no-resource-no-item"),
    pytest.param("createThing", "link_targets", [("201", "getThing")], id="links"),
    pytest.param("getThing", "statuses", ["200", "401", "403"], id="implicit-errors-included"),
    pytest.param("getThing", "headers", {"200": ["ETag"], "401": [], "403": []}, id="headers"),
    pytest.param("getThing", "schema_403", ["message", "why"], id="implicit-403-schema"),
]


def _view(op: Operation, what: str) -> Any:
    views: dict[str, Callable[[], Any]] = {
        "request_fields": lambda: op.request_fields,
        "body_required": lambda: op.body_required,
        "item_schema_fields": lambda: sorted(op.item_schema.get("properties", {})),
        "link_targets": lambda: [(link.status, link.operation_id) for link in op.links],
        "statuses": lambda: sorted(op.responses),
        "headers": lambda: {s: list(r.headers) for s, r in op.responses.items()},
        "schema_403": lambda: sorted(op.response_schemas["403"]["properties"]),
    }
    return views[what]()


@pytest.mark.parametrize(("operation_id", "what", "expected"), TINY_CASES)
def test_tiny_payloads(tiny: LoadedApi, operation_id: str, what: str, expected: Any) -> None:
    assert _view(tiny.model.operation(operation_id), what) == expected


def test_error_schema_and_path_methods(tiny: LoadedApi) -> None:
    model = tiny.model
    shape = model.error_shape
    assert model.error_schema(shape, 403) is tiny.document["components"]["schemas"]["Err403"]
    assert model.error_schema(shape, 404) is tiny.document["components"]["schemas"]["Err"]
    assert model.path_methods("/things/{thing_id}") == {"GET", "DELETE"}


@pytest.mark.parametrize("what", ["request_content", "responses", "response_schemas"])
def test_model_views_are_read_only(tiny: LoadedApi, what: str) -> None:
    view = getattr(tiny.model.operation("createThing"), what)
    with pytest.raises(TypeError):
        view["x"] = {}


def test_nobody_outside_the_loader_indexes_a_documents_paths() -> None:
    """House rule 2: what others need is on the typed model (orgkit/payloads.py)."""
    scanned = [path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))
               if str(path.relative_to(ROOT)) not in LOADER]
    assert len(scanned) > 50  # the guard reads the packages, not an empty folder
    found = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}" for path in scanned
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if INDEXING.search(line)]
    assert found == []


@pytest.mark.parametrize("line", ['doc["paths"][p]', "d.get('paths')", 'x[ "components" ]'])
def test_the_guard_sees_document_indexing(line: str) -> None:
    assert INDEXING.search(line)
