"""Part of the rights family: escalation through assignments, invitation contexts, and tokens
of the other API.

Expectations come from the spec's `x-orgkit-grants` (assign operations), `x-orgkit-rights`
mode `context` (invitations) and `x-orgkit.auth` (what tells one API's tokens from the
other's). A failure of a check resting on an inferred rule (`inferred: true`) is marked
advisory (`failure.advisory`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from functools import partial

from contract_tests import stock
from contract_tests.checks import CheckFailure
from contract_tests.checks.auth import each
from contract_tests.checks.escalation import (
    context_membership_required,
    foreign_token_refused,
    invitation_context_enforced,
    invitation_kept,
    laundering_refused,
    self_escalation_refused,
)
from contract_tests.personas import Persona
from contract_tests.personas import load as load_personas
from contract_tests.requests import Planned, SetupFailed, send
from contract_tests.scenery import Scenery
from contract_tests.sites import away_persona, home_persona, selected_operations
from contract_tests.suite import Suite
from contract_tests.target import Exchange
from orgkit.errors import ConfigError
from orgkit.grants import wider_authority
from orgkit.model import Operation
from orgkit.personas import load_personas as load_personas_file
from orgkit.rightsrules import GrantRule, RightsMode

FAMILY = "rights"
Step = Callable[[], Exchange]


def run(suite: Suite, scenery: Scenery) -> None:
    """Every escalation check that applies to the selected operations."""
    operations = selected_operations(suite)
    for op in operations:
        if op.grants is not None:
            judge(suite, op, "self_escalation_refused", op.grants.inferred,
                  partial(self_escalation_steps, scenery, op))
            judge(suite, op, "laundering_refused", op.grants.inferred,
                  partial(laundering_steps, scenery, op))
        if op.rights.context is not None:
            judge(suite, op, "invitation_context_enforced", op.rights.inferred,
                  partial(context_steps, scenery, op))
            judge(suite, op, "context_membership_required",
                  op.rights.inferred or op.rights.context.membership_inferred,
                  partial(membership_steps, scenery, op))
    check_foreign_tokens(suite, scenery, operations)


def judge(suite: Suite, op: Operation, name: str, inferred: bool,
          plan: Callable[[], list[Step]]) -> None:
    """Plan the steps (skip when nothing applies), then record one verdict over all of them."""
    try:
        steps = plan()
    except SetupFailed as exc:
        suite.not_tested(FAMILY, name, op, f"cannot prepare: {exc}")
        return

    def verdict() -> Exchange | None:
        try:
            return each(steps)
        except CheckFailure as failure:
            failure.advisory = failure.advisory or inferred
            raise

    suite.verdict(FAMILY, name, op, verdict)


# -- grants ---------------------------------------------------------------------------------


def grantable(scenery: Scenery, planned: Planned, rule: GrantRule) -> list[str]:
    """Rights of the granted scope's level that are enabled there."""
    level = rule.scope.value
    pure = [str(r["name"]) for r in stock.catalogue(scenery) if r.get(f"for_{level}") and not
            any(r.get(f"for_{other}") for other in ("global", "tenant", "org") if other != level)]
    scope_id = planned.value(rule.source) if rule.source is not None else None
    if scope_id:
        collection = scenery.id_params.get(stock.scope_param(scenery.model, level) or "", "")
        enabled = set(stock.enabled_rights(scenery, collection, scope_id))
        pure = [n for n in pure if n in enabled]
    return sorted(pure)


def grant(scenery: Scenery, op: Operation, persona: Persona, grantee: str,
          right: str) -> Planned:
    """The assignment of one right to grantee, as the persona, at the home site."""
    assert op.grants is not None
    planned = scenery.plan(op, persona, pins={op.grants.grantee.name: grantee})
    return replace(planned, body={"security_rights": [right]})


def held_here(rule: GrantRule, planned: Planned, persona: Persona) -> frozenset[str]:
    """What the persona holds in the scope the planned grant applies to."""
    ref = rule.source
    return persona.grants.rights_in(rule.scope, planned.value(ref) if ref else None)


def self_escalation_steps(scenery: Scenery, op: Operation) -> list[Step]:
    """A persona allowed to assign, holding nothing in the scope, assigns itself a right."""
    assert op.grants is not None
    for persona in scenery.personas():
        probe = grant(scenery, op, persona, persona.caller.subject, "")
        if not scenery.allows(persona, probe) or held_here(op.grants, probe, persona):
            continue
        rights = grantable(scenery, probe, op.grants)
        if rights:
            return self_assignments(scenery, op, persona, rights[0])
    raise SetupFailed(f"no persona may call {op.operation_id} while holding nothing in its "
                      f"{op.grants.scope.value} scope (and a right is enabled there)")


def self_assignments(scenery: Scenery, op: Operation, persona: Persona,
                     right: str) -> list[Step]:
    """Its own id, then the upper-case spelling of it when the id is a UUID."""
    subject = persona.caller.subject
    spellings = [(subject, True)] + ([(subject.upper(), False)] if is_uuid(subject) else [])
    steps = []
    for grantee, exact in spellings:
        planned = grant(scenery, op, persona, grantee, right)
        label = f"{persona.name} assigns itself {right} (as {grantee})"
        steps.append(sent(scenery, planned, persona, grantee, label,
                          partial(self_escalation_refused, label, exact=exact)))
    return steps


def laundering_steps(scenery: Scenery, op: Operation) -> list[Step]:
    """A persona with authority of the granted scope only grants a right it lacks to a
    fresh user."""
    assert op.grants is not None
    for persona in scenery.personas():
        probe = grant(scenery, op, persona, scenery.maker.fresh_uuid(), "")
        if not scenery.allows(persona, probe) or wider_authority(
                op.grants, op.rights, persona.caller, scenery.resolver(probe, persona)):
            continue
        held = held_here(op.grants, probe, persona)
        lacking = [r for r in grantable(scenery, probe, op.grants) if r not in held]
        if lacking:
            fresh = str(probe.path[op.grants.grantee.name])
            planned = grant(scenery, op, persona, fresh, lacking[0])
            label = f"{persona.name} grants {lacking[0]}, which it lacks, to a fresh user"
            return [sent(scenery, planned, persona, fresh, label,
                         partial(laundering_refused, label))]
    raise SetupFailed(f"no persona may call {op.operation_id} by a right of the "
                      f"{op.grants.scope.value} scope alone and lacks a right enabled there")


def sent(scenery: Scenery, planned: Planned, persona: Persona, grantee: str, label: str,
         judge_one: Callable[[Exchange], None]) -> Step:
    """A step that sends a grant, undoes it if it went through, and judges the answer."""

    def step() -> Exchange:
        exchange = send(scenery.suite.target, planned, persona.token)
        if 200 <= exchange.status < 300 and planned.op.resource is not None:
            scenery.undo_later(planned.op.resource.collection, grantee, planned, persona)
        judge_one(exchange)
        return exchange

    return step


def is_uuid(text: str) -> bool:
    """Whether text is a UUID in canonical (lower-case) form."""
    try:
        return str(uuid.UUID(text)) == text
    except ValueError:
        return False


# -- invitation contexts --------------------------------------------------------------------


def context_steps(scenery: Scenery, op: Operation) -> list[Step]:
    """Calls into another tenant's context, then the invitation still in place."""
    planned = scenery.plan(op)
    steps = cross_context(scenery, op, planned)
    if not steps:
        raise SetupFailed("the personas file has no admin of another tenant than the home "
                          "persona's")
    kept = kept_step(scenery, op, planned)
    return steps + ([kept] if kept else [])


def membership_steps(scenery: Scenery, op: Operation) -> list[Step]:
    """Personas the context rule refuses at the home site (they hold nothing there)."""
    planned = scenery.plan(op)
    steps = []
    for persona in scenery.personas():
        reason = scenery.refusal(persona, planned)
        if reason is not None:
            steps.append(outside(scenery, planned, persona, reason,
                                 context_membership_required))
    if not steps:
        raise SetupFailed("every persona of the personas file belongs to the context it "
                          "selects")
    return steps


def cross_context(scenery: Scenery, op: Operation, planned: Planned) -> list[Step]:
    """The home admin selecting another tenant's organisation; the away admin on home's."""
    personas = scenery.suite.personas
    home = home_persona(personas)
    away = away_persona(personas, scenery.home.tenant_id)
    context = op.rights.context
    header = context.org.name if context and context.org else None
    steps = []
    if home and scenery.away and scenery.away.org_id and header:
        elsewhere = replace(planned, headers={**planned.headers, header: scenery.away.org_id})
        steps.append(outside(scenery, elsewhere, home, "the organisation belongs to another "
                             "tenant than the one the caller selected"))
    if away is not None and op.resource is not None and op.resource.id_ref is not None:
        steps.append(outside(scenery, planned, away, "the invitation is in another tenant's "
                             "context"))
        if header and scenery.home.org_id:
            there = replace(planned, headers={**planned.headers, header: scenery.home.org_id})
            steps.append(outside(scenery, there, away, "the organisation belongs to another "
                                 "tenant than the one the caller selected"))
    return steps


def outside(scenery: Scenery, planned: Planned, persona: Persona, reason: str,
            judge_one: Callable[..., None] = invitation_context_enforced) -> Step:
    """One call by a persona outside the context: refused."""

    def step() -> Exchange:
        exchange = send(scenery.suite.target, planned, persona.token)
        scenery.adopt(planned, exchange, persona)
        judge_one(f"{persona.name} ({reason})", exchange, reason=reason)
        return exchange

    return step


def kept_step(scenery: Scenery, op: Operation, planned: Planned) -> Step | None:
    """For calls on one invitation: it is still readable in its own context afterwards."""
    rule = op.resource
    reader = scenery.find_op(rule.collection, "GET", addressed=True) if rule else None
    home = home_persona(scenery.suite.personas)
    if rule is None or rule.id_ref is None or reader is None or home is None:
        return None
    read = scenery.plan(reader, home, pins=dict(planned.path))

    def step() -> Exchange:
        exchange = send(scenery.suite.target, read, home.token)
        invitation_kept(f"{home.name} reads the invitation afterwards", exchange)
        return exchange

    return step


# -- tokens of the other API ----------------------------------------------------------------


def check_foreign_tokens(suite: Suite, scenery: Scenery, operations: list[Operation]) -> None:
    """foreign_token_refused on every secured operation, with another API's persona token."""
    foreigner, why = other_api_persona(suite)
    for op in operations:
        if op.rights.mode is RightsMode.PUBLIC:
            suite.not_applicable(FAMILY, "foreign_token_refused", op, "the operation is public")
        elif foreigner is None:
            suite.not_tested(FAMILY, "foreign_token_refused", op, why)
        else:
            judge(suite, op, "foreign_token_refused", False,
                  partial(foreign_steps, scenery, op, foreigner))


def foreign_steps(scenery: Scenery, op: Operation, persona: Persona) -> list[Step]:
    """The home-site request with the other API's token."""
    planned = scenery.plan(op)

    def step() -> Exchange:
        exchange = send(scenery.suite.target, planned, persona.token)
        scenery.adopt(planned, exchange, persona)
        foreign_token_refused(persona.name, exchange)
        return exchange

    return [step]


def other_api_persona(suite: Suite) -> tuple[Persona | None, str]:
    """The first persona of another API in the personas file (None: why there is none)."""
    document = load_personas_file(suite.config.personas)
    others = sorted({str(e["api"]) for e in document["personas"].values()}
                    - {suite.api.model.name})
    for api in others:
        try:
            found = load_personas(suite.config.personas, api)
        except ConfigError as exc:
            return None, f"no usable persona of another API in the personas file: {exc}"
        return next(iter(found.values())), ""
    return None, "the personas file has no persona of another API"

