"""orgkit.grants and the context mode: who may hand out which rights, and where one acts."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orgkit.errors import Forbidden, SpecError
from orgkit.grants import canonical_id, refuse_delegation, refuse_level_escalation, same_user
from orgkit.model import AuthConfig
from orgkit.rights import Caller, Grants, authorize
from orgkit.rightsrules import GrantRule, RightsRule, ScopeRef
from orgkit.rules import Reader, parse_grants, parse_rights

ME = "3f2a0c1e-8b7d-4e6f-9a51-0c2d3e4f5a6b"
OTHER = "9c8b7a6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"

# Like SVX assignOrgAdminSecurityRights.
ASSIGN_ORG = parse_rights(Reader("inline", {"mode": "any_of", "any_of": [
    {"right": "atom:org:assign", "scope": "org", "from": "path:org_id"},
    {"right": "atom:tenant:assign", "scope": "tenant", "from": "parent-tenant-of:path:org_id"},
    {"right": "atom:global:assign", "scope": "global"},
]}, "/x-orgkit-rights"))
GRANTS_RAW = {
    "grantee": "path:org_admin_id", "scope": "org", "from": "path:org_id",
    "levels": {"tenant": [{"right": "atom:tenant:assign", "scope": "tenant",
                           "from": "parent-tenant-of:path:org_id"}]},
}
GRANTS = parse_grants(Reader("inline", GRANTS_RAW, "/x-orgkit-grants"))
LEVELS = {"atom:org:view": {"org"}, "atom:org:assign": {"org"}, "atom:tenant:view": {"tenant"}}


def resolver(grantee: str, org: str = "o1") -> Any:
    table = {"path:org_id": org, "parent-tenant-of:path:org_id": "t1",
             "path:org_admin_id": grantee}

    def resolve(ref: ScopeRef) -> str | None:
        return table.get(str(ref))

    return resolve


def caller(org: tuple[str, ...] = (), tenant: tuple[str, ...] = (),
           glob: tuple[str, ...] = ()) -> Caller:
    return Caller(ME, "t1", grants=Grants(
        global_rights=frozenset(glob), tenant_rights={"t1": frozenset(tenant)},
        org_rights={"o1": frozenset(org)}))


def delegate(who: Caller, grantee: str, names: list[str]) -> None:
    refuse_delegation(GRANTS, ASSIGN_ORG, who, resolver(grantee), names)


ORG_ASSIGNER = caller(org=("atom:org:assign",))
DELEGATIONS = [
    ("held-right-to-another", ORG_ASSIGNER, OTHER, ["atom:org:assign"], True),
    ("held-right-to-oneself", ORG_ASSIGNER, ME, ["atom:org:assign"], True),
    ("unheld-right-to-oneself", ORG_ASSIGNER, ME, ["atom:org:view"], False),
    ("unheld-right-to-oneself-upper-case", ORG_ASSIGNER, ME.upper(), ["atom:org:view"], False),
    ("laundering-through-another", ORG_ASSIGNER, OTHER, ["atom:org:view"], False),
    ("wider-tenant-authority", caller(tenant=("atom:tenant:assign",)), OTHER,
     ["atom:org:view"], True),
    ("wider-global-authority", caller(glob=("atom:global:assign",)), OTHER,
     ["atom:org:view"], True),
    ("wider-authority-to-oneself", caller(tenant=("atom:tenant:assign",)), ME,
     ["atom:org:view"], False),
]


@pytest.mark.parametrize(("who", "grantee", "names", "allowed"), [c[1:] for c in DELEGATIONS],
                         ids=[c[0] for c in DELEGATIONS])
def test_delegation(who: Caller, grantee: str, names: list[str], allowed: bool) -> None:
    if allowed:
        delegate(who, grantee, names)
    else:
        with pytest.raises(Forbidden):
            delegate(who, grantee, names)


def test_level_escalation_needs_the_levels_assign_right() -> None:
    def levels(name: str) -> set[str]:
        return LEVELS[name]

    with pytest.raises(Forbidden, match="tenant-level"):
        refuse_level_escalation(GRANTS, ORG_ASSIGNER, resolver(OTHER), ["atom:tenant:view"],
                                levels)
    refuse_level_escalation(GRANTS, caller(tenant=("atom:tenant:assign",)), resolver(OTHER),
                            ["atom:tenant:view"], levels)
    refuse_level_escalation(GRANTS, ORG_ASSIGNER, resolver(OTHER), ["atom:org:view"], levels)


@given(st.uuids())
def test_canonical_id_makes_every_spelling_of_a_uuid_one(value: uuid.UUID) -> None:
    text = str(value)
    assert canonical_id(text.upper()) == canonical_id(text) == text
    assert same_user(text.upper(), text)


@given(st.text(max_size=40).filter(lambda t: len(t) != 36))
def test_canonical_id_leaves_other_text_alone(text: str) -> None:
    assert canonical_id(text) == text


def test_same_user_never_matches_no_grantee() -> None:
    assert not same_user(None, ME)


BAD_GRANTS = [
    ("no-grantee", {k: v for k, v in GRANTS_RAW.items() if k != "grantee"}, "/grantee"),
    ("unknown-level", {**GRANTS_RAW, "levels": {"planet": []}}, "/levels/planet"),
    ("unknown-scope", {**GRANTS_RAW, "scope": "planet"}, "/scope"),
]


@pytest.mark.parametrize(("raw", "suffix"), [c[1:] for c in BAD_GRANTS],
                         ids=[c[0] for c in BAD_GRANTS])
def test_malformed_grants_name_the_place(raw: Mapping[str, Any], suffix: str) -> None:
    with pytest.raises(SpecError) as info:
        parse_grants(Reader("tiny.yaml", raw, "/x"))
    assert info.value.pointer == "/x" + suffix


# The context mode (SVX invitations): the org header, else the tid tenant, else global.
CONTEXT = parse_rights(Reader("inline", {"mode": "context", "context": {
    "tenant": "jwt:tid", "org": "header:Meeco-Organisation-ID"}}, "/x-orgkit-rights"))


def context_resolver(tid: str | None, org: str | None, parent: str | None = "t1") -> Any:
    table = {"jwt:tid": tid, "header:Meeco-Organisation-ID": org,
             "parent-tenant-of:header:Meeco-Organisation-ID": parent if org else None}

    def resolve(ref: ScopeRef) -> str | None:
        return table.get(str(ref))

    return resolve


def member(org: tuple[str, ...] = (), tenant: tuple[str, ...] = (),
           glob: tuple[str, ...] = ()) -> Caller:
    return caller(org=org, tenant=tenant, glob=glob)


CONTEXTS = [
    ("org-member", member(org=("r",)), context_resolver("t1", "o1"), True),
    ("tenant-member-in-its-org", member(tenant=("r",)), context_resolver("t1", "o1"), True),
    ("global-in-any-org", member(glob=("r",)), context_resolver(None, "o9", "t9"), True),
    ("nobody-in-an-org", member(), context_resolver("t1", "o1"), False),
    ("org-of-another-tenant", member(tenant=("r",)), context_resolver("t1", "o2", "t2"), False),
    ("tenant-member", member(tenant=("r",)), context_resolver("t1", None), True),
    ("org-member-in-the-tenant-context", member(org=("r",)), context_resolver("t1", None),
     False),
    ("nobody-in-the-tenant", member(), context_resolver("t1", None), False),
    ("global-member", member(glob=("r",)), context_resolver(None, None), True),
    ("tenant-member-in-the-global-context", member(tenant=("r",)), context_resolver(None, None),
     False),
]


@pytest.mark.parametrize(("who", "resolve", "allowed"), [c[1:] for c in CONTEXTS],
                         ids=[c[0] for c in CONTEXTS])
def test_context_mode(who: Caller, resolve: Any, allowed: bool) -> None:
    if allowed:
        authorize(CONTEXT, who, resolve)
    else:
        with pytest.raises(Forbidden):
            authorize(CONTEXT, who, resolve)


def test_context_mode_needs_its_context() -> None:
    with pytest.raises(SpecError) as info:
        parse_rights(Reader("tiny.yaml", {"mode": "context"}, "/r"))
    assert info.value.pointer == "/r/context"
    assert isinstance(CONTEXT, RightsRule) and CONTEXT.can_forbid


def test_declared_grant_rules_of_the_svx_spec() -> None:
    from orgkit.specs import load_api

    model = load_api("svx").model
    declared = {op.operation_id for op in model.operations if op.grants is not None}
    assert declared == {"assignOrgAdminSecurityRights", "assignTenantAdminSecurityRights",
                        "assignGlobalSecurityRights"}
    assert all(isinstance(model.operation(o).grants, GrantRule) for o in declared)
    contextual = {op.operation_id for op in model.operations if op.rights.context is not None}
    assert contextual == {"createInvitation", "deleteInvitation", "resendInvitation"}


WRONG_API = [
    ("svx-refuses-a-transmit-token", AuthConfig("jwt", foreign_claims=("token_kind",)),
     {"sub": "app", "token_kind": "admin"}, "token_kind"),
    ("svx-takes-its-own", AuthConfig("jwt", foreign_claims=("token_kind",)),
     {"sub": "u", "tid": "t"}, None),
    ("transmit-refuses-an-svx-token", AuthConfig("oauth2", required_claims=("token_kind",)),
     {"sub": "u", "tid": "t"}, "token_kind"),
    ("transmit-takes-its-own", AuthConfig("oauth2", required_claims=("token_kind",)),
     {"sub": "app", "token_kind": "admin"}, None),
]


@pytest.mark.parametrize(("auth", "claims", "named"), [c[1:] for c in WRONG_API],
                         ids=[c[0] for c in WRONG_API])
def test_tokens_of_another_api_are_told_apart(auth: AuthConfig, claims: dict[str, Any],
                                              named: str | None) -> None:
    why = auth.foreign(claims)
    assert (why is None) == (named is None)
    assert named is None or named in str(why)


def test_the_specs_declare_what_tells_their_tokens_apart() -> None:
    from orgkit.specs import load_api

    transmit_claims = {"sub": "app", "token_kind": "admin"}
    assert load_api("svx").model.auth.foreign(transmit_claims) is not None
    assert load_api("transmit").model.auth.foreign({"sub": "u", "tid": "t"}) is not None


def test_the_invitation_context_rule_marks_membership_as_inferred() -> None:
    from orgkit.specs import load_api

    rule = load_api("svx").model.operation("createInvitation").rights
    assert rule.context is not None and not rule.inferred
    assert rule.context.membership_inferred
    parsed = parse_rights(Reader("inline", {"mode": "context", "context": {
        "tenant": "jwt:tid"}}, "/r"))
    assert parsed.context is not None and not parsed.context.membership_inferred
