"""Rights across tenants and over time: tenant isolation and rights that follow state."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from contract_tests.checks.auth import (
    each,
    items_in_scope,
    items_visible,
    rights_follow_state,
    state_changed,
    tenant_isolation,
)
from contract_tests.personas import Persona
from contract_tests.requests import Planned, SetupFailed, body_schema, merge, send
from contract_tests.scenery import Scenery
from contract_tests.sites import require_selected
from contract_tests.suite import Suite
from contract_tests.target import Exchange
from orgkit.model import ApiModel, GrantSource, Operation
from orgkit.rights import Caller, Grants, visible
from orgkit.rightsrules import RightsMode, Scope, SourceKind

FAMILY = "rights"
NO_RIGHTS_PERSONA = "no-rights"
UNSCOPED = "the operation addresses no tenant or organisation"


def outsiders(scenery: Scenery) -> list[Persona]:
    """Admins of other tenants than the away site's: tenant or org rights, no global ones."""
    away = scenery.away.tenant_id if scenery.away else None
    return [p for p in scenery.personas() if not p.grants.global_rights and p.tenant_id != away
            and (p.grants.tenant_rights or p.grants.org_rights)]


def scoped(op: Operation) -> bool:
    """Whether the operation's rights depend on a tenant or an organisation."""
    return op.rights.mode in (RightsMode.ANY_OF, RightsMode.MEMBERSHIP) and any(
        r.scope in (Scope.TENANT, Scope.ORG) for r in op.rights.any_of)


def items_field(op: Operation) -> str | None:
    """The response field holding a list operation's items."""
    if op.pagination is not None:
        return op.pagination.items
    rule = op.resource
    return rule.envelope if rule and rule.action.startswith("list") else None


def confined_list(op: Operation) -> bool:
    """A list whose items must stay within the request's scope or the caller's visibility."""
    rule = op.resource
    return (op.method == "GET" and items_field(op) is not None and rule is not None
            and (bool(rule.parent) or op.rights.mode is RightsMode.VISIBILITY))


def check_isolation(suite: Suite, scenery: Scenery, op: Operation) -> None:
    """tenant_isolation: cross-tenant calls refused; lists confined to their scope."""
    try:
        steps = isolation_steps(scenery, op)
    except SetupFailed as exc:
        suite.not_tested(FAMILY, "tenant_isolation", op, f"cannot prepare the request: {exc}")
        return
    if not (scoped(op) or confined_list(op)):
        suite.not_applicable(FAMILY, "tenant_isolation", op, UNSCOPED)
        return
    reason = not_applicable(scenery, op) or ("" if steps else "no persona administers "
                                              "another tenant")
    if reason:
        suite.not_tested(FAMILY, "tenant_isolation", op, reason)
        return
    suite.verdict(FAMILY, "tenant_isolation", op,
                  lambda: each(partial(step, suite, scenery) for step in steps))


def not_applicable(scenery: Scenery, op: Operation) -> str:
    """Why tenant isolation cannot be judged for an operation ('' when it can)."""
    if not (scoped(op) or confined_list(op)):
        return UNSCOPED
    if scenery.away is None:
        return ("the personas file has no admin of another tenant than the home persona's "
                "(a persona with tenant rights in its own, different tenant_id)")
    return ""


@dataclass(frozen=True)
class CrossCall:
    """An admin of one tenant calling on another tenant's resource."""

    persona: Persona
    planned: Planned
    reason: str

    def __call__(self, suite: Suite, scenery: Scenery) -> Exchange:
        exchange = send(suite.target, self.planned, self.persona.token)
        scenery.adopt(self.planned, exchange, self.persona)
        tenant_isolation(self.persona.name, exchange, reason=self.reason, api=suite.api,
                         op=self.planned.op)
        return exchange


@dataclass(frozen=True)
class ListCall:
    """A persona listing: every item within the request's scope, and visible to it."""

    persona: Persona
    planned: Planned

    def __call__(self, suite: Suite, scenery: Scenery) -> Exchange:
        op = self.planned.op
        exchange = send(suite.target, self.planned, self.persona.token)
        body = exchange.json()
        raw = body.get(items_field(op) or "") if isinstance(body, dict) else None
        items = [i for i in raw or () if isinstance(i, dict)]
        id_field = op.resource.id_field if op.resource else "id"
        parents = {name: self.planned.value(ref)
                   for name, ref in (op.resource.parent if op.resource else ())}
        items_in_scope(self.persona.name, exchange, items, parents, id_field)
        if op.rights.mode is RightsMode.VISIBILITY:
            hidden = [i for i in items if not visible(op.rights, self.persona.caller, i)]
            items_visible(self.persona.name, exchange, hidden, id_field)
        return exchange


Step = CrossCall | ListCall


def isolation_steps(scenery: Scenery, op: Operation) -> list[Step]:
    """Cross-tenant calls the oracle refuses, then lists as every persona allowed to list."""
    steps: list[Step] = []
    if not_applicable(scenery, op):
        return steps
    if scoped(op) and scenery.away is not None:
        planned = scenery.plan(op, site=scenery.away)
        for persona in outsiders(scenery):
            reason = scenery.refusal(persona, planned)
            if reason is not None:
                steps.append(CrossCall(persona, scenery.with_body(planned, persona), reason))
    if confined_list(op):
        planned = scenery.plan(op)
        if op.pagination and op.pagination.per_page_param:
            planned = planned.with_query(**{op.pagination.per_page_param:
                                            op.pagination.max_per_page})
        steps += [ListCall(p, planned) for p in scenery.personas()
                  if scenery.allows(p, planned)]
    return steps


# -- rights follow state --------------------------------------------------------------------


@dataclass(frozen=True)
class Grant:
    """Assign a right that qualifies for `probe`, then remove the admin record again."""

    probe: str
    assign: str
    remove: str
    scope: Scope
    # Where the rights live when the API declares them (x-orgkit.grants): the assign operation
    # creates an item of the source's collection naming the user and the right in its body.
    source: GrantSource | None = None


GRANTS = (
    Grant("getOrg", "assignOrgAdminSecurityRights", "removeOrgAdmin", Scope.ORG),
    Grant("getTenant", "assignTenantAdminSecurityRights", "removeTenantAdmin", Scope.TENANT),
    Grant("listTenants", "assignGlobalSecurityRights", "removeGlobalAdmin", Scope.GLOBAL),
)


def declared_grants(model: ApiModel) -> tuple[Grant, ...]:
    """Scenarios from x-orgkit.grants: a tenant or org source whose collection the generic
    create and delete actions manage (a membership), probed by the first get operation a
    right of that scope from a path parameter decides."""
    found = []
    for source in model.identity.sources:
        if source.collection is None or source.scope not in (Scope.TENANT, Scope.ORG):
            continue
        assign, remove = (_crud_op(model, source.collection, a) for a in ("create", "delete"))
        probe = next((op for op in model.operations if _probes(op, source.scope)), None)
        if assign is not None and remove is not None and probe is not None:
            found.append(Grant(probe.operation_id, assign.operation_id, remove.operation_id,
                               source.scope, source))
    return tuple(found)


def _crud_op(model: ApiModel, collection: str, action: str) -> Operation | None:
    return next((op for op in model.operations if op.resource is not None
                 and op.resource.collection == collection and op.resource.action == action),
                None)


def _probes(op: Operation, scope: Scope) -> bool:
    return (op.method == "GET" and op.resource is not None and op.resource.action == "get"
            and op.rights.mode is RightsMode.ANY_OF and _scope_param(op, scope) is not None)


def _scope_param(op: Operation, scope: Scope) -> str | None:
    """The path parameter a right of the scope is read from, in the operation's rights."""
    return next((r.source.name for r in op.rights.any_of if r.scope is scope
                 and r.source is not None and r.source.kind is SourceKind.PATH), None)


def check_follow_state(suite: Suite, scenery: Scenery, operations: Sequence[Operation]) -> None:
    """rights_follow_state for each grant scenario whose probe operation is selected."""
    known = {op.operation_id: op for op in suite.api.model.operations}
    selected = {op.operation_id for op in operations}
    for grant in GRANTS + declared_grants(suite.api.model):
        probe = known.get(grant.probe)
        if probe is None or grant.probe not in selected:
            continue
        try:
            steps = grant_steps(scenery, grant, known)
        except SetupFailed as exc:
            suite.not_tested(FAMILY, "rights_follow_state", probe, f"cannot prepare: {exc}")
            continue
        suite.verdict(FAMILY, "rights_follow_state", probe, _runner(suite, steps))


@dataclass(frozen=True)
class StateStep:
    """One call of a grant scenario and what it must answer."""

    label: str
    persona: Persona
    planned: Planned
    allowed: bool | None  # None: a change of rights that must succeed


def _runner(suite: Suite, steps: Sequence[StateStep]) -> Callable[[], Exchange | None]:
    return lambda: run_steps(suite, steps)


def run_steps(suite: Suite, steps: Sequence[StateStep]) -> Exchange | None:
    """Send the steps in order, checking each."""
    last = None
    for step in steps:
        last = send(suite.target, step.planned, step.persona.token)
        if step.allowed is None:
            state_changed(step.label, last)
        else:
            rights_follow_state(step.label, last, allowed=step.allowed, api=suite.api,
                                op=step.planned.op)
    return last


def grant_steps(scenery: Scenery, grant: Grant,
                known: Mapping[str, Operation]) -> list[StateStep]:
    """Probe refused, assign, probe allowed, remove, probe refused."""
    subject = _subject(scenery)
    assign, remove = known.get(grant.assign), known.get(grant.remove)
    if assign is None or remove is None or assign.resource is None:
        raise SetupFailed(f"the API lacks {grant.assign} or {grant.remove}")
    require_selected(scenery.suite, assign, remove)
    probe_op = known[grant.probe]
    param = _scope_param(probe_op, grant.scope) or _SCOPE_PARAMS.get(grant.scope, "")
    pins = _scope_pins(scenery, grant.scope, param)
    probe = scenery.plan(probe_op, pins=pins)
    right = _deciding_right(scenery, probe, subject, grant.scope, pins.get(param))
    if grant.source is None:
        admin = _admin_pins(assign, subject, pins)
        give = scenery.plan(assign, pins=admin)
        give = replace(give, body=merge(give.body, {"security_rights": [right]}))
    else:
        admin = _admin_pins(remove, subject, pins)
        give = scenery.plan(assign, pins=pins)
        give = replace(give, body=merge(give.body, _grant_body(scenery, grant.source, assign,
                                                               subject, right)))
    take = scenery.plan(remove, pins=admin)
    giver, taker = scenery.actor(give), scenery.actor(take)
    scenery.undo_later(assign.resource.collection, subject.caller.subject, give, giver)
    who = subject.name
    return [StateStep(f"before the assignment, {who}", subject, probe, False),
            StateStep(f"{giver.name} assigns {right} to {who}", giver, give, None),
            StateStep(f"after the assignment, {who}", subject, probe, True),
            StateStep(f"{taker.name} removes {who}'s admin record", taker, take, None),
            StateStep(f"after the removal, {who}", subject, probe, False)]


def _subject(scenery: Scenery) -> Persona:
    """The persona that receives and loses the right: no-rights, or any without rights."""
    found = scenery.suite.personas.get(NO_RIGHTS_PERSONA) or next(
        (p for p in scenery.personas() if not _holds_any(p.grants)), None)
    if found is None:
        raise SetupFailed("the personas file has no persona without rights")
    return found


def _grant_body(scenery: Scenery, source: GrantSource, assign: Operation, subject: Persona,
                right: str) -> dict[str, Any]:
    """The fields of a declared grant's item: the user, and the right (a list or one name)."""
    _, schema = body_schema(assign)
    listed = (schema.get("properties") or {}).get(source.rights_field, {}).get("type") == "array"
    return {source.user_field: subject.caller.subject,
            source.rights_field: [right] if listed else right}


def _deciding_right(scenery: Scenery, probe: Planned, subject: Persona, scope: Scope,
                    scope_id: str | None) -> str:
    """A right of the scope that, per the oracle, turns the subject's refusal into access."""
    right = _qualifying_right(probe.op, scope)
    granted = _with_right(subject, scope, scope_id, right)
    if scenery.allows(subject, probe) or not scenery.allows(granted, probe):
        raise SetupFailed(f"{right} does not decide {probe.describe()} for {subject.name}")
    return right


def _holds_any(grants: Grants) -> bool:
    return bool(grants.global_rights or grants.tenant_rights or grants.org_rights)


_SCOPE_PARAMS = {Scope.TENANT: "tenant_id", Scope.ORG: "org_id"}


def _scope_pins(scenery: Scenery, scope: Scope, param: str) -> dict[str, str]:
    """Where the right is granted (in the probe's parameter naming that scope): a disposable
    organisation, the home tenant, or nowhere."""
    if scope is Scope.ORG:
        return {param: scenery.make(scenery.org_collection, scenery.home, None)}
    if scope is Scope.TENANT and scenery.home.tenant_id:
        return {param: scenery.home.tenant_id}
    return {}


def _admin_pins(assign: Operation, subject: Persona, pins: Mapping[str, str]) -> dict[str, str]:
    ref = assign.resource.id_ref if assign.resource else None
    if ref is None:
        raise SetupFailed(f"{assign.operation_id} names no admin in its path")
    return {**pins, ref.name: subject.caller.subject}


def _qualifying_right(op: Operation, scope: Scope) -> str:
    for requirement in op.rights.any_of:
        if requirement.scope is scope:
            return requirement.right
    raise SetupFailed(f"{op.operation_id} accepts no {scope.value} right")


def _add(table: Mapping[str, frozenset[str]], scope_id: str,
         right: str) -> dict[str, frozenset[str]]:
    return {**table, scope_id: table.get(scope_id, frozenset()) | {right}}


def _with_right(persona: Persona, scope: Scope, scope_id: str | None, right: str) -> Persona:
    """The persona as it would be after the assignment (for the oracle)."""
    grants = persona.grants
    if scope is Scope.GLOBAL:
        grants = replace(grants, global_rights=grants.global_rights | {right})
    elif scope is Scope.ORG:
        grants = replace(grants, org_rights=_add(grants.org_rights, scope_id or "", right))
    else:
        grants = replace(grants, tenant_rights=_add(grants.tenant_rights, scope_id or "",
                                                    right))
    caller: Caller = replace(persona.caller, grants=grants)
    return replace(persona, caller=caller)
