"""Evaluate x-orgkit-grants rules: who may hand out which security rights, as pure functions."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Iterable

from orgkit.errors import Forbidden
from orgkit.rights import Caller, Resolver, describe, holds
from orgkit.rightsrules import GrantRule, RightsRule, Scope

# The catalogue levels of a right name (its for_global / for_tenant / for_org flags).
LevelsOf = Callable[[str], Collection[str]]
# Scopes from narrow to wide: authority from a wider scope than the granted one may delegate.
BREADTH = {Scope.ORG: 0, Scope.TENANT: 1, Scope.GLOBAL: 2}


def canonical_id(text: str) -> str:
    """A UUID in its canonical lower-case form; any other text unchanged.

    `3F2A...` and `3f2a...` name the same user: comparing the raw strings let a caller
    self-assign through the upper-case form of its own id.
    """
    try:
        return str(uuid.UUID(text)) if len(text) == 36 else text
    except ValueError:
        return text


def refuse_level_escalation(rule: GrantRule, caller: Caller, resolve: Resolver,
                            names: Iterable[str], levels_of: LevelsOf) -> None:
    """Forbidden when a right's level needs an assign right the caller lacks here."""
    wanted = list(names)
    for level, needs in rule.levels:
        asked = [n for n in wanted if level in levels_of(n)]
        if asked and not any(holds(r, caller.grants, resolve) for r in needs):
            raise Forbidden(f"{asked} are {level}-level rights; granting them here needs one "
                            f"of: {describe(needs, resolve)}")


def refuse_delegation(rule: GrantRule, rights: RightsRule, caller: Caller, resolve: Resolver,
                      names: Iterable[str]) -> None:
    """Forbidden for rights the caller does not hold in the granted scope, when they go to
    the caller itself, or when the caller's authority is not from a wider scope (laundering
    through a second account)."""
    scope_id = resolve(rule.source) if rule.source is not None else None
    extra = sorted(set(names) - caller.grants.rights_in(rule.scope, scope_id))
    if not extra:
        return
    if same_user(resolve(rule.grantee), caller.subject):
        raise Forbidden(f"you cannot assign yourself rights you do not hold: {extra}")
    if not wider_authority(rule, rights, caller, resolve):
        where = rule.scope.value + (f" {scope_id}" if scope_id else "")
        raise Forbidden(f"you can grant only rights you hold in this {where}; you do not "
                        f"hold {extra}")


def wider_authority(rule: GrantRule, rights: RightsRule, caller: Caller,
                    resolve: Resolver) -> bool:
    """Whether the caller qualifies for the operation through a scope wider than the grant's."""
    floor = BREADTH.get(rule.scope, 0)
    return any(BREADTH.get(r.scope, -1) > floor and holds(r, caller.grants, resolve)
               for r in rights.any_of)


def same_user(grantee: str | None, subject: str) -> bool:
    """Whether a path value names the caller (UUIDs compared in canonical form)."""
    return grantee is not None and canonical_id(grantee) == canonical_id(subject)
