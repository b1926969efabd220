"""orgkit.staterules: x-orgkit.collections / grants / scopes parse into the model; broken rules
raise SpecError naming the file and the JSON pointer."""

from __future__ import annotations

import functools
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orgkit.errors import SpecError
from orgkit.model import GrantSource, IdentityRule, ScopeNesting, SubjectRule
from orgkit.rightsrules import Scope
from orgkit.specs import build_model, load_api

SRC = "teams.yaml"
DROP = object()


def _document() -> dict[str, Any]:
    """A one-operation API that declares its members, rights in two scopes and a nesting."""
    return {
        "openapi": "3.0.3", "info": {"title": "Teams", "version": "1"},
        "components": {"schemas": {"Err": {"type": "object"}, "Member": {"type": "object"}}},
        "x-orgkit": {
            "api": "teams", "mount": "/teams", "auth": {"kind": "jwt"},
            "default_error_shape": "plain",
            "error_shapes": {"plain": {"schemas": {"default": "Err"},
                                       "templates": {"default": {"m": "{message}"}}}},
            "collections": {
                "accounts": {"key": ["account_id"], "schema": "Member"},
                "projects": {"references": {"workspace_id": "workspaces"}},
                "workspaces": {},
            },
            "grants": {
                "subject": {"collection": "accounts", "field": "account_id"},
                "token_kind_claim": "kind", "token_kinds": ["human", "robot"],
                "org_claim": "project",
                "sources": [
                    {"scope": "tenant", "collection": "members", "user_field": "account_id",
                     "scope_field": "workspace_id", "rights_field": "roles",
                     "where": {"state": "active"}},
                    {"scope": "permission", "claim": "scopes"},
                ],
            },
            "scopes": {"org": {"collection": "projects", "tenant_field": "workspace_id"}},
        },
        "paths": {"/members": {"get": {
            "operationId": "listMembers", "responses": {"200": {"description": "ok"}},
            "x-orgkit-rights": {"mode": "authenticated"},
            "x-orgkit-resource": {"collection": "members", "action": "list"},
        }}},
    }


def variant(path: str, value: Any = DROP) -> dict[str, Any]:
    """The document with the value at a /-separated path below x-orgkit replaced (or dropped)."""
    data = _document()
    keys: list[Any] = [int(k) if k.isdigit() else k for k in path.split("/")]
    parent = functools.reduce(lambda node, key: node[key], keys[:-1], data["x-orgkit"])
    if value is DROP:
        del parent[keys[-1]]
    else:
        parent[keys[-1]] = value
    return data


def test_state_rules_parse_into_the_model() -> None:
    model = build_model(_document(), SRC)
    rule = model.identity
    assert rule.subject == SubjectRule("accounts", "account_id")
    assert (rule.token_kind_claim, rule.token_kinds, rule.org_claim) == (
        "kind", ("human", "robot"), "project")
    assert rule.sources == (
        GrantSource(Scope.TENANT, collection="members", user_field="account_id",
                    scope_field="workspace_id", rights_field="roles", where={"state": "active"}),
        GrantSource(Scope.PERMISSION, claim="scopes"))
    assert model.scopes == {Scope.ORG: ScopeNesting("projects", "workspace_id")}
    assert model.collections["accounts"].key == ("account_id",)
    assert model.collections["projects"].references == {"workspace_id": "workspaces"}
    assert model.collection_names() == {"accounts", "projects", "workspaces", "members"}


def test_absent_state_rules_give_no_rights_and_no_nesting() -> None:
    document = _document()
    for key in ("collections", "grants", "scopes"):
        del document["x-orgkit"][key]
    document["x-orgkit"]["grants"] = None  # null stands for "none" too
    model = build_model(document, SRC)
    assert (model.identity.sources, model.identity.subject, model.scopes, model.collections) == (
        (), None, {}, {})


GRANTS = "/x-orgkit/grants"
BROKEN = [
    ("subject-undeclared", "grants/subject/collection", "people",
     f"{GRANTS}/subject/collection", "'people'"),
    ("source-undeclared", "grants/sources/0/collection", "roles",
     f"{GRANTS}/sources/0/collection", "no operation"),
    ("scope-undeclared", "scopes/org/collection", "teams", "/x-orgkit/scopes/org/collection",
     "'teams'"),
    ("reference-undeclared", "collections/projects/references/workspace_id", "spaces",
     "/x-orgkit/collections/projects/references/workspace_id", "'spaces'"),
    ("unknown-scope", "grants/sources/0/scope", "workspace", f"{GRANTS}/sources/0/scope",
     "'workspace'"),
    ("both-collection-and-claim", "grants/sources/0/claim", "roles",
     f"{GRANTS}/sources/0/collection", "exactly one"),
    ("neither-collection-nor-claim", "grants/sources/1/claim", DROP,
     f"{GRANTS}/sources/1/collection", "exactly one"),
    ("tenant-without-scope-field", "grants/sources/0/scope_field", DROP,
     f"{GRANTS}/sources/0/scope_field", "required for scope tenant"),
    ("global-with-scope-field", "grants/sources/0/scope", "global",
     f"{GRANTS}/sources/0/scope_field", "has no id"),
    ("claim-for-a-tenant", "grants/sources/1/scope", "tenant", f"{GRANTS}/sources/1/claim",
     "global or permission"),
    ("missing-rights-field", "grants/sources/0/rights_field", DROP,
     f"{GRANTS}/sources/0/rights_field", "required but missing"),
    ("missing-user-field", "grants/sources/0/user_field", DROP,
     f"{GRANTS}/sources/0/user_field", "required but missing"),
    ("where-not-scalar", "grants/sources/0/where", {"state": ["active"]},
     f"{GRANTS}/sources/0/where/state", "['active']"),
    ("sources-not-a-list", "grants/sources", {"scope": "global"}, f"{GRANTS}/sources",
     "expected list"),
    ("token-kind-not-text", "grants/token_kinds", ["human", 3], f"{GRANTS}/token_kinds/1", "3"),
    ("tenant-does-not-nest", "scopes/tenant", {"collection": "projects", "tenant_field": "x"},
     "/x-orgkit/scopes/tenant", "unknown nested scope"),
    ("nesting-without-field", "scopes/org/tenant_field", DROP,
     "/x-orgkit/scopes/org/tenant_field", "required but missing"),
    ("schema-not-a-component", "collections/accounts/schema", "Person",
     "/x-orgkit/collections/accounts/schema", "'Person'"),
    ("key-not-a-list", "collections/accounts/key", "account_id",
     "/x-orgkit/collections/accounts/key", "expected list"),
    ("grants-not-a-mapping", "grants", ["sub"], "/x-orgkit/grants", "expected Mapping"),
]


@pytest.mark.parametrize(("path", "value", "pointer", "fragment"), [b[1:] for b in BROKEN],
                         ids=[b[0] for b in BROKEN])
def test_broken_state_rule_names_file_and_pointer(path: str, value: Any, pointer: str,
                                                  fragment: str) -> None:
    with pytest.raises(SpecError) as info:
        build_model(variant(path, value), SRC)
    assert (info.value.source, info.value.pointer) == (SRC, pointer)
    assert fragment in info.value.problem


def test_a_cascade_into_an_undeclared_collection_is_refused() -> None:
    document = _document()
    document["paths"]["/members"]["get"]["x-orgkit-resource"]["cascade"] = ["badges.member_id"]
    with pytest.raises(SpecError) as info:
        build_model(document, SRC)
    assert info.value.pointer == "/paths/~1members/get/x-orgkit-resource/cascade/0"
    assert "'badges'" in info.value.problem


SCALAR = st.one_of(st.text(max_size=8), st.integers(), st.booleans(), st.none())


@given(st.dictionaries(st.text(min_size=1, max_size=8), SCALAR, max_size=4))
def test_any_scalar_where_filter_is_kept_as_written(where: dict[str, Any]) -> None:
    model = build_model(variant("grants/sources/0/where", where), SRC)
    assert model.identity.sources[0].where == where


@given(st.dictionaries(st.text(min_size=1, max_size=8),
                       st.one_of(st.lists(SCALAR, max_size=2), st.dictionaries(
                           st.text(max_size=3), SCALAR, max_size=2)), min_size=1, max_size=3))
def test_a_where_filter_with_a_compound_value_is_refused(where: dict[str, Any]) -> None:
    with pytest.raises(SpecError) as info:
        build_model(variant("grants/sources/0/where", where), SRC)
    assert info.value.pointer.startswith(f"{GRANTS}/sources/0/where/")


@pytest.mark.parametrize(("api", "scopes", "subject"), [
    ("svx", (Scope.GLOBAL, Scope.TENANT, Scope.ORG), None),
    ("transmit", (Scope.PERMISSION,), SubjectRule("clients", "client_id")),
], ids=["svx", "transmit"])
def test_bundled_specs_declare_their_grants(api: str, scopes: tuple[Scope, ...],
                                            subject: SubjectRule | None) -> None:
    identity = load_api(api).model.identity
    assert tuple(s.scope for s in identity.sources) == scopes
    assert identity.subject == subject


def _confining(grants: dict[str, Any]) -> dict[str, Any]:
    """The document with its grants rule changed by grants (a None value drops the key)."""
    data = _document()
    rule = data["x-orgkit"]["grants"]
    rule.update(grants)
    for key in [k for k, v in rule.items() if v is None]:
        del rule[key]
    return data


CONFINEMENT = [
    ("declared-kinds", {"confined_token_kinds": ["robot"]}, ("robot",)),
    ("none-declared", {}, ()),
]


@pytest.mark.parametrize(("grants", "kinds"), [c[1:] for c in CONFINEMENT],
                         ids=[c[0] for c in CONFINEMENT])
def test_confined_token_kinds_parse(grants: dict[str, Any], kinds: tuple[str, ...]) -> None:
    assert build_model(_confining(grants), SRC).identity.confined_token_kinds == kinds


BROKEN_CONFINEMENT = [
    ("without-org-claim", {"confined_token_kinds": ["robot"], "org_claim": None},
     f"{GRANTS}/confined_token_kinds", "no org_claim"),
    ("kind-not-accepted", {"confined_token_kinds": ["robot", "alien"]},
     f"{GRANTS}/confined_token_kinds/1", "'alien' is not one of token_kinds"),
    ("not-a-list", {"confined_token_kinds": "robot"}, f"{GRANTS}/confined_token_kinds",
     "expected list"),
]


@pytest.mark.parametrize(("grants", "pointer", "fragment"), [b[1:] for b in BROKEN_CONFINEMENT],
                         ids=[b[0] for b in BROKEN_CONFINEMENT])
def test_broken_confinement_names_the_pointer(grants: dict[str, Any], pointer: str,
                                              fragment: str) -> None:
    with pytest.raises(SpecError) as info:
        build_model(_confining(grants), SRC)
    assert (info.value.pointer, fragment in info.value.problem) == (pointer, True)


CONFINES = [
    # (rule, token kind, org claim value, confined?)
    ("declared-kind-with-org", IdentityRule(org_claim="o", confined_token_kinds=("robot",)),
     "robot", "p1", True),
    ("declared-kind-without-org", IdentityRule(org_claim="o", confined_token_kinds=("robot",)),
     "robot", None, True),
    ("other-kind-carrying-org", IdentityRule(org_claim="o", confined_token_kinds=("robot",)),
     "human", "p1", False),
    ("undeclared-kinds-org-claim-carried", IdentityRule(org_claim="o"), "human", "p1", True),
    ("undeclared-kinds-no-org-claim-value", IdentityRule(org_claim="o"), "human", None, False),
    ("no-org-claim-at-all", IdentityRule(), "user", "p1", False),
]


@pytest.mark.parametrize(("rule", "kind", "org", "confined"), [c[1:] for c in CONFINES],
                         ids=[c[0] for c in CONFINES])
def test_which_callers_are_confined(rule: IdentityRule, kind: str, org: str | None,
                                    confined: bool) -> None:
    assert rule.confines(kind, org) is confined


def test_transmit_confines_its_org_admin_tokens_by_declaration() -> None:
    identity = load_api("transmit").model.identity
    assert (identity.org_claim, identity.confined_token_kinds) == ("org_id", ("org_admin",))
