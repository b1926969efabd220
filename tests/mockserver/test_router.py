"""The router: one match per request, literal paths first, the method decides between templates."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mockserver.router import Router
from orgkit.model import ApiModel, Operation
from orgkit.specs import SpecSource, load_api, load_spec


@pytest.fixture(scope="module")
def router() -> Router:
    return Router(load_api("transmit").model)


@pytest.mark.parametrize(("method", "path", "operation", "params"), [
    ("GET", "/v1/organizations/name/apps", "getOrganizationByName",
     {"organization_name": "apps"}),
    ("PUT", "/v1/organizations/name/apps", "addAppsToOrganization", {"organization_id": "name"}),
    ("DELETE", "/v1/organizations/name/apps", "removeAppsFromOrganization",
     {"organization_id": "name"}),
    ("HEAD", "/v1/organizations/name/acme", "getOrganizationByName",
     {"organization_name": "acme"}),
    ("GET", "/v1/organizations/abc", "getOrganization", {"organization_id": "abc"}),
], ids=["literal-template-get", "other-template-put", "other-template-delete", "head-as-get",
        "one-template"])
def test_the_method_decides_between_matching_templates(
        router: Router, method: str, path: str, operation: str, params: dict[str, str]) -> None:
    match = router.match(method, path)
    assert match is not None and match.op is not None
    assert (match.op.operation_id, dict(match.params)) == (operation, params)


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("POST", "/v1/organizations/name/acme", ("GET",)),
    ("POST", "/v1/organizations/name/apps", ("GET",)),
    ("PATCH", "/v1/organizations/abc", ("DELETE", "GET", "PUT")),
], ids=["only-literal-template", "no-template-has-it", "one-template"])
def test_a_method_no_match_has_is_refused_with_the_first_matchs_methods(
        router: Router, method: str, path: str, allowed: tuple[str, ...]) -> None:
    match = router.match(method, path)
    assert match is not None and match.op is None and match.allowed == allowed


def test_a_path_no_template_matches_is_not_found(router: Router) -> None:
    assert router.match("GET", "/v1/nothing/here") is None


def _scanned(model: ApiModel, method: str, path: str) -> tuple[str | None, dict[str, str],
                                                               tuple[str, ...]] | None:
    """The reference: every template in order (literal first), as the router once scanned."""
    by_path: dict[str, dict[str, Operation]] = {}
    for each in model.operations:
        by_path.setdefault(each.path, {})[each.method] = each
    refused = None
    for template in sorted(by_path, key=lambda p: (p.count("{"), p)):
        regex = re.sub(r"\\\{([^}]+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
        found = re.fullmatch(regex, path)
        if found is None:
            continue
        ops = by_path[template]
        op: Operation | None = ops.get(method) or (ops.get("GET") if method == "HEAD" else None)
        answer = (op.operation_id if op else None, found.groupdict(), tuple(sorted(ops)))
        if op is not None:
            return answer
        refused = refused or answer
    return refused


def _paths(model: ApiModel) -> set[str]:
    """Every template filled with values that are also other templates' literal segments."""
    words = {s for op in model.operations for s in op.path.split("/") if s and "{" not in s}
    paths = {"", "/", "/nothing/here"}
    for op in model.operations:
        for word in sorted(words)[:12] + ["x1"]:
            paths.add(re.sub(r"\{[^}]+\}", word, op.path))
    return paths


def _inline(folder: Path) -> ApiModel:
    """Templates whose first segment is a parameter, beside literal ones of the same depth."""
    paths = ["/pets", "/pets/{id}", "/pets/archive", "/{kind}/{id}", "/{kind}/apps",
             "/pets/{id}/apps", "/pets/name/{name}", "/{kind}/{id}/tags", "/stores/{id}"]
    methods = ["get", "post", "delete", "put"]
    document = {
        "openapi": "3.0.3", "info": {"title": "Routes", "version": "1"},
        "paths": {path: {methods[i % 4]: {"operationId": f"op{i}", "parameters": [
            {"name": n, "in": "path", "required": True, "schema": {"type": "string"}}
            for n in re.findall(r"\{([^}]+)\}", path)],
            "responses": {"200": {"description": "ok"}}}} for i, path in enumerate(paths)},
    }
    (folder / "routes.json").write_text(json.dumps(document))
    return load_spec(SpecSource(folder / "routes.json")).model


@pytest.mark.parametrize("api", ["svx", "transmit", "inline"])
def test_every_path_routes_as_a_scan_of_every_template_would(api: str, tmp_path: Path) -> None:
    model = _inline(tmp_path) if api == "inline" else load_api(api).model
    router = Router(model)
    for path in _paths(model):
        for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"):
            match = router.match(method, path)
            got = None if match is None else (
                match.op.operation_id if match.op else None, match.params, match.allowed)
            assert got == _scanned(model, method, path), (method, path)
