"""The third API (examples/workspaces): served, rights and all, and certified by the contract
suite from its OpenAPI document and data set alone; there is no Python for it anywhere."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from orgkit_fixtures import load, persona_token
from starlette.testclient import TestClient

from contract_tests.config import ContractConfig
from contract_tests.runner import run_contract
from mockserver.app import MockApp, create_app
from mockserver.config import ServeConfig
from mockserver.mock import PLUGINS
from orgkit.specs import SpecSource, load_spec
from orgkit.tokens import KeyRing
from orgkit_cli.cli import main
from tests.contract_tests.asgi_live import personas_file, serving

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "workspaces"
SPEC, DATA = EXAMPLE / "openapi.yaml", EXAMPLE / "data.yaml"
DATASET = load(DATA)
PERSONAS = DATASET["personas"]
WS_A = PERSONAS["workspace-owner"]["tenant_id"]
WS_B = PERSONAS["other-workspace-owner"]["tenant_id"]
PROJECT_A1 = PERSONAS["project-maintainer"]["org_id"]
PROJECT_B1 = PERSONAS["other-workspace-owner"]["org_id"]
MAINTAINER = PERSONAS["project-maintainer"]["sub"]
# A project of workspace A the maintainer has no role in.
PROJECT_UNJOINED = next(p["id"] for p in DATASET["workspaces"]["projects"]
                  if p["workspace_id"] == WS_A and not any(
                      m["project_id"] == p["id"] and m["user_id"] == MAINTAINER
                      for m in DATASET["workspaces"]["project_members"]))
OUTSIDER = PERSONAS["outsider"]["sub"]
A_PROJECTS = {p["id"] for p in DATASET["workspaces"]["projects"] if p["workspace_id"] == WS_A}


@pytest.fixture(scope="module")
def app() -> MockApp:
    """The mock serving only the example, with the example's data set."""
    return create_app(ServeConfig(apis=(SpecSource.of(SPEC),), fixtures=DATA))


@pytest.fixture(scope="module")
def client(app: MockApp) -> Iterator[TestClient]:
    """An in-process client of the module's mock."""
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(autouse=True)
def fresh_state(app: MockApp) -> None:
    """Every test starts from the example's data set."""
    app.mock.reset()


def call(client: TestClient, app: MockApp, who: str | None, method: str, path: str,
         body: Any = None, **params: Any) -> Any:
    """A request to the example's mount as a persona (None: no token)."""
    headers = {} if who is None else {
        "Authorization": f"Bearer {persona_token(DATASET, who, app.mock.keyring)}"}
    return client.request(method, "/hub" + path, headers=headers, json=body, params=params)


def test_the_example_has_no_python_of_its_own() -> None:
    assert SPEC.is_file() and DATA.is_file()
    assert not list(EXAMPLE.rglob("*.py"))


def test_no_plugin_is_registered_for_it(app: MockApp) -> None:
    name = load_spec(SpecSource.of(SPEC)).model.name
    assert name == "workspaces" and name in app.mock.runtimes
    assert name not in PLUGINS
    assert app.mock.runtimes[name].plugin not in PLUGINS.values()


RIGHTS = [
    ("anonymous", None, "GET", f"/workspaces/{WS_A}", None, 401),
    ("outsider-reads-workspace", "outsider", "GET", f"/workspaces/{WS_A}", None, 403),
    ("outsider-lists-users", "outsider", "GET", "/users", None, 200),
    ("viewer-reads-workspace", "workspace-viewer", "GET", f"/workspaces/{WS_A}", None, 200),
    ("viewer-changes-workspace", "workspace-viewer", "PATCH", f"/workspaces/{WS_A}",
     {"description": "x"}, 403),
    ("viewer-service-accounts", "workspace-viewer", "GET",
     f"/workspaces/{WS_A}/service_accounts", None, 403),
    ("owner-changes-workspace", "workspace-owner", "PATCH", f"/workspaces/{WS_A}",
     {"description": "x"}, 200),
    ("owner-lists-all-workspaces", "workspace-owner", "GET", "/workspaces", None, 403),
    ("owner-creates-workspace", "workspace-owner", "POST", "/workspaces", {"name": "N"}, 403),
    ("platform-lists-workspaces", "platform-admin", "GET", "/workspaces", None, 200),
    ("platform-creates-workspace", "platform-admin", "POST", "/workspaces", {"name": "N"}, 201),
    ("maintainer-reads-workspace", "project-maintainer", "GET", f"/workspaces/{WS_A}", None,
     403),
    ("maintainer-reads-project", "project-maintainer", "GET",
     f"/workspaces/{WS_A}/projects/{PROJECT_A1}", None, 200),
    ("maintainer-changes-project", "project-maintainer", "PATCH",
     f"/workspaces/{WS_A}/projects/{PROJECT_A1}", {"name": "Renamed"}, 200),
    ("maintainer-other-project", "project-maintainer", "GET",
     f"/workspaces/{WS_A}/projects/{PROJECT_UNJOINED}", None, 403),
    ("cross-workspace-read", "other-workspace-owner", "GET", f"/workspaces/{WS_A}", None, 403),
    ("cross-workspace-list", "other-workspace-owner", "GET", f"/workspaces/{WS_A}/projects",
     None, 403),
    ("cross-workspace-create", "other-workspace-owner", "POST",
     f"/workspaces/{WS_A}/projects", {"name": "Mine"}, 403),
    ("owner-reads-other-workspace", "workspace-owner", "GET", f"/workspaces/{WS_B}", None, 403),
    ("other-project-under-mine", "workspace-owner", "GET",
     f"/workspaces/{WS_A}/projects/{PROJECT_B1}", None, 404),
]


@pytest.mark.parametrize(("who", "method", "path", "body", "status"),
                         [r[1:] for r in RIGHTS], ids=[r[0] for r in RIGHTS])
def test_rights_are_enforced(client: TestClient, app: MockApp, who: str | None, method: str,
                             path: str, body: Any, status: int) -> None:
    answer = call(client, app, who, method, path, body)
    assert answer.status_code == status, answer.text
    if status >= 400:
        assert answer.json()["status"] == status and answer.json()["error"]["code"]


@pytest.mark.parametrize("claims", [{"sub": "10000000-0000-4000-8000-00000000ffff"},
                                    {"sub": OUTSIDER, "token_kind": "admin"}],
                         ids=["unknown-user", "another-apis-token"])
def test_tokens_that_name_no_user_of_this_api_are_refused(client: TestClient, app: MockApp,
                                                          claims: dict[str, Any]) -> None:
    token = KeyRing(app.mock.config.tokens).mint(claims)
    answer = client.get("/hub/users", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401 and answer.json()["status"] == 401


def test_rights_follow_memberships(client: TestClient, app: MockApp) -> None:
    path = f"/workspaces/{WS_A}"
    assert call(client, app, "outsider", "GET", path).status_code == 403
    added = call(client, app, "workspace-owner", "POST", f"{path}/members",
                 {"user_id": OUTSIDER, "role": "viewer"})
    assert added.status_code == 201, added.text
    assert call(client, app, "outsider", "GET", path).status_code == 200
    assert call(client, app, "outsider", "PATCH", path, {"name": "x"}).status_code == 403
    removed = call(client, app, "workspace-owner", "DELETE", f"{path}/members/{OUTSIDER}")
    assert removed.status_code == 204
    assert call(client, app, "outsider", "GET", path).status_code == 403


def test_a_created_workspace_is_listed(client: TestClient, app: MockApp) -> None:
    made = call(client, app, "platform-admin", "POST", "/workspaces", {"name": "Fresh"}).json()
    listed = call(client, app, "platform-admin", "GET", "/workspaces", q="Fresh").json()
    assert [w["id"] for w in listed["data"]] == [made["id"]]


@pytest.mark.parametrize("size", [2, 3, 100], ids=["two", "three", "all"])
def test_pages_cover_the_list_once(client: TestClient, app: MockApp, size: int) -> None:
    path, seen, page = f"/workspaces/{WS_A}/projects", [], 1
    while True:
        body = call(client, app, "workspace-viewer", "GET", path, page=page,
                    page_size=size).json()
        assert body["pagination"]["total_count"] == len(A_PROJECTS)
        seen += [p["id"] for p in body["data"]]
        if page >= body["pagination"]["total_pages"]:
            break
        page += 1
    assert len(seen) == len(set(seen)) and set(seen) == A_PROJECTS


def test_cursors_cover_the_list_once(client: TestClient, app: MockApp) -> None:
    path, seen, cursor = f"/workspaces/{WS_A}/projects", [], None
    for _ in range(len(A_PROJECTS)):
        params = {"page_size": 2, **({"cursor": cursor} if cursor else {})}
        body = call(client, app, "workspace-viewer", "GET", path, **params).json()
        seen += [p["id"] for p in body["data"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) and set(seen) == A_PROJECTS


@pytest.mark.parametrize("params", [{"page_size": 101}, {"page": 0},
                                    {"page": 1, "cursor": "x"}, {"cursor": "not-ours"}],
                         ids=["too-large", "page-zero", "both-styles", "foreign-cursor"])
def test_bad_paging_is_a_400_in_the_apis_envelope(client: TestClient, app: MockApp,
                                                  params: dict[str, Any]) -> None:
    answer = call(client, app, "workspace-viewer", "GET", f"/workspaces/{WS_A}/projects",
                  **params)
    assert answer.status_code == 400 and answer.json()["status"] == 400


def test_the_contract_suite_passes_it(tmp_path: Path) -> None:
    app = create_app(ServeConfig(apis=(SpecSource.of(SPEC),), fixtures=DATA))
    with serving(app) as origin:
        config = ContractConfig(api=str(SPEC), base_url=origin + "/hub",
                                personas=personas_file(origin, tmp_path),
                                report_dir=tmp_path / "reports", profile="quick")
        code = run_contract(config, out=(tmp_path / "out.txt").open("w"))
    summary = json.loads((tmp_path / "reports" / "summary.json").read_text())
    assert summary["failures"] == [] and code == 0, summary["failures"]
    assert summary["api"] == "workspaces" and summary["totals"]["fail"] == 0
    assert all(family["pass"] > 0 for family in summary["by_family"].values()), summary


def test_personas_export_reads_rights_by_the_documents_grants(tmp_path: Path) -> None:
    out = tmp_path / "personas.json"
    args = ["personas", "export", "--fixtures", str(DATA), "--out", str(out)]
    assert main([*args, "--spec", str(SPEC)]) == 0
    exported = json.loads(out.read_text())["personas"]
    assert exported["workspace-owner"]["rights"]["tenants"] == {WS_A: ["owner"]}
    assert exported["project-maintainer"]["rights"]["orgs"][PROJECT_A1] == ["maintainer"]
    assert exported["outsider"]["rights"] == {"global": [], "tenants": {}, "orgs": {}}
    assert main(args) == 2  # without the document, what they hold is unknown
