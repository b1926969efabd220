"""`--fixtures` repeated on serve, token and personas export; tokens and token URLs come from the
documents as served (overlays applied), for bundled and non-bundled APIs alike."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pytest
import yaml

from mockserver.app import create_app
from mockserver.config import ServeConfig
from mockserver.serve import banner
from orgkit.specs import SpecSource
from orgkit.tokens import KeyRing, TokenConfig
from orgkit_cli.cli import main

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "workspaces"
SPEC, DATA = EXAMPLE / "openapi.yaml", EXAMPLE / "data.yaml"
OWNER_SUB = "10000000-0000-4000-8000-000000000002"


def overlay(folder: Path, name: str, extends: str, update: dict[str, Any]) -> Path:
    """An overlay updating x-orgkit of the document it extends."""
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump({
        "overlay": "1.0.0", "info": {"title": name, "version": "1"}, "extends": extends,
        "actions": [{"target": '$["x-orgkit"]', "update": update}]}), encoding="utf-8")
    return path


def moved_transmit(folder: Path) -> Path:
    return overlay(folder, "move", "transmit-organizations.yaml", {"mount": "/moved/cis"})


def token_of(argv: list[str], capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    assert main(["token", *argv]) == 0
    claims: dict[str, Any] = KeyRing(TokenConfig()).verify(capsys.readouterr().out.strip())
    return claims


def test_a_non_bundled_persona_needs_its_document(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["token", "--fixtures", str(DATA), "--persona", "workspace-owner"]) == 2
    assert "--spec FILE" in capsys.readouterr().err
    claims = token_of(["--fixtures", str(DATA), "--spec", str(SPEC), "--persona",
                       "workspace-owner"], capsys)
    assert claims["sub"] == OWNER_SUB


def test_token_claims_are_named_as_the_served_document_declares(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    renamed = overlay(tmp_path, "tenant", "svx-api.yaml", {"auth": {"tenant_claim": "tenant"}})
    plain = token_of(["--persona", "tenant-admin"], capsys)
    claims = token_of(["--api", "svx", "--overlay", str(renamed), "--persona", "tenant-admin"],
                      capsys)
    assert (claims.get("tenant"), "tid" in claims) == (plain["tid"], False)


def test_a_bundled_persona_comes_from_the_default_beside_another_file(
        capsys: pytest.CaptureFixture[str]) -> None:
    claims = token_of(["--fixtures", str(DATA), "--persona", "tenant-admin"], capsys)
    assert claims["sub"] and claims["tid"]


def test_serve_passes_every_fixtures_file(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[ServeConfig] = []
    monkeypatch.setattr("mockserver.serve.run", seen.append)
    assert main(["serve", "--spec", str(SPEC), "--fixtures", str(DATA), "--fixtures",
                 str(DATA)]) == 0
    assert seen[0].fixture_files == (DATA, DATA)


def test_two_files_giving_one_section_are_a_usage_error(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    args = ["personas", "export", "--spec", str(SPEC), "--out", str(tmp_path / "p.json")]
    assert main([*args, "--fixtures", str(DATA), "--fixtures", str(DATA)]) == 2
    assert "both give the 'workspaces' section" in capsys.readouterr().err


def test_the_example_beside_the_bundled_apis_serves_all_three() -> None:
    config = ServeConfig(apis=(SpecSource.of("svx"), SpecSource.of("transmit"),
                               SpecSource.of(SPEC)), fixtures=(DATA,))
    with TestClient(create_app(config)) as client:
        counts = client.get("/__mock/state").json()["apis"]
    assert set(counts) == {"svx", "transmit", "workspaces"}
    assert all(sum(c.values()) > 0 for c in counts.values()), counts


def test_personas_export_takes_transmits_token_url_from_the_overlay(tmp_path: Path) -> None:
    out = tmp_path / "personas.json"
    assert main(["personas", "export", "--overlay", str(moved_transmit(tmp_path)),
                 "--out", str(out)]) == 0
    app = json.loads(out.read_text())["personas"]["management-app"]
    assert app["client_credentials"]["token_url"] == "http://127.0.0.1:8080/moved/cis/oidc/token"


def test_the_mock_hands_out_the_moved_token_url_and_answers_it(tmp_path: Path) -> None:
    config = ServeConfig(apis=(SpecSource.of("svx"),
                               SpecSource.of("transmit", (moved_transmit(tmp_path),))))
    app = create_app(config)
    assert "(POST /moved/cis/oidc/token)" in banner(app)
    with TestClient(app) as client:
        exported = client.get("/__mock/personas").json()["personas"]["management-app"]
        creds = exported["client_credentials"]
        assert creds["token_url"].endswith("/moved/cis/oidc/token")
        issued = client.post(creds["token_url"], data={
            "grant_type": "client_credentials", "client_id": creds["client_id"],
            "client_secret": creds["client_secret"]})
        assert issued.status_code == 200, issued.text
        listed = client.get("/moved/cis/v1/organizations", headers={
            "Authorization": f"Bearer {issued.json()['access_token']}"})
        assert listed.status_code == 200, listed.text
