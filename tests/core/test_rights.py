"""orgkit.rights: authorize() per mode, token kinds, org confinement, visible(), an oracle."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orgkit.errors import Forbidden
from orgkit.rights import Caller, Grants, authorize, visible
from orgkit.rightsrules import RightsRule, ScopeRef
from orgkit.rules import Reader, parse_rights

# The request addresses org o1 of tenant t1 (o2 belongs to t2).
REQUEST = {
    "path:org_id": "o1",
    "parent-tenant-of:path:org_id": "t1",
    "path:tenant_id": "t1",
    "header:Meeco-Organisation-Id": "o1",
    "parent-tenant-of:header:Meeco-Organisation-Id": "t1",
    "path:organization_id": "A",
}


def resolver(table: Mapping[str, str | None]) -> Any:
    def resolve(ref: ScopeRef) -> str | None:
        return table.get(str(ref))

    return resolve


RESOLVE = resolver(REQUEST)
NOBODY = resolver({})


def rule(**raw: Any) -> RightsRule:
    return parse_rights(Reader("inline", raw, "/x-orgkit-rights"))


def caller(*, glob: tuple[str, ...] = (), tenant: dict[str, tuple[str, ...]] | None = None,
           org: dict[str, tuple[str, ...]] | None = None, perms: tuple[str, ...] = (),
           kind: str = "user", org_id: str | None = None) -> Caller:
    grants = Grants(
        global_rights=frozenset(glob),
        tenant_rights={k: frozenset(v) for k, v in (tenant or {}).items()},
        org_rights={k: frozenset(v) for k, v in (org or {}).items()},
        permissions=frozenset(perms),
    )
    # Transmit declares confined_token_kinds: [org_admin] (x-orgkit.grants).
    return Caller(subject="u1", token_kind=kind, org=org_id, grants=grants,
                  confined=kind == "org_admin")


# Like SVX getOrg.
VIEW_ORG = rule(mode="any_of", any_of=[
    {"right": "atom:global:view_all_orgs", "scope": "global"},
    {"right": "atom:tenant:view_tenant_orgs", "scope": "tenant",
     "from": "parent-tenant-of:path:org_id"},
    {"right": "atom:org:view_org", "scope": "org", "from": "path:org_id"},
])

ANY_OF = [
    ("org-right-on-this-org", caller(org={"o1": ("atom:org:view_org",)}), True),
    ("org-right-on-another-org", caller(org={"o2": ("atom:org:view_org",)}), False),
    ("tenant-right-on-parent", caller(tenant={"t1": ("atom:tenant:view_tenant_orgs",)}), True),
    ("tenant-right-cross-tenant", caller(tenant={"t2": ("atom:tenant:view_tenant_orgs",)}),
     False),
    ("global-right", caller(glob=("atom:global:view_all_orgs",)), True),
    ("tenant-right-name-held-as-org-right",
     caller(org={"o1": ("atom:tenant:view_tenant_orgs",)}), False),
    ("org-right-name-held-as-global", caller(glob=("atom:org:view_org",)), False),
    ("other-right-on-this-org", caller(org={"o1": ("atom:org:list_org_admins",)}), False),
    ("permission-is-not-a-right", caller(perms=("atom:org:view_org",)), False),
    ("nothing", caller(), False),
]


@pytest.mark.parametrize(("who", "allowed"), [c[1:] for c in ANY_OF], ids=[c[0] for c in ANY_OF])
def test_any_of(who: Caller, allowed: bool) -> None:
    if allowed:
        authorize(VIEW_ORG, who, RESOLVE)
    else:
        with pytest.raises(Forbidden):
            authorize(VIEW_ORG, who, RESOLVE)


def test_forbidden_message_names_the_required_rights_and_scopes() -> None:
    with pytest.raises(Forbidden) as info:
        authorize(VIEW_ORG, caller(org={"o2": ("atom:org:view_org",)}), RESOLVE)
    message = info.value.message
    assert "atom:global:view_all_orgs" in message
    assert "atom:tenant:view_tenant_orgs on tenant t1" in message
    assert "atom:org:view_org on org o1" in message


def test_unresolvable_scope_never_matches() -> None:
    # The right is held under the empty id; an unresolvable scope must not fall back to it.
    who = caller(org={"": ("atom:org:view_org",)}, tenant={"": ("atom:tenant:view_tenant_orgs",)})
    with pytest.raises(Forbidden):
        authorize(VIEW_ORG, who, NOBODY)


def test_permission_scope() -> None:
    perm = rule(mode="any_of", any_of=[{"right": "orgs:read", "scope": "permission"},
                                       {"right": "organizations:read", "scope": "permission"}])
    authorize(perm, caller(perms=("organizations:read",)), NOBODY)
    with pytest.raises(Forbidden, match="orgs:read, organizations:read"):
        authorize(perm, caller(perms=("orgs:edit",), glob=("orgs:read",)), NOBODY)


# Like SVX listDeployments / the application agents (header).
MEMBER = rule(mode="membership", any_of=[{"right": "*", "scope": "org", "from": "path:org_id"}])
MEMBER_HEADER = rule(mode="membership", any_of=[
    {"right": "*", "scope": "org", "from": "header:Meeco-Organisation-Id"}])

MEMBERSHIP = [
    ("org-right", MEMBER, caller(org={"o1": ("anything",)}), RESOLVE, True),
    ("org-right-via-header", MEMBER_HEADER, caller(org={"o1": ("x",)}), RESOLVE, True),
    ("parent-tenant-right", MEMBER, caller(tenant={"t1": ("anything",)}), RESOLVE, True),
    ("parent-tenant-right-via-header", MEMBER_HEADER, caller(tenant={"t1": ("y",)}), RESOLVE,
     True),
    ("global-right", MEMBER, caller(glob=("atom:global:anything",)), RESOLVE, True),
    ("global-right-unresolvable-org", MEMBER, caller(glob=("g",)), NOBODY, True),
    ("other-org", MEMBER, caller(org={"o2": ("anything",)}), RESOLVE, False),
    ("other-tenant", MEMBER, caller(tenant={"t2": ("anything",)}), RESOLVE, False),
    ("empty-right-set-on-org", MEMBER, caller(org={"o1": ()}), RESOLVE, False),
    ("permissions-only", MEMBER, caller(perms=("orgs:read",)), RESOLVE, False),
    ("unresolvable-org", MEMBER, caller(org={"": ("x",)}, tenant={"": ("x",)}), NOBODY, False),
    ("nothing", MEMBER, caller(), RESOLVE, False),
]


@pytest.mark.parametrize(("the_rule", "who", "resolve", "allowed"),
                         [c[1:] for c in MEMBERSHIP], ids=[c[0] for c in MEMBERSHIP])
def test_membership(the_rule: RightsRule, who: Caller, resolve: Any, allowed: bool) -> None:
    if allowed:
        authorize(the_rule, who, resolve)
    else:
        with pytest.raises(Forbidden, match="org o1|org None"):
            authorize(the_rule, who, resolve)


@pytest.mark.parametrize("mode", ["public", "authenticated", "owner"])
def test_modes_without_a_right_check_allow_anybody_authenticated(mode: str) -> None:
    authorize(rule(mode=mode), caller(), NOBODY)


# Like Transmit createManagedOrganization and getOrganization.
MANAGED = rule(
    mode="any_of",
    any_of=[{"right": "organizations:create", "scope": "permission"},
            {"right": "orgs:create", "scope": "permission"}],
    token_kinds=["admin", "org_admin"],
    org_confined_to="path:organization_id",
)
ADMIN_ONLY = rule(mode="any_of", any_of=[{"right": "orgs:read", "scope": "permission"}],
                  token_kinds=["admin"])

TOKENS = [
    ("admin-token", ADMIN_ONLY, caller(kind="admin", perms=("orgs:read",)), RESOLVE, None),
    ("org-admin-token-refused", ADMIN_ONLY, caller(kind="org_admin", org_id="A",
                                                   perms=("orgs:read",)), RESOLVE,
     "org_admin token is not accepted here; accepted: admin"),
    ("user-token-refused", ADMIN_ONLY, caller(perms=("orgs:read",)), RESOLVE,
     "user token is not accepted"),
    ("admin-token-lacking-permission", ADMIN_ONLY, caller(kind="admin", perms=("orgs:edit",)),
     RESOLVE, "requires one of: orgs:read"),
    ("org-admin-on-own-org", MANAGED, caller(kind="org_admin", org_id="A",
                                             perms=("orgs:create",)), RESOLVE, None),
    ("org-admin-on-another-org", MANAGED, caller(kind="org_admin", org_id="B",
                                                 perms=("orgs:create",)), RESOLVE,
     "limited to organization B, got A"),
    ("org-admin-without-org-on-unresolvable", MANAGED,
     caller(kind="org_admin", perms=("orgs:create",)), NOBODY, "limited to organization"),
    ("org-admin-on-own-org-lacking-permission", MANAGED, caller(kind="org_admin", org_id="A"),
     RESOLVE, "requires one of"),
    ("admin-on-any-org", MANAGED, caller(kind="admin", org_id="B", perms=("orgs:create",)),
     RESOLVE, None),
]


@pytest.mark.parametrize(("the_rule", "who", "resolve", "refusal"), [c[1:] for c in TOKENS],
                         ids=[c[0] for c in TOKENS])
def test_token_kinds_and_org_confinement(
    the_rule: RightsRule, who: Caller, resolve: Any, refusal: str | None
) -> None:
    if refusal is None:
        authorize(the_rule, who, resolve)
    else:
        with pytest.raises(Forbidden) as info:
            authorize(the_rule, who, resolve)
        assert refusal in info.value.message


# Like SVX listVisibleOrgs.
VISIBLE = rule(mode="visibility", any_of=[
    {"right": "atom:global:view_all_tenants", "scope": "global"},
    {"right": "atom:tenant:view_tenant_orgs", "scope": "tenant", "from": "item:tenant_id"},
    {"right": "atom:org:view_org", "scope": "org", "from": "item:id"},
])
ORG_O1 = {"id": "o1", "tenant_id": "t1"}
VISIBILITY = [
    ("own-org", caller(org={"o1": ("atom:org:view_org",)}), ORG_O1, True),
    ("another-org", caller(org={"o2": ("atom:org:view_org",)}), ORG_O1, False),
    ("tenant-of-item", caller(tenant={"t1": ("atom:tenant:view_tenant_orgs",)}), ORG_O1, True),
    ("other-tenant", caller(tenant={"t2": ("atom:tenant:view_tenant_orgs",)}), ORG_O1, False),
    ("global", caller(glob=("atom:global:view_all_tenants",)), ORG_O1, True),
    ("item-without-tenant", caller(tenant={"t1": ("atom:tenant:view_tenant_orgs",)}),
     {"id": "o1", "tenant_id": None}, False),
    ("non-string-id", caller(org={"7": ("atom:org:view_org",)}), {"id": 7}, True),
    ("nothing", caller(), ORG_O1, False),
]


@pytest.mark.parametrize(("who", "item", "shown"), [c[1:] for c in VISIBILITY],
                         ids=[c[0] for c in VISIBILITY])
def test_visible(who: Caller, item: dict[str, Any], shown: bool) -> None:
    assert visible(VISIBLE, who, item) is shown


def test_visibility_mode_itself_never_forbids() -> None:
    authorize(VISIBLE, caller(), RESOLVE)


# --- property: authorize allows iff an independent oracle says a requirement is held -----------

RIGHTS = ["r1", "r2", "r3"]
IDS = ["o1", "o2", "t1", "t2"]
POOL = [
    {"right": r, "scope": scope, **({"from": src} if src else {})}
    for r in RIGHTS
    for scope, src in [("global", None), ("permission", None),
                       ("tenant", "path:tenant_id"), ("tenant", "parent-tenant-of:path:org_id"),
                       ("org", "path:org_id"), ("org", "header:X-Org")]
]
SETS = st.frozensets(st.sampled_from(RIGHTS))
TABLES = st.dictionaries(st.sampled_from(IDS), SETS, max_size=3)
REQUESTS = st.fixed_dictionaries({
    "path:tenant_id": st.sampled_from([*IDS, None]),
    "parent-tenant-of:path:org_id": st.sampled_from([*IDS, None]),
    "path:org_id": st.sampled_from([*IDS, None]),
    "header:X-Org": st.sampled_from([*IDS, None]),
})


def oracle_holds(raw: dict[str, Any], grants: dict[str, Any], request: dict[str, Any]) -> bool:
    scope = raw["scope"]
    if scope == "global":
        return raw["right"] in grants["global"]
    if scope == "permission":
        return raw["right"] in grants["permissions"]
    scope_id = request[raw["from"]]
    return scope_id is not None and raw["right"] in grants[scope].get(scope_id, set())


@settings(max_examples=150, deadline=None)
@given(
    requirements=st.lists(st.sampled_from(POOL), min_size=1, max_size=4),
    grants=st.fixed_dictionaries({"global": SETS, "permissions": SETS, "tenant": TABLES,
                                  "org": TABLES}),
    request=REQUESTS,
)
def test_authorize_matches_oracle(
    requirements: list[dict[str, Any]], grants: dict[str, Any], request: dict[str, Any]
) -> None:
    who = Caller("u", grants=Grants(global_rights=grants["global"],
                                    tenant_rights=grants["tenant"], org_rights=grants["org"],
                                    permissions=grants["permissions"]))
    expected = any(oracle_holds(r, grants, request) for r in requirements)
    try:
        authorize(rule(mode="any_of", any_of=requirements), who, resolver(request))
        allowed = True
    except Forbidden:
        allowed = False
    assert allowed is expected


@settings(max_examples=100, deadline=None)
@given(
    grants=st.fixed_dictionaries({"global": SETS, "tenant": TABLES, "org": TABLES}),
    request=st.fixed_dictionaries({"path:org_id": st.sampled_from([*IDS, None]),
                                   "parent-tenant-of:path:org_id": st.sampled_from([*IDS, None])}),
)
def test_membership_matches_oracle(grants: dict[str, Any], request: dict[str, Any]) -> None:
    who = Caller("u", grants=Grants(global_rights=grants["global"],
                                    tenant_rights=grants["tenant"], org_rights=grants["org"]))
    org_id, tenant_id = request["path:org_id"], request["parent-tenant-of:path:org_id"]
    expected = (
        bool(grants["global"])
        or (org_id is not None and bool(grants["org"].get(org_id)))
        or (org_id is not None and tenant_id is not None and bool(grants["tenant"].get(tenant_id)))
    )
    try:
        authorize(MEMBER, who, resolver(request))
        allowed = True
    except Forbidden:
        allowed = False
    assert allowed is expected
