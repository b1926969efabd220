"""OpenAPI Overlay 1.0: checking overlay documents and applying their actions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from orgkit.errors import SpecError
from orgkit.overlays import apply_overlay, parse_overlay
from orgkit.specs import SpecSource, load_spec, raw_document, spec_dir, spec_path


def overlay(*actions: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {"overlay": "1.0.0", "info": {"title": "t", "version": "1"},
            "actions": list(actions), **top}


def document() -> dict[str, Any]:
    return {"info": {"title": "A", "tags": ["x"]},
            "paths": {"/a": {"get": {"summary": "a", "x-n": 1}},
                      "/b": {"get": {"summary": "b"}, "post": {"summary": "b2"}}}}


APPLIED = [
    ("update-merges-objects", {"target": "$.info", "update": {"version": "2"}},
     lambda d: d["info"] == {"title": "A", "tags": ["x"], "version": "2"}),
    ("update-recurses", {"target": "$", "update": {"info": {"title": "B"}}},
     lambda d: d["info"]["title"] == "B" and d["info"]["tags"] == ["x"]),
    ("update-appends-to-arrays", {"target": "$.info.tags", "update": "y"},
     lambda d: d["info"]["tags"] == ["x", "y"]),
    ("update-every-match", {"target": "$.paths.*.get", "update": {"x-orgkit-rights": {}}},
     lambda d: all("x-orgkit-rights" in p["get"] for p in d["paths"].values())),
    ("remove-a-key", {"target": "$.paths['/a']", "remove": True},
     lambda d: set(d["paths"]) == {"/b"}),
    ("remove-by-filter", {"target": "$.paths.*[?@.summary == 'b2']", "remove": True},
     lambda d: set(d["paths"]["/b"]) == {"get"}),
    ("remove-array-items", {"target": "$.info.tags[*]", "remove": True},
     lambda d: d["info"]["tags"] == []),
]


@pytest.mark.parametrize(("action", "holds"), [a[1:] for a in APPLIED], ids=[a[0] for a in APPLIED])
def test_actions_apply(action: dict[str, Any], holds: Any) -> None:
    said: list[str] = []
    result = apply_overlay(document(), parse_overlay(overlay(action), "o.yaml"), said.append)
    assert holds(result)
    assert said == []


def test_one_update_on_several_nodes_shares_nothing() -> None:
    action = {"target": "$.paths.*.get", "update": {"tags": []}}
    result = apply_overlay(document(), parse_overlay(overlay(action), "o.yaml"), print)
    result["paths"]["/a"]["get"]["tags"].append("only-a")
    assert result["paths"]["/b"]["get"]["tags"] == []


def test_a_target_matching_nothing_warns_in_one_line() -> None:
    said: list[str] = []
    action = {"target": "$.paths['/nope']", "update": {"x": 1}}
    result = apply_overlay(document(), parse_overlay(overlay(action), "o.yaml"), said.append)
    assert result == document()
    assert said == ["o.yaml: at /actions/0: target $.paths['/nope'] matches nothing"]


BAD = [
    ("not-an-object", [1], "", "an object"),
    ("no-version", {**overlay({"target": "$", "remove": True}), "overlay": "2.0.0"},
     "/overlay", "1.0.x"),
    ("no-info", {"overlay": "1.0.0", "actions": [{"target": "$", "remove": True}]}, "/info",
     "title"),
    ("no-actions", overlay(), "/actions", "non-empty"),
    ("bad-jsonpath", overlay({"target": "$.paths[", "remove": True}), "/actions/0/target",
     "RFC 9535"),
    ("no-target", overlay({"update": {}}), "/actions/0/target", "JSONPath"),
    ("both", overlay({"target": "$", "update": {}, "remove": True}), "/actions/0",
     "exactly one"),
    ("neither", overlay({"target": "$"}), "/actions/0", "exactly one"),
    ("remove-not-bool", overlay({"target": "$", "remove": "yes"}), "/actions/0/remove", "true"),
    ("extends-not-text", overlay({"target": "$", "remove": True}, extends=3), "/extends", "3"),
]


@pytest.mark.parametrize(("data", "pointer", "fragment"), [b[1:] for b in BAD],
                         ids=[b[0] for b in BAD])
def test_a_bad_overlay_names_file_and_pointer(data: Any, pointer: str, fragment: str) -> None:
    with pytest.raises(SpecError) as info:
        parse_overlay(data, "bad.yaml")
    assert (info.value.source, info.value.pointer) == ("bad.yaml", pointer)
    assert fragment in info.value.problem


def test_an_object_target_refuses_a_primitive_update() -> None:
    bad = parse_overlay(overlay({"target": "$.info", "update": 5}), "o.yaml")
    with pytest.raises(SpecError, match="needs an object update") as info:
        apply_overlay(document(), bad, print)
    assert info.value.pointer == "/actions/0/update"


def test_overlays_apply_to_the_raw_document_before_loading(tmp_path: Path) -> None:
    path = tmp_path / "rename.yaml"
    path.write_text(yaml.safe_dump(overlay(
        {"target": "$['x-orgkit']", "update": {"api": "svx-renamed", "mount": "/other"}},
        {"target": "$.paths['/version']", "remove": True})), encoding="utf-8")
    source = SpecSource(spec_path("svx"), (path,))
    raw = raw_document(source)
    assert "/version" not in raw["paths"] and any("$ref" in str(v) for v in raw["components"]
                                                     ["schemas"].values())
    loaded = load_spec(source)
    assert (loaded.model.name, loaded.model.mount) == ("svx-renamed", "/other")
    assert not any(op.path == "/version" for op in loaded.model.operations)
    assert loaded.overlays == (str(path),)


def test_the_shipped_overlay_serves_svx_under_api_v4() -> None:
    loaded = load_spec(SpecSource(spec_path("svx"), (spec_dir() / "overlays/svx-api-v4.yaml",)))
    assert loaded.model.mount == "/api/v4"
    assert [s["url"] for s in loaded.document["servers"]] == ["/api/v4"]


def test_relative_refs_resolve_against_the_file_after_an_overlay(tmp_path: Path) -> None:
    (tmp_path / "schemas.yaml").write_text("Thing: {type: object, properties: {id: "
                                           "{type: string}}}\n", encoding="utf-8")
    main = tmp_path / "main.yaml"
    main.write_text(yaml.safe_dump({
        "openapi": "3.0.3", "info": {"title": "Ref", "version": "1"},
        "paths": {"/things": {"get": {"operationId": "listThings", "responses": {"200": {
            "description": "ok",
            "content": {"application/json": {"schema": {"$ref": "schemas.yaml#/Thing"}}}}}}}}}),
        encoding="utf-8")
    moved = tmp_path / "moved.yaml"
    moved.write_text(yaml.safe_dump(overlay({"target": "$.servers", "remove": True},
                                            {"target": "$", "update": {"servers": [
                                                {"url": "/moved"}]}})), encoding="utf-8")
    loaded = load_spec(SpecSource(main, (moved,)))
    schema = loaded.document["paths"]["/things"]["get"]["responses"]["200"]["content"][
        "application/json"]["schema"]
    assert schema["properties"]["id"] == {"type": "string"}
    assert loaded.model.mount == "/moved"
