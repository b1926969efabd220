"""Rights, driven by the specs' x-orgkit-rights rules: every operation × every persona.

The oracle is `orgkit.rights.authorize` applied to what each persona holds in the fixtures data
set (`fixtures.personas.svx_rights_of`, the Transmit clients' kind and permissions), never the
mock's own answer. An allowed persona must get neither 401 nor 403; a persona the oracle refuses
must get 403 in the API's error shape. Every operation has a valid request below, built on the
default data set, with fresh disposable resources for the ones that destroy or change state.
"""

from __future__ import annotations

import base64
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest
from orgkit_fixtures.personas import svx_rights_of

from orgkit.errors import Forbidden
from orgkit.model import Operation
from orgkit.rights import Caller, Grants, authorize
from orgkit.rightsrules import RightsMode, ScopeRef, SourceKind
from orgkit.specs import load_api
from tests.mockserver.mocksupport import (
    DATASET,
    GLOBAL_ADMIN,
    ORG_A1,
    ORG_ADMIN,
    ORG_X,
    PERSONAS,
    SVX_PERSONAS,
    TENANT_A,
    TENANT_ADMIN,
    TRANSMIT_PERSONAS,
    Api,
    expect,
    expect_error,
    svx_items,
    transmit_items,
)


@dataclass(frozen=True)
class Call:
    """A valid request for one operation."""

    path: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    json: Any = None
    files: Mapping[str, tuple[str, bytes, str]] | None = None

    def url(self, mount: str, op: Operation) -> str:
        """The request URL of the operation with this call's path values."""
        return mount + re.sub(r"\{([^}]+)\}", lambda m: self.path[m.group(1)], op.path)


Builder = Callable[[Api], Call]
A1_HEADER = {"Meeco-Organisation-Id": ORG_A1}
AGENT_A1 = svx_items("application_agents", org_id=ORG_A1)[0]
DEPLOYMENT_A1 = svx_items("deployments", org_id=ORG_A1)[0]
GLOBAL_INVITATION = next(i for i in svx_items("invitations", context="global")
                         if i["status"] == "pending")
LOGO_ORG = next(o for o in svx_items("orgs") if o.get("logo_url"))
LOGO_TENANT = next(t for t in svx_items("tenants") if t.get("logo_url"))
ORG_ADMIN_A1 = svx_items("org_admins", org_id=ORG_A1, id=ORG_ADMIN)[0]
TENANT_ADMIN_A = svx_items("tenant_admins", tenant_id=TENANT_A, id=TENANT_ADMIN)[0]
GLOBAL_RECORD = svx_items("global_admins", id=GLOBAL_ADMIN)[0]
BLOB = DATASET["svx"]["blobs"][0]
APP = transmit_items("apps")[0]["app_id"]
X_NAME = transmit_items("organizations", organization_id=ORG_X)[0]["name"]
X_RECORD = transmit_items("organizations", organization_id=ORG_X)[0]
GROUPS = [g["group_id"] for g in transmit_items("role_groups", app_id=APP)][:1]
ROLES = [r["role_id"] for r in transmit_items("roles", app_id=APP)][:1]


def fresh_user() -> str:
    """An id nobody holds anything with."""
    return str(uuid.uuid4())


def svx_clone(api: Api, collection: str, template: Mapping[str, Any], **changes: Any) -> str:
    """A disposable SVX item; its id."""
    item = api.clone("svx", collection, template, **changes)
    return str(item[api.svx[collection].key_fields[-1]])


def org_in_a(api: Api, **changes: Any) -> str:
    return svx_clone(api, "orgs", svx_items("orgs", id=ORG_A1)[0], name="Disposable org",
                     **changes)


def tenant(api: Api, **changes: Any) -> str:
    return svx_clone(api, "tenants", svx_items("tenants", id=TENANT_A)[0],
                     name="Disposable tenant", **changes)


def org_admin_in_a1(api: Api, **changes: Any) -> str:
    return svx_clone(api, "org_admins", ORG_ADMIN_A1, email="d@example.com", **changes)


def tenant_admin_in_a(api: Api, **changes: Any) -> str:
    return svx_clone(api, "tenant_admins", TENANT_ADMIN_A, email="d@example.com", **changes)


def global_admin(api: Api, **changes: Any) -> str:
    return svx_clone(api, "global_admins", GLOBAL_RECORD, email="d@example.com", **changes)


def blob(api: Api, *, uploaded: bool = False, confirmed: bool = False) -> str:
    extra: dict[str, Any] = {"owner_id": GLOBAL_ADMIN, "confirmed": confirmed}
    if uploaded or confirmed:
        extra["_content"] = base64.b64encode(b"bytes").decode()
    return svx_clone(api, "blobs", BLOB, **extra)


ARCHIVED = {"status": "archived", "archived_at": "2026-03-01T00:00:00Z"}
OTHER_ORG = {"name": "Disposable", "domain": "d.example", "domains": ["d.example"]}

SVX_CALLS: dict[str, Builder] = {
    "listApplicationAgents": lambda api: Call(headers=A1_HEADER),
    "createApplicationAgent": lambda api: Call(headers=A1_HEADER,
                                               json={"application": {"name": "Agent"}}),
    "getApplicationAgent": lambda api: Call({"id": AGENT_A1["id"]}, headers=A1_HEADER),
    "updateApplicationAgent": lambda api: Call({"id": AGENT_A1["id"]}, headers=A1_HEADER,
                                               json={"application": {"name": "Renamed"}}),
    "deleteApplicationAgent": lambda api: Call(
        {"id": svx_clone(api, "application_agents", AGENT_A1)}, headers=A1_HEADER),
    "deleteOrg": lambda api: Call({"org_id": org_in_a(api)}),
    "getOrg": lambda api: Call({"org_id": ORG_A1}),
    "updateOrg": lambda api: Call({"org_id": ORG_A1}, json={"name": "Renamed"}),
    "listOrgAdmins": lambda api: Call({"org_id": ORG_A1}),
    "removeOrgAdmin": lambda api: Call({"org_id": ORG_A1, "org_admin_id": org_admin_in_a1(api)}),
    "getOrgAdmin": lambda api: Call({"org_id": ORG_A1, "org_admin_id": ORG_ADMIN}),
    "archiveOrgAdmin": lambda api: Call({"org_id": ORG_A1,
                                         "org_admin_id": org_admin_in_a1(api)}),
    "restoreOrgAdmin": lambda api: Call({"org_id": ORG_A1,
                                         "org_admin_id": org_admin_in_a1(api, **ARCHIVED)}),
    "listOrgAdminSecurityRights": lambda api: Call({"org_id": ORG_A1,
                                                    "org_admin_id": ORG_ADMIN}),
    "assignOrgAdminSecurityRights": lambda api: Call(
        {"org_id": ORG_A1, "org_admin_id": fresh_user()},
        json={"security_rights": ["atom:org:view_org"]}),
    "archiveOrg": lambda api: Call({"org_id": org_in_a(api)}),
    "restoreOrg": lambda api: Call({"org_id": org_in_a(api, **ARCHIVED)}),
    "addOrgSecurityRights": lambda api: Call({"org_id": org_in_a(api)},
                                             json={"security_rights": ["atom:org:view_org"]}),
    "removeOrgSecurityRights": lambda api: Call({"org_id": org_in_a(api),
                                                 "security_rights": "atom:org:view_org"}),
    "listTenantOrgs": lambda api: Call({"tenant_id": TENANT_A}),
    "createOrg": lambda api: Call({"tenant_id": TENANT_A}, json={"name": "New org"}),
    "listVisibleOrgs": lambda api: Call(),
    "getVersion": lambda api: Call(),
    "getAtomVersion": lambda api: Call(),
    "getUtilitiesVersion": lambda api: Call(),
    "alivePlatform": lambda api: Call(),
    "createBlob": lambda api: Call(query={"storage_name": "default"},
                                   json={"filename": "a.txt", "content_type": "text/plain"}),
    "redirectToBlob": lambda api: Call({"id": blob(api, confirmed=True)}),
    "confirmBlob": lambda api: Call({"id": blob(api, uploaded=True)}),
    "getBlob": lambda api: Call({"id": blob(api)}),
    "getPublicBlob": lambda api: Call({"id": blob(api)}),
    "listDeployments": lambda api: Call({"org_id": ORG_A1}),
    "createDeployment": lambda api: Call({"org_id": ORG_A1}, json={"description": "new"}),
    "deleteDeployment": lambda api: Call({"id": svx_clone(
        api, "deployments", DEPLOYMENT_A1, instance_id=f"dspsb-{uuid.uuid4().hex[:5]}")}),
    "getDeployment": lambda api: Call({"id": DEPLOYMENT_A1["instance_id"]}),
    "redirectToOrgLogo": lambda api: Call({"org_id": LOGO_ORG["id"]}),
    "redirectToTenantLogo": lambda api: Call({"tenant_id": LOGO_TENANT["id"]}),
    "listGlobalAdmins": lambda api: Call(),
    "removeGlobalAdmin": lambda api: Call({"id": global_admin(api)}),
    "getGlobalAdmin": lambda api: Call({"id": GLOBAL_ADMIN}),
    "archiveGlobalAdmin": lambda api: Call({"id": global_admin(api)}),
    "restoreGlobalAdmin": lambda api: Call({"id": global_admin(api, **ARCHIVED)}),
    "assignGlobalSecurityRights": lambda api: Call(
        {"id": fresh_user()}, json={"security_rights": ["atom:global:view_all_tenants"]}),
    "removeGlobalSecurityRights": lambda api: Call({"id": global_admin(api),
                                                    "security_rights":
                                                        "atom:global:view_all_tenants"}),
    "getMySecurityRights": lambda api: Call(),
    "listSecurityRights": lambda api: Call(),
    "listTenants": lambda api: Call(),
    "createTenant": lambda api: Call(json={"name": "New tenant"}),
    "deleteTenant": lambda api: Call({"tenant_id": tenant(api)}),
    "getTenant": lambda api: Call({"tenant_id": TENANT_A}),
    "updateTenant": lambda api: Call({"tenant_id": TENANT_A}, json={"name": "Renamed"}),
    "listTenantAdmins": lambda api: Call({"tenant_id": TENANT_A}),
    "removeTenantAdmin": lambda api: Call({"tenant_id": TENANT_A,
                                           "tenant_admin_id": tenant_admin_in_a(api)}),
    "getTenantAdmin": lambda api: Call({"tenant_id": TENANT_A, "tenant_admin_id": TENANT_ADMIN}),
    "archiveTenantAdmin": lambda api: Call({"tenant_id": TENANT_A,
                                            "tenant_admin_id": tenant_admin_in_a(api)}),
    "restoreTenantAdmin": lambda api: Call(
        {"tenant_id": TENANT_A, "tenant_admin_id": tenant_admin_in_a(api, **ARCHIVED)}),
    "assignTenantAdminSecurityRights": lambda api: Call(
        {"tenant_id": TENANT_A, "tenant_admin_id": fresh_user()},
        json={"security_rights": ["atom:tenant:view_tenant"]}),
    "archiveTenant": lambda api: Call({"tenant_id": tenant(api)}),
    "restoreTenant": lambda api: Call({"tenant_id": tenant(api, **ARCHIVED)}),
    "addTenantSecurityRights": lambda api: Call(
        {"tenant_id": tenant(api)}, json={"security_rights": ["svx:tenant:manage_branding"]}),
    "removeTenantSecurityRights": lambda api: Call({"tenant_id": tenant(api),
                                                    "security_rights": "atom:tenant:view_tenant"}),
    "listMyOrgs": lambda api: Call(),
    "listInvitations": lambda api: Call(),
    "createInvitation": lambda api: Call(json={"invitation": {"email": "new@example.com"}}),
    "deleteInvitation": lambda api: Call({"id": svx_clone(api, "invitations",
                                                          GLOBAL_INVITATION)}),
    "getInvitation": lambda api: Call({"id": GLOBAL_INVITATION["id"]}),
    "resendInvitation": lambda api: Call({"id": svx_clone(api, "invitations",
                                                          GLOBAL_INVITATION)}),
    "updateMe": lambda api: Call(json={"user": {"given_name": "Renamed"}}),
    "getMe": lambda api: Call(),
    "changeMyPassword": lambda api: Call(json={"user": {"current_password": "first-password",
                                                        "new_password": "second-password"}}),
}


def transmit_org(api: Api) -> str:
    return str(api.clone("transmit", "organizations", X_RECORD, name=f"D {uuid.uuid4().hex}",
                         managed_organizations_by_app={})["organization_id"])


TRANSMIT_CALLS: dict[str, Builder] = {
    "getAllOrganizations": lambda api: Call(),
    "createOrganization": lambda api: Call(json={**OTHER_ORG, "name": "Brand new",
                                                 "app_ids": [APP]}),
    "getOrganization": lambda api: Call({"organization_id": ORG_X}),
    "updateOrganization": lambda api: Call({"organization_id": ORG_X}, json={"enabled": True}),
    "deleteOrganization": lambda api: Call({"organization_id": transmit_org(api)}),
    "getOrganizationByName": lambda api: Call({"organization_name": X_NAME}),
    "addAppsToOrganization": lambda api: Call({"organization_id": ORG_X},
                                              json={"app_ids": [APP]}),
    "removeAppsFromOrganization": lambda api: Call({"organization_id": transmit_org(api)},
                                                   json={"app_ids": [APP]}),
    "uploadLogo": lambda api: Call({"organization_id": ORG_X},
                                   files={"logo": ("logo.png", b"\x89PNG", "image/png")}),
    "createManagedOrganization": lambda api: Call({"organization_id": ORG_X, "app_id": APP},
                                                  json=OTHER_ORG),
    "setAssignedRoleGroups": lambda api: Call({"organization_id": ORG_X, "app_id": APP},
                                              json={"role_group_ids": GROUPS}),
    "getAssignedRoleGroups": lambda api: Call({"organization_id": ORG_X, "app_id": APP}),
    "setAssignedRolesAndGroups": lambda api: Call({"organization_id": ORG_X, "app_id": APP},
                                                  json={"role_group_ids": GROUPS,
                                                        "role_ids": ROLES}),
    "getAssignedRolesAndGroups": lambda api: Call({"organization_id": ORG_X, "app_id": APP}),
}

APIS = {"svx": (SVX_CALLS, SVX_PERSONAS), "transmit": (TRANSMIT_CALLS, TRANSMIT_PERSONAS)}


def caller_of(persona: str) -> Caller:
    """What a persona holds according to the fixtures data set."""
    entry = PERSONAS[persona]
    if entry["api"] == "transmit":
        return Caller(entry["client_id"], token_kind=entry["kind"], org=entry["organization_id"],
                      grants=Grants(permissions=frozenset(entry["permissions"])))
    held = svx_rights_of(DATASET, entry["sub"])
    return Caller(entry["sub"], entry.get("tid"), grants=Grants(
        frozenset(held["global"]),
        {t: frozenset(r) for t, r in held["tenants"].items()},
        {o: frozenset(r) for o, r in held["orgs"].items()}))


def resolver(api: Api, op: Operation, call: Call, caller: Caller) -> Callable[[ScopeRef],
                                                                              str | None]:
    """Where each scope reference of a rule points for this call (read from the arranged data)."""

    def resolve(ref: ScopeRef) -> str | None:
        if ref.kind is SourceKind.PATH:
            return call.path.get(ref.name)
        if ref.kind is SourceKind.QUERY:
            return call.query.get(ref.name)
        if ref.kind is SourceKind.HEADER:
            return next((v for k, v in call.headers.items() if k.lower() == ref.name.lower()),
                        None)
        if ref.kind is SourceKind.JWT:
            return caller.tenant
        if ref.kind is SourceKind.PARENT_TENANT_OF and ref.inner is not None:
            org = api.svx["orgs"].get((resolve(ref.inner) or "",))
            return None if org is None else str(org["tenant_id"])
        if ref.kind is SourceKind.ITEM:
            assert op.resource is not None and op.resource.id_ref is not None
            store = api.app.mock.runtimes[op.api].store[op.resource.collection]
            item = store.get((call.path[op.resource.id_ref.name],))
            return None if item is None else str(item.get(ref.name))
        raise AssertionError(f"unknown scope reference {ref}")

    return resolve


def oracle(api: Api, op: Operation, call: Call, persona: str) -> bool:
    """Whether the spec's rule lets the persona perform the call."""
    if op.rights.mode is RightsMode.PUBLIC:
        return True
    caller = caller_of(persona)
    try:
        authorize(op.rights, caller, resolver(api, op, call, caller))
    except Forbidden:
        return False
    return True


def send(api: Api, op: Operation, call: Call, persona: str) -> Any:
    """The call, sent as the persona."""
    mount = load_api(op.api).model.mount
    return api.call(op.method, call.url(mount, op), as_=persona, headers=call.headers,
                    params=call.query, json=call.json, files=call.files, follow_redirects=False)


CASES = [(name, op_id, persona) for name, (calls, personas) in APIS.items()
         for op_id in calls for persona in personas]


@pytest.mark.parametrize(("api_name", "op_id", "persona"), CASES,
                         ids=[f"{o}-{p}" for _, o, p in CASES])
def test_rights_follow_the_spec(api: Api, api_name: str, op_id: str, persona: str) -> None:
    op = load_api(api_name).model.operation(op_id)
    call = APIS[api_name][0][op_id](api)
    allowed = oracle(api, op, call, persona)
    response = send(api, op, call, persona)
    if allowed:
        assert response.status_code not in (401, 403), (
            f"{persona} may {op_id} by the spec, got {response.status_code}: {response.text}")
        assert response.status_code < 500
    else:
        expect_error(response, 403)


OPS = [(name, op_id) for name, (calls, _) in APIS.items() for op_id in calls]


@pytest.mark.parametrize(("api_name", "op_id"), OPS, ids=[o for _, o in OPS])
def test_the_first_allowed_persona_succeeds(api: Api, api_name: str, op_id: str) -> None:
    op = load_api(api_name).model.operation(op_id)
    calls, personas = APIS[api_name]
    call = calls[op_id](api)
    persona = next(p for p in personas if oracle(api, op, call, p))
    expect(send(api, op, call, persona))


@pytest.mark.parametrize("api_name", list(APIS))
def test_every_operation_has_a_call_and_the_matrix_can_refuse(api: Api, api_name: str) -> None:
    calls, personas = APIS[api_name]
    model = load_api(api_name).model
    assert set(calls) == {op.operation_id for op in model.operations}
    for op in model.operations:
        verdicts = {oracle(api, op, calls[op.operation_id](api), p) for p in personas}
        assert True in verdicts, f"nobody may {op.operation_id}"
        if op.rights.can_forbid:
            assert False in verdicts, f"no persona is refused {op.operation_id}"
