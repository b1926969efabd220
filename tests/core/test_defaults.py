"""Defaults for documents without orgkit's rules: names, mount, auth, error shape, warnings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from orgkit.defaults import PROBLEM_SCHEMA, complete


def doc(**top: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"openapi": "3.0.3", "info": {"title": "Teams & Projects API"},
                            "paths": {"/teams/{id}": {"get": {"responses": {}}}}}
    return {**base, **top}


MOUNTS = [
    ("server-path", doc(servers=[{"url": "https://x.example/api/v2/"}]), "/api/v2"),
    ("relative-server", doc(servers=[{"url": "/base"}]), "/base"),
    ("server-variable", doc(servers=[{"url": "https://x.example/v1/{env}"}]), "/v1"),
    ("title-slug", doc(), "/teams-projects-api"),
    ("root-server-takes-title", doc(servers=[{"url": "https://x.example"}]),
     "/teams-projects-api"),
]


@pytest.mark.parametrize(("document", "mount"), [m[1:] for m in MOUNTS], ids=[m[0] for m in MOUNTS])
def test_the_mount_comes_from_the_first_server_else_the_title(document: dict[str, Any],
                                                              mount: str) -> None:
    assert complete(document, Path("My Teams.yaml"), print)["x-orgkit"]["mount"] == mount


AUTH = [
    ("none", {}, "none", "public"),
    ("bearer", {"bearer": {"type": "http", "scheme": "bearer"}}, "jwt", "authenticated"),
    ("oauth2", {"o": {"type": "oauth2", "flows": {}}}, "oauth2", "authenticated"),
]


@pytest.mark.parametrize(("schemes", "kind", "mode"), [a[1:] for a in AUTH],
                         ids=[a[0] for a in AUTH])
def test_auth_and_rights_follow_the_security_schemes(schemes: dict[str, Any], kind: str,
                                                     mode: str) -> None:
    security: list[dict[str, list[str]]] = [{name: []} for name in schemes]
    document = complete(doc(components={"securitySchemes": schemes}, security=security),
                        Path("t.yaml"), print)
    assert document["x-orgkit"]["auth"]["kind"] == kind
    assert document["paths"]["/teams/{id}"]["get"]["x-orgkit-rights"] == {"mode": mode}


def test_names_error_shape_and_warnings() -> None:
    said: list[str] = []
    document = complete(doc(), Path("specs/My Teams.yaml"), said.append)
    rules = document["x-orgkit"]
    assert rules["api"] == "my-teams"
    assert rules["error_shapes"]["problem"]["content_type"] == "application/problem+json"
    assert PROBLEM_SCHEMA in document["components"]["schemas"]
    assert document["paths"]["/teams/{id}"]["get"]["operationId"] == "getTeamsId"
    assert len(said) == 4 and all(line.startswith("specs/My Teams.yaml: ") for line in said)


def test_an_authors_rules_are_kept_as_written() -> None:
    said: list[str] = []
    rules = {"api": "mine", "mount": "/m"}
    document = complete(doc(**{"x-orgkit": rules}), Path("t.yaml"), said.append)
    assert document["x-orgkit"] is rules
    assert "x-orgkit-rights" not in document["paths"]["/teams/{id}"]["get"]
    assert [line.split(": ", 1)[1][:12] for line in said] == ["1 operations", "1 operations"]
