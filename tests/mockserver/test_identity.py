"""mockserver.identity: callers and rights from the declared x-orgkit.grants rule, no plugin."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockserver.engine import ApiPlugin, ApiRuntime
from mockserver.http import Request
from mockserver.mock import plugin_for
from mockserver.render import error_response
from mockserver.store import Collection
from orgkit.errors import DomainError, SpecError
from orgkit.specs import LoadedApi, load_api
from orgkit.tokens import KeyRing

# A workspace is this API's tenant, a project its org; rights live in memberships (tenant),
# project roles (org, one role per item) and the token's `scopes` claim (permissions).
SPEC = textwrap.dedent("""\
    openapi: 3.0.3
    info: {title: Workspaces, version: '1.0'}
    x-orgkit:
      api: workspaces
      mount: /ws
      auth: {kind: jwt, subject_claim: sub, tenant_claim: wid}
      default_error_shape: plain
      error_shapes:
        plain:
          schemas: {default: Err}
          templates: {default: {message: '{message}', status: '{status}'}}
      collections:
        accounts: {key: [id]}
        memberships: {key: [id], references: {workspace_id: workspaces}}
        project_roles: {key: [project_id, account_id]}
      grants:
        subject: {collection: accounts, field: id}
        token_kind_claim: kind
        token_kinds: [human, robot]
        org_claim: project
        sources:
          - {scope: tenant, collection: memberships, user_field: account_id,
             scope_field: workspace_id, rights_field: roles, where: {state: active}}
          - {scope: org, collection: project_roles, user_field: account_id,
             scope_field: project_id, rights_field: role}
          - {scope: permission, claim: scopes}
      scopes:
        org: {collection: projects, tenant_field: workspace_id}
    components:
      securitySchemes: {bearer: {type: http, scheme: bearer}}
      schemas:
        Err: {type: object}
        Thing: {type: object}
      responses:
        Thing:
          description: ok
          content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}
        Err:
          description: refused
          content: {application/json: {schema: {$ref: '#/components/schemas/Err'}}}
    security: [{bearer: []}]
    paths:
      /workspaces/{workspace_id}:
        get:
          operationId: getWorkspace
          parameters: [{name: workspace_id, in: path, required: true, schema: {type: string}}]
          responses: &answers
            '200': {$ref: '#/components/responses/Thing'}
            '401': {$ref: '#/components/responses/Err'}
            '403': {$ref: '#/components/responses/Err'}
            '404': {$ref: '#/components/responses/Err'}
          x-orgkit-rights:
            mode: any_of
            any_of: [{right: read, scope: tenant, from: 'path:workspace_id'}]
          x-orgkit-resource: {collection: workspaces, action: get, id: 'path:workspace_id'}
      /projects/{project_id}:
        get:
          operationId: getProject
          parameters: [{name: project_id, in: path, required: true, schema: {type: string}}]
          responses: *answers
          x-orgkit-rights:
            mode: any_of
            any_of:
              - {right: viewer, scope: org, from: 'path:project_id'}
              - {right: read, scope: tenant, from: 'parent-tenant-of:path:project_id'}
          x-orgkit-resource: {collection: projects, action: get, id: 'path:project_id'}
      /audit/{entry_id}:
        get:
          operationId: getAuditEntry
          parameters: [{name: entry_id, in: path, required: true, schema: {type: string}}]
          responses: *answers
          x-orgkit-rights:
            mode: any_of
            any_of: [{right: 'audit:read', scope: permission}]
          x-orgkit-resource: {collection: audit, action: get, id: 'path:entry_id'}
    """)

DATA: dict[str, list[dict[str, Any]]] = {
    "accounts": [{"id": a} for a in ("ana", "bo", "cy", "dee")],
    "workspaces": [{"id": "w1"}, {"id": "w2"}],
    "projects": [{"id": "p1", "workspace_id": "w1"}, {"id": "p2", "workspace_id": "w2"}],
    "memberships": [
        {"id": "m1", "account_id": "ana", "workspace_id": "w1", "roles": ["read"],
         "state": "active"},
        {"id": "m2", "account_id": "bo", "workspace_id": "w1", "roles": ["read"],
         "state": "suspended"},
    ],
    "project_roles": [{"project_id": "p2", "account_id": "cy", "role": "viewer"}],
    "audit": [{"id": "e1"}],
}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> LoadedApi:
    path = tmp_path_factory.mktemp("identity") / "workspaces.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return load_api(str(path))


@pytest.fixture(scope="module")
def keyring() -> KeyRing:
    return KeyRing()


@pytest.fixture
def runtime(loaded: LoadedApi, keyring: KeyRing) -> ApiRuntime:
    built = ApiRuntime(loaded, plugin_for(loaded.model.name), keyring, seed=1)
    built.store.reset(DATA)
    return built


def token(keyring: KeyRing, sub: str, **claims: Any) -> str:
    return "Bearer " + keyring.mint({"sub": sub, "kind": "human", **claims})


def call(runtime: ApiRuntime, op_id: str, authorization: str | None, **path: str) -> int:
    """The status an operation answers, authenticated as the gateway does."""
    op = runtime.model.operation(op_id)
    try:
        caller = runtime.authenticate(authorization)
        return runtime.run(Request(op, path, {}, {}, caller=caller)).status
    except DomainError as exc:
        return error_response(op.error_shape, exc).status


def test_an_api_without_a_plugin_gets_the_empty_generic_one() -> None:
    assert plugin_for("workspaces") == ApiPlugin()
    assert not plugin_for("workspaces").behaviours


CASES = [
    ("no-token", None, "getWorkspace", {"workspace_id": "w1"}, 401),
    ("unknown-subject", "zed", "getWorkspace", {"workspace_id": "w1"}, 401),
    ("tenant-member", "ana", "getWorkspace", {"workspace_id": "w1"}, 200),
    ("member-of-another-tenant", "ana", "getWorkspace", {"workspace_id": "w2"}, 403),
    ("suspended-member-filtered-by-where", "bo", "getWorkspace", {"workspace_id": "w1"}, 403),
    ("tenant-right-reaches-its-org", "ana", "getProject", {"project_id": "p1"}, 200),
    ("tenant-right-stops-at-other-orgs", "ana", "getProject", {"project_id": "p2"}, 403),
    ("org-right-from-a-single-role", "cy", "getProject", {"project_id": "p2"}, 200),
    ("org-right-is-not-a-tenant-right", "cy", "getWorkspace", {"workspace_id": "w2"}, 403),
    ("no-rights-at-all", "dee", "getProject", {"project_id": "p1"}, 403),
    ("permission-missing", "ana", "getAuditEntry", {"entry_id": "e1"}, 403),
]


@pytest.mark.parametrize(("sub", "op_id", "path", "status"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_declared_grants_are_enforced(runtime: ApiRuntime, keyring: KeyRing, sub: str | None,
                                      op_id: str, path: dict[str, str], status: int) -> None:
    authorization = None if sub is None else token(keyring, sub)
    assert call(runtime, op_id, authorization, **path) == status


def test_permissions_come_from_the_declared_claim(runtime: ApiRuntime, keyring: KeyRing) -> None:
    authorization = token(keyring, "dee", scopes=["audit:read"])
    assert call(runtime, "getAuditEntry", authorization, entry_id="e1") == 200
    caller = runtime.authenticate(authorization)
    assert caller.grants.permissions == {"audit:read"}
    assert caller.grants.global_rights == frozenset()


def test_the_caller_carries_the_declared_claims(runtime: ApiRuntime, keyring: KeyRing) -> None:
    caller = runtime.authenticate(token(keyring, "ana", kind="robot", wid="w1", project="p1"))
    assert (caller.subject, caller.token_kind, caller.tenant, caller.org) == (
        "ana", "robot", "w1", "p1")
    assert dict(caller.grants.tenant_rights) == {"w1": {"read"}}


@pytest.mark.parametrize(("claims", "fragment"), [
    ({"sub": "zed", "kind": "human"}, "names no item of accounts"),
    ({"sub": "ana", "kind": "alien"}, "'kind' claim is 'alien', expected human, robot"),
    ({"sub": "ana"}, "'kind' claim is None"),
], ids=["unknown-subject", "unaccepted-token-kind", "no-token-kind"])
def test_refused_claims_say_why(runtime: ApiRuntime, keyring: KeyRing, claims: dict[str, Any],
                                fragment: str) -> None:
    answer = error_response(runtime.model.operation("getWorkspace").error_shape,
                            _refusal(runtime, "Bearer " + keyring.mint(claims)))
    assert answer.status == 401
    assert fragment in answer.body["message"]


def _refusal(runtime: ApiRuntime, authorization: str) -> DomainError:
    with pytest.raises(DomainError) as info:
        runtime.authenticate(authorization)
    return info.value


def test_rights_are_read_live_not_copied_into_the_caller(runtime: ApiRuntime,
                                                         keyring: KeyRing) -> None:
    caller = runtime.authenticate(token(keyring, "dee"))
    assert caller.grants.tenant_rights.get("w2") is None
    runtime.store["memberships"].put({"id": "m9", "account_id": "dee", "workspace_id": "w2",
                                      "roles": ["read", "write"], "state": "active"})
    assert caller.grants.tenant_rights["w2"] == {"read", "write"}


@pytest.fixture
def scans(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Fails any full scan of a collection; records which collections were read by index."""
    indexed: list[str] = []
    original = Collection.sorted_entries

    def refuse(self: Collection) -> Any:
        raise AssertionError(f"{self.name} was scanned")

    def counted(self: Collection, partition: Any, order_field: str) -> Any:
        indexed.append(self.name)
        return original(self, partition, order_field)

    monkeypatch.setattr(Collection, "values", refuse)
    monkeypatch.setattr(Collection, "dump", refuse)
    monkeypatch.setattr(Collection, "sorted_entries", counted)
    yield indexed


def test_a_member_of_thousands_of_scopes_is_looked_up_per_scope(
        runtime: ApiRuntime, keyring: KeyRing, scans: list[str]) -> None:
    memberships, roles = runtime.store["memberships"], runtime.store["project_roles"]
    for n in range(3000):
        memberships.put({"id": f"x{n}", "account_id": "dee", "workspace_id": f"w{n}",
                         "roles": ["read"], "state": "active"})
        roles.put({"project_id": f"p{n}", "account_id": "dee", "role": "viewer"})
    grants = runtime.authenticate(token(keyring, "dee")).grants
    scans.clear()
    assert grants.tenant_rights["w1234"] == {"read"}
    assert grants.org_rights["p2345"] == {"viewer"}
    # memberships (keyed by id) through its maintained index; project_roles by its key alone
    assert scans == ["memberships"]


def test_an_unknown_behaviour_is_refused_when_the_runtime_is_built(
        tmp_path: Path, keyring: KeyRing) -> None:
    path = tmp_path / "odd.yaml"
    path.write_text(SPEC.replace("{collection: audit, action: get,",
                                 "{collection: audit, action: summon,"), encoding="utf-8")
    loaded = load_api(str(path))
    with pytest.raises(SpecError) as info:
        ApiRuntime(loaded, plugin_for(loaded.model.name), keyring, seed=1)
    assert (info.value.source, info.value.pointer) == (
        str(path), "/paths/~1audit~1{entry_id}/get/x-orgkit-resource/action")
    assert "'summon'" in info.value.problem


def test_a_rule_naming_an_undeclared_collection_is_refused_at_load(tmp_path: Path) -> None:
    path = tmp_path / "stray.yaml"
    path.write_text(SPEC.replace("collection: project_roles, user_field",
                                 "collection: roles, user_field"), encoding="utf-8")
    with pytest.raises(SpecError) as info:
        load_api(str(path))
    assert (info.value.source, info.value.pointer) == (
        str(path), "/x-orgkit/grants/sources/1/collection")


MEMBERSHIP = st.fixed_dictionaries({
    "account_id": st.sampled_from(["ana", "bo"]), "workspace_id": st.sampled_from(["w1", "w2"]),
    "roles": st.one_of(st.lists(st.sampled_from(["read", "write"]), max_size=2),
                       st.sampled_from(["read", "admin"])),
    "state": st.sampled_from(["active", "suspended"])})


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(MEMBERSHIP, max_size=6))
def test_lazy_rights_equal_the_whole_table(runtime: ApiRuntime,
                                           memberships: list[dict[str, Any]]) -> None:
    runtime.store.reset({**DATA, "memberships": [
        {"id": f"m{n}", **m} for n, m in enumerate(memberships)]})
    grants = runtime.identity.grants(runtime.store, "ana", {})
    table: dict[str, set[str]] = {}
    for m in memberships:
        if m["account_id"] == "ana" and m["state"] == "active":
            roles = m["roles"] if isinstance(m["roles"], list) else [m["roles"]]
            table.setdefault(m["workspace_id"], set()).update(roles)
    assert dict(grants.tenant_rights) == table
    assert all(grants.tenant_rights.get(w) == table.get(w) for w in ("w1", "w2", "w3"))


def test_a_token_carrying_the_org_claim_is_confined_when_no_kinds_are_declared(
        runtime: ApiRuntime, keyring: KeyRing) -> None:
    """The SPEC declares org_claim `project` and no confined_token_kinds."""
    confined = runtime.authenticate(token(keyring, "ana", project="p1"))
    free = runtime.authenticate(token(keyring, "ana"))
    assert (confined.confined, confined.org, free.confined, free.org) == (True, "p1", False, None)


@pytest.fixture(scope="module")
def uid_runtime(tmp_path_factory: pytest.TempPathFactory, keyring: KeyRing) -> ApiRuntime:
    """The same API, its tokens naming the user in `uid` instead of `sub`."""
    path = tmp_path_factory.mktemp("identity-uid") / "workspaces.yaml"
    path.write_text(SPEC.replace("subject_claim: sub", "subject_claim: uid"), encoding="utf-8")
    loaded = load_api(str(path))
    built = ApiRuntime(loaded, plugin_for(loaded.model.name), keyring, seed=1)
    built.store.reset(DATA)
    return built


@pytest.mark.parametrize(("claims", "status"), [
    ({"uid": "ana"}, 200),
    ({"sub": "ana"}, 401),
    ({"uid": ""}, 401),
    ({"uid": "ana", "sub": "zed"}, 200),
    ({"uid": "zed", "sub": "ana"}, 401),
], ids=["uid", "sub-only", "empty-uid", "uid-decides", "sub-ignored"])
def test_the_subject_is_read_from_the_declared_claim(
        uid_runtime: ApiRuntime, keyring: KeyRing, claims: dict[str, Any], status: int) -> None:
    authorization = "Bearer " + keyring.mint({"kind": "human", **claims})
    assert call(uid_runtime, "getWorkspace", authorization, workspace_id="w1") == status
