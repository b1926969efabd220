"""The resolved-spec cache: reused while the input is unchanged, never trusted blindly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from orgkit import speccache

SPEC = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ORGKIT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("ORGKIT_NO_SPEC_CACHE", raising=False)
    return tmp_path / "cache"


def counting() -> tuple[list[Any], speccache.Resolve]:
    calls: list[Any] = []

    def resolve(source: Any) -> dict[str, Any]:
        calls.append(source)
        return {"openapi": "3.0.3", "paths": {"/a": {"get": {"responses": {"200": {}}}}}}

    return calls, speccache.cached(resolve)


def test_second_resolution_comes_from_the_cache(folder: Path, tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC)
    calls, resolve = counting()
    first, second = resolve(spec), resolve(spec)
    assert first == second and len(calls) == 1
    assert len(list(folder.glob("*.json"))) == 1


def test_an_edited_input_is_resolved_again(folder: Path, tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC)
    calls, resolve = counting()
    resolve(spec)
    spec.write_text(SPEC + "# edited\n")
    resolve(spec)
    assert len(calls) == 2


@pytest.mark.parametrize("content", [
    b"{not json", b"[]", b'{"format": "someone-else/1", "key": "k", "document": {}}',
    b'{"format": "orgkit-speccache/1", "key": "another key", "document": {}}',
    b'{"format": "orgkit-speccache/1", "key": "KEY", "document": [1]}', b"\xff\xfe",
], ids=["corrupt", "not-an-object", "foreign", "wrong-key", "not-a-document", "binary"])
def test_a_bad_cache_file_falls_back_to_resolving(folder: Path, content: bytes) -> None:
    calls, resolve = counting()
    key = speccache.cache_key(SPEC)
    assert key is not None
    folder.mkdir(parents=True)
    (folder / f"{key}.json").write_bytes(content.replace(b"KEY", key.encode()))
    assert resolve(SPEC)["openapi"] == "3.0.3"
    assert len(calls) == 1


@pytest.mark.parametrize("source", [
    "a: {$ref: 'other.yaml#/x'}", {"a": {"$ref": "other.yaml#/x"}}, 42,
], ids=["external-ref-text", "external-ref-document", "unknown-input"])
def test_inputs_the_key_cannot_cover_are_not_cached(folder: Path, source: Any) -> None:
    calls, resolve = counting()
    resolve(source)
    resolve(source)
    assert len(calls) == 2


def test_integer_keys_are_not_cached(folder: Path) -> None:
    calls: list[Any] = []

    def resolve(source: Any) -> dict[str, Any]:
        calls.append(source)
        return {"responses": {200: {}}}

    wrapped = speccache.cached(resolve)
    assert wrapped(SPEC) == {"responses": {200: {}}} == wrapped(SPEC)
    assert len(calls) == 2


def test_an_unwritable_cache_is_no_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("ORGKIT_CACHE_DIR", str(blocker / "cache"))
    calls, resolve = counting()
    resolve(SPEC)
    assert len(calls) == 1


def test_the_cache_can_be_turned_off(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORGKIT_NO_SPEC_CACHE", "1")
    calls, resolve = counting()
    resolve(SPEC)
    resolve(SPEC)
    assert len(calls) == 2 and not folder.exists()


def test_the_cache_is_bounded(folder: Path) -> None:
    _, resolve = counting()
    for i in range(speccache.MAX_ENTRIES + 5):
        resolve(SPEC + f"# {i}\n")
    assert len(list(folder.glob("*.json"))) == speccache.MAX_ENTRIES


def test_the_key_covers_the_versions(monkeypatch: pytest.MonkeyPatch) -> None:
    before = speccache.cache_key(SPEC)
    monkeypatch.setattr("orgkit.__version__", "999")
    assert speccache.cache_key(SPEC) != before


def test_cached_documents_are_the_resolved_ones(folder: Path) -> None:
    calls, resolve = counting()
    fresh = resolve(SPEC)
    again = resolve(SPEC)
    assert json.dumps(fresh, sort_keys=True) == json.dumps(again, sort_keys=True)
    assert again is not fresh and len(calls) == 1
