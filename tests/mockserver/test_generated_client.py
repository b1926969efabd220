"""A real client generator (openapi-python-client) reads the documents the mock serves, and the
clients it writes call a live mock: typed models, typed errors, the documented token endpoint."""

from __future__ import annotations

import importlib
import importlib.util
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from orgkit_fixtures import persona_token

from mockserver.config import ServeConfig
from tests.mockserver.livemock import free_port, serving
from tests.mockserver.mocksupport import DATASET, PERSONAS, TENANT_A

PORTS = range(9420, 9440)  # this suite's share of the project's test ports
GENERATOR = Path(sys.executable).with_name("openapi-python-client")


def generate(document_url: str, package: str, out: Path) -> ModuleType:
    """Generate a client package from a served document and import it."""
    spec = out / f"{package}.json"
    spec.write_bytes(httpx.get(document_url, timeout=30).content)
    config = out / "generator.yaml"
    config.write_text(f"package_name_override: {package}\npost_hooks: []\n")
    done = subprocess.run(
        [str(GENERATOR), "generate", "--path", str(spec), "--config", str(config),
         "--meta", "none", "--output-path", str(out / package)],
        capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Warning" not in done.stdout + done.stderr, done.stdout + done.stderr
    return import_folder(out / package)


def import_folder(folder: Path) -> ModuleType:
    """Import a generated package from its folder by location (the folder is no import root)."""
    spec = importlib.util.spec_from_file_location(
        folder.name, folder / "__init__.py", submodule_search_locations=[str(folder)])
    assert spec is not None and spec.loader is not None, folder
    module = importlib.util.module_from_spec(spec)
    sys.modules[folder.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A mock on a real socket, and a folder for the generated packages."""
    out = tmp_path_factory.mktemp("clients")
    try:
        with serving(ServeConfig(port=free_port(PORTS), quiet=True)) as base_url:
            yield base_url, out
    finally:
        for name in [m for m in sys.modules if m.split(".")[0] in ("svx_gen", "cis_gen")]:
            del sys.modules[name]


def call(module: ModuleType, name: str, **kwargs: Any) -> Any:
    """sync_detailed of one generated operation module, e.g. call(svx, 'organisations.get_org')."""
    operation = importlib.import_module(f"{module.__name__}.api.{name}")
    return operation.sync_detailed(**kwargs)


def test_a_generated_svx_client_lists_creates_and_reads_orgs(live: tuple[str, Path]) -> None:
    base_url, out = live
    svx = generate(f"{base_url}/svx/openapi.json", "svx_gen", out)
    models = importlib.import_module("svx_gen.models")
    token = persona_token(DATASET, "tenant-admin")
    client = svx.AuthenticatedClient(base_url=f"{base_url}/svx", token=token)

    before = call(svx, "organisations.list_tenant_orgs", tenant_id=TENANT_A, client=client,
                  per_page=100)
    assert before.status_code == 200 and isinstance(before.parsed.orgs[0], models.Org)
    created = call(svx, "organisations.create_org", tenant_id=TENANT_A, client=client,
                   body=models.OrgInput(name="Generated Client Ltd"))
    assert created.status_code == 201, created.content
    org = created.parsed.org
    assert isinstance(org, models.Org) and org.name == "Generated Client Ltd"
    got = call(svx, "organisations.get_org", org_id=org.id, client=client)
    assert got.status_code == 200 and got.parsed.org.id == org.id

    stranger = svx.AuthenticatedClient(base_url=f"{base_url}/svx",
                                       token=persona_token(DATASET, "no-rights"))
    refused = call(svx, "organisations.get_org", org_id=org.id, client=stranger)
    assert refused.status_code == 403 and isinstance(refused.parsed, models.Error)
    assert refused.parsed.http_code == 403
    anonymous = call(svx, "organisations.get_org", org_id=org.id,
                     client=svx.Client(base_url=f"{base_url}/svx"))
    assert anonymous.status_code == 401 and isinstance(anonymous.parsed, models.Error)


def test_a_generated_transmit_client_gets_a_token_and_manages_organizations(
        live: tuple[str, Path]) -> None:
    base_url, out = live
    cis = generate(f"{base_url}/cis/openapi.json", "cis_gen", out)
    models = importlib.import_module("cis_gen.models")
    app = PERSONAS["management-app"]
    answer = call(cis, "access_tokens_mock.get_access_token",
                  client=cis.Client(base_url=f"{base_url}/cis"),
                  body=models.OrgkitTokenRequest(client_id=app["client_id"],
                                                 client_secret=app["client_secret"]))
    assert answer.status_code == 200 and isinstance(answer.parsed, models.OrgkitTokenResponse)
    client = cis.AuthenticatedClient(base_url=f"{base_url}/cis",
                                     token=answer.parsed.access_token)

    created = call(cis, "default.create_organization", client=client,
                   body=models.ApiCreateOrganizationInput(
                       name="Generated Client Inc", domain="generated.example",
                       domains=["generated.example"], app_ids=[]))
    assert created.status_code == 201, created.content
    organization_id = created.parsed.result.organization_id
    got = call(cis, "default.get_organization", organization_id=organization_id, client=client)
    assert got.status_code == 200 and got.parsed.result.name == "Generated Client Inc"
    listed = call(cis, "default.get_all_organizations", client=client)
    assert organization_id in {o.organization_id for o in listed.parsed.result}

    wrong = call(cis, "access_tokens_mock.get_access_token",
                 client=cis.Client(base_url=f"{base_url}/cis"),
                 body=models.OrgkitTokenRequest(client_id=app["client_id"],
                                                client_secret="not-the-secret"))
    assert wrong.status_code == 401 and isinstance(wrong.parsed, models.OrgkitTokenError)
