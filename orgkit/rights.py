"""Evaluate x-orgkit-rights rules against what a caller holds, as pure functions."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from orgkit.errors import Forbidden
from orgkit.rightsrules import (
    ContextRule,
    Requirement,
    RightsMode,
    RightsRule,
    Scope,
    ScopeRef,
    SourceKind,
)

# Resolves a scope reference to an id for the current request (None: cannot be resolved).
Resolver = Callable[[ScopeRef], str | None]


@dataclass(frozen=True)
class Grants:
    """Every right a caller holds, by scope."""

    global_rights: frozenset[str] = frozenset()
    tenant_rights: Mapping[str, frozenset[str]] = field(default_factory=dict)
    org_rights: Mapping[str, frozenset[str]] = field(default_factory=dict)
    permissions: frozenset[str] = frozenset()

    def rights_in(self, scope: Scope, scope_id: str | None) -> frozenset[str]:
        """The rights held in one scope (for one tenant or org id)."""
        if scope is Scope.GLOBAL:
            return self.global_rights
        if scope is Scope.PERMISSION:
            return self.permissions
        table = self.tenant_rights if scope is Scope.TENANT else self.org_rights
        return table.get(scope_id or "", frozenset())


@dataclass(frozen=True)
class Caller:
    """An authenticated caller: who, in which tenant context, with what token and rights."""

    subject: str
    tenant: str | None = None
    token_kind: str = "user"
    org: str | None = None
    grants: Grants = Grants()
    # Limited to `org` by the API's declared grants (x-orgkit.grants.confined_token_kinds).
    confined: bool = False


def holds(req: Requirement, grants: Grants, resolve: Resolver) -> bool:
    """Whether one qualifying right is held in the scope the request points at."""
    scope_id = resolve(req.source) if req.source is not None else None
    if req.source is not None and scope_id is None:
        return False
    return req.right in grants.rights_in(req.scope, scope_id)


def is_member(req: Requirement, grants: Grants, resolve: Resolver) -> bool:
    """Any right on the org (or its tenant), or any global right (mode membership)."""
    if grants.global_rights:
        return True
    if req.source is None:
        return False
    org_id = resolve(req.source)
    if org_id is None:
        return False
    if grants.org_rights.get(org_id):
        return True
    tenant_id = resolve(ScopeRef(SourceKind.PARENT_TENANT_OF, req.source.name, req.source))
    return bool(tenant_id and grants.tenant_rights.get(tenant_id))


def authorize(rule: RightsRule, caller: Caller, resolve: Resolver) -> None:
    """Raise Forbidden unless the caller may perform an operation with this rule."""
    if rule.token_kinds and caller.token_kind not in rule.token_kinds:
        raise Forbidden(f"a {caller.token_kind} token is not accepted here; "
                        f"accepted: {', '.join(rule.token_kinds)}")
    if rule.org_confined_to is not None and caller.confined:
        target = resolve(rule.org_confined_to)
        if target is None or target != caller.org:  # an unknown target never matches
            raise Forbidden(f"this {caller.token_kind} token is limited to organization "
                            f"{caller.org}, got {target}")
    if rule.mode is RightsMode.ANY_OF:
        if not any(holds(r, caller.grants, resolve) for r in rule.any_of):
            raise Forbidden(f"requires one of: {describe(rule.any_of, resolve)}; "
                            "the caller holds none of them")
    elif rule.mode is RightsMode.MEMBERSHIP:
        if not is_member(rule.any_of[0], caller.grants, resolve):
            raise Forbidden(f"requires a right on {describe(rule.any_of, resolve)} "
                            "(any org right, a right of its tenant, or a global right)")
    elif rule.mode is RightsMode.CONTEXT and rule.context is not None:
        refuse_outside_context(rule.context, caller.grants, resolve)


def refuse_outside_context(context: ContextRule, grants: Grants, resolve: Resolver) -> None:
    """Forbidden unless the caller belongs to the context it selected (mode context).

    The context is the organisation when one is named, else the tenant, else global; the
    caller belongs to it by any right there, in the organisation's tenant, or globally.
    """
    tenant = resolve(context.tenant) if context.tenant is not None else None
    org = resolve(context.org) if context.org is not None else None
    if org and context.org is not None:
        parent = resolve(ScopeRef(SourceKind.PARENT_TENANT_OF, context.org.name, context.org))
        if tenant and parent != tenant:
            raise Forbidden(f"organisation {org} is not in the tenant you selected ({tenant})")
        if not (grants.global_rights or grants.org_rights.get(org)
                or (parent and grants.tenant_rights.get(parent))):
            raise Forbidden(f"you hold no right in the organisation you selected ({org})")
    elif tenant:
        if not (grants.global_rights or grants.tenant_rights.get(tenant)):
            raise Forbidden(f"you hold no right in the tenant you selected ({tenant})")
    elif not grants.global_rights:
        raise Forbidden("you hold no global right, so you cannot act in the global context "
                        "(select a tenant or an organisation)")


def visible(rule: RightsRule, caller: Caller, item: Mapping[str, Any]) -> bool:
    """Whether a list item may be shown to the caller (mode visibility)."""

    def from_item(ref: ScopeRef) -> str | None:
        value = item.get(ref.name) if ref.kind is SourceKind.ITEM else None
        return None if value is None else str(value)

    return any(holds(r, caller.grants, from_item) for r in rule.any_of)


def describe(requirements: tuple[Requirement, ...], resolve: Resolver) -> str:
    """Human-readable list of rights with their scope ids, for error messages."""
    parts = []
    for r in requirements:
        where = "" if r.source is None else f" on {r.scope.value} {resolve(r.source)}"
        parts.append(f"{r.right}{where}" if r.right != "*" else f"{r.scope.value}{where}")
    return ", ".join(parts)
