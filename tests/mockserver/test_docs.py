"""Swagger UI's description tells how to get a token and names no repository file."""

from __future__ import annotations

import re

import pytest

from mockserver.docs import with_how_to_call
from orgkit.specs import load_api
from tests.mockserver.mocksupport import Api

MOUNTS = [("svx", "/svx", "banner"), ("transmit", "/cis", "/cis/oidc/token")]


@pytest.mark.parametrize(("mount", "how"), [m[1:] for m in MOUNTS], ids=[m[0] for m in MOUNTS])
def test_the_served_description_says_how_to_get_a_token(api: Api, mount: str, how: str) -> None:
    description = api.client.get(f"{mount}/openapi.json").json()["info"]["description"]
    assert "(/__mock/personas)" in description and "(/__mock/)" in description
    assert how in description and "Authorize" in description
    assert not re.search(r"\b(specs|fixtures|mockserver)/", description), description


def test_the_original_description_follows_without_its_file_paths() -> None:
    loaded = load_api("svx")
    assert "specs/sources/" in loaded.document["info"]["description"]
    served = with_how_to_call(loaded.document, loaded.model)["info"]["description"]
    assert "reconstructed as OpenAPI 3.0.3 from a text render of its API reference." in served
    assert "orgkit's spec notes" in served


@pytest.mark.parametrize(("mount", "api_name"), [("/svx", "svx"), ("/cis", "transmit")],
                         ids=["svx", "transmit"])
def test_the_served_document_keeps_references_in_json_and_yaml(
        api: Api, mount: str, api_name: str) -> None:
    import yaml

    served = api.client.get(f"{mount}/openapi.json").json()
    as_yaml = yaml.safe_load(api.client.get(f"{mount}/openapi.yaml").text)
    assert served == as_yaml
    expected = load_api(api_name).served
    assert served["components"] == expected["components"]
    assert served["paths"] == expected["paths"]
    assert '"$ref"' in api.client.get(f"{mount}/openapi.json").text
