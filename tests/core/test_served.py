"""The documents we hand out keep references, a usable version, and say whose servers they use."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from orgkit.served import MOCK_ONLY, SOURCE_SERVERS, for_servers, usable_info
from orgkit.specs import load_api
from orgkit_cli.cli import main


def response(document: Any, path: str, method: str, status: str) -> Any:
    """One response object of an operation."""
    return document["paths"][path][method]["responses"][status]


def test_implicit_errors_reference_the_component_in_the_served_document() -> None:
    loaded = load_api("transmit")
    path, method = "/v1/organizations/{organization_id}", "delete"
    served = response(loaded.served, path, method, "401")["content"]["application/json"]
    assert served["schema"] == {"$ref": "#/components/schemas/NotFoundHttpError"}
    resolved = response(loaded.document, path, method, "401")["content"]["application/json"]
    assert resolved["schema"] == loaded.served["components"]["schemas"]["NotFoundHttpError"]
    assert "204" in loaded.served["paths"][path][method]["responses"]


@pytest.mark.parametrize(("info", "rules", "version", "kept"), [
    ({"version": "4.0.0"}, {"version": "9"}, "4.0.0", None),
    ({"version": ""}, {"version": "1.0.0"}, "1.0.0", ""),
    ({"version": " "}, {}, "0.0.0", " "),
    ({}, {}, "0.0.0", ""),
], ids=["seed-version-wins", "empty-takes-the-rule", "blank-without-rule", "missing"])
def test_the_served_version_is_usable_and_the_seeds_stays_visible(
        info: dict[str, str], rules: dict[str, str], version: str, kept: str | None) -> None:
    served = usable_info(info, rules)
    assert served["version"] == version
    assert served.get("x-orgkit-source-version") == kept


def test_transmit_serves_the_mock_and_keeps_the_seeds_servers_and_version() -> None:
    served = load_api("transmit").served
    assert [s["url"] for s in served["servers"]] == ["/cis"]
    assert len(served[SOURCE_SERVERS]) == 5
    assert served["info"]["version"] == "1.0.0"
    assert served["info"]["x-orgkit-source-version"] == ""


def test_the_token_endpoint_is_documented_as_the_mocks_addition() -> None:
    served = load_api("transmit").served
    operation = served["paths"]["/oidc/token"]["post"]
    assert operation[MOCK_ONLY] is True and operation["security"] == []
    token = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert token == {"$ref": "#/components/schemas/OrgkitTokenResponse"}
    flows = served["components"]["securitySchemes"]["AdminAccessToken"]["flows"]
    assert flows["clientCredentials"]["tokenUrl"] == "/cis/oidc/token"
    assert "/oidc/token" not in load_api("svx").served["paths"]


def test_source_servers_give_the_seeds_servers_without_the_mocks_additions() -> None:
    source = for_servers(load_api("transmit").served, "source")
    assert source["servers"][0]["url"] == "https://api.sbx.transmitsecurity.io/cis"
    assert SOURCE_SERVERS not in source and "/oidc/token" not in source["paths"]
    assert not [n for n, s in source["components"]["schemas"].items() if s.get(MOCK_ONLY)]
    flows = source["components"]["securitySchemes"]["AdminAccessToken"]["flows"]
    assert flows["clientCredentials"]["tokenUrl"] == "/oidc/token"


def test_mock_servers_take_the_base_url() -> None:
    mock = for_servers(load_api("svx").served, "mock", "http://127.0.0.1:9000/")
    assert [s["url"] for s in mock["servers"]] == ["http://127.0.0.1:9000/svx"]


@pytest.mark.parametrize(("flags", "first_server"), [
    ([], "http://127.0.0.1:8080/cis"),
    (["--servers", "mock", "--base-url", "http://localhost:7000"], "http://localhost:7000/cis"),
    (["--servers", "source"], "https://api.sbx.transmitsecurity.io/cis"),
], ids=["default-mock", "mock-elsewhere", "source"])
def test_orgkit_spec_writes_the_chosen_servers(
        flags: list[str], first_server: str, tmp_path: Path) -> None:
    out = tmp_path / "transmit.yaml"
    assert main(["spec", "--api", "transmit", "--out", str(out), *flags]) == 0
    written = yaml.safe_load(out.read_text())
    assert written["servers"][0]["url"] == first_server
    assert json.dumps(written).count('"$ref"') >= 30
