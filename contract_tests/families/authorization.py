"""The authorization family: wrong parents, refused creates, forged fields, odd ids, existence.

The checks object-level authorization scanners run (RESTler's resource-hierarchy and leakage
checkers, CATS' and EvoMaster's mass-assignment, invalid-id and existence probes), planned with
the scenery like the rights family: real resources at the home site, personas chosen by the
oracle, everything created undone at the end of the run.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from dataclasses import replace

from contract_tests import forgery
from contract_tests.checks.auth import each
from contract_tests.checks.authz import (
    existence_not_revealed,
    odd_path_ids_rejected,
    wrong_parent_not_found,
)
from contract_tests.driver import broadest_persona
from contract_tests.forgery import NotApplicable, Run
from contract_tests.personas import Persona
from contract_tests.requests import Planned, SetupFailed, send
from contract_tests.scenery import Scenery
from contract_tests.sites import selected_operations
from contract_tests.suite import Suite
from contract_tests.target import Exchange
from orgkit.model import Operation
from orgkit.rightsrules import RightsMode, ScopeRef, SourceKind

FAMILY = "authorization"
# Checks whose expectation is our inference rather than a sentence of the seeds: candidates for
# advisory verdicts (the request schemas never say `readOnly`; existence hiding is OWASP's rule).
ODD_IDS = (("dot segments", "x/../y"), ("braces", "{}"), ("a newline", "\n"),
           ("10 kB", "x" * 10_240), ("non-ASCII", "é漢字🙂"), ("U+001F", "a\x1fb"))
PLACEHOLDER = "00000000-0000-4000-8000-000000000000"
Prepare = Callable[[Scenery, Operation], Run]


def run(suite: Suite) -> None:
    """Every check on every selected operation (or the reason it does not apply)."""
    scenery = Scenery(suite)
    for op in selected_operations(suite):
        for name, prepare in CHECKS:
            judge(suite, scenery, name, op, prepare)


def judge(suite: Suite, scenery: Scenery, name: str, op: Operation, prepare: Prepare) -> None:
    """Prepare a check, run it into a verdict; not applicable or not tested, saying why."""
    try:
        suite.verdict(FAMILY, name, op, prepare(scenery, op))
    except NotApplicable as exc:
        suite.not_applicable(FAMILY, name, op, str(exc))
    except SetupFailed as exc:  # could apply, but the personas or the state do not allow it
        suite.not_tested(FAMILY, name, op, f"cannot prepare the request: {exc}")


# -- resource hierarchy ---------------------------------------------------------------------


def hierarchy(scenery: Scenery, op: Operation) -> Run:
    """The home site's child, addressed under another existing parent, as a persona allowed
    there: the item does not exist under that parent (404)."""
    rule = op.resource
    if rule is None or rule.id_ref is None or not rule.parent:
        raise NotApplicable("the operation addresses no item below a parent")
    if rule.action.startswith("assign_"):
        raise NotApplicable("the operation creates the item it addresses (an assignment)")
    planned = scenery.plan(op)
    calls: list[tuple[Persona, Planned]] = []
    for field, ref in rule.parent:
        wrong = repoint(planned, ref, other_parent(scenery, field, planned.value(ref)))
        # The attacker of interest administers the other parent; global admins come last.
        ordered = sorted(scenery.personas(), key=lambda p: bool(p.grants.global_rights))
        persona = next((p for p in ordered if scenery.allows(p, wrong)), None)
        if persona is not None:
            calls.append((persona, wrong))
    if not calls:
        raise SetupFailed("no persona of the personas file may call the operation under "
                            "another parent")
    api = scenery.suite.api

    def step(persona: Persona, wrong: Planned) -> Callable[[], Exchange]:
        return lambda: wrong_parent_not_found(api, op, persona.name, send(
            scenery.suite.target, wrong, persona.token))

    return lambda: each(step(p, w) for p, w in calls)


def other_parent(scenery: Scenery, field: str, mine: str | None) -> str:
    """Another existing parent: the away site's, else a second one made at home."""
    away = scenery.site_value(scenery.away, field) if scenery.away else None
    if away and away != mine:
        return away
    collection = scenery.id_params.get(field)
    if collection is None:
        raise SetupFailed(f"the suite cannot make another parent ({field})")
    return scenery.shared(collection, scenery.home, "another parent")


def repoint(planned: Planned, ref: ScopeRef, value: str) -> Planned:
    """The request with one path parameter or header replaced."""
    if ref.kind is SourceKind.PATH:
        return replace(planned, path={**planned.path, ref.name: value})
    if ref.kind is SourceKind.HEADER:
        kept = {k: v for k, v in planned.headers.items() if k.lower() != ref.name.lower()}
        return replace(planned, headers={**kept, ref.name: value})
    raise NotApplicable(f"the parent comes from {ref}, not from the request")


# -- existence leak -------------------------------------------------------------------------


def existence(scenery: Scenery, op: Operation) -> Run:
    """As a persona refused on the home site's item: that item, then random ids, alike."""
    if op.rights.mode is RightsMode.PUBLIC:
        raise NotApplicable("the operation is public: anybody may learn what exists")
    refs = item_refs(scenery, op)
    if not refs:
        raise NotApplicable("no path parameter or header names an item")
    planned = scenery.plan(op)
    persona = forgery.refused_persona(scenery, planned)
    if persona is None:
        raise SetupFailed("the rights rule refuses no persona of the personas file")
    probes = [(ref.name, repoint(planned, ref, random_like(scenery, op, ref, planned)))
              for ref in refs]
    codes = code_fields(op)
    target = scenery.suite.target

    def probe(name: str, unknown: Planned) -> Callable[[], Exchange]:
        return lambda: existence_not_revealed(
            persona.name, name, send(target, planned, persona.token),
            send(target, unknown, persona.token), codes)

    return lambda: each(probe(name, unknown) for name, unknown in probes)


def item_refs(scenery: Scenery, op: Operation) -> list[ScopeRef]:
    """The request's references to items: path ids and parents (path or header)."""
    rule, refs = op.resource, []
    for p in op.parameters:
        named = p.location == "path" and (p.name in scenery.id_params or (
            rule is not None and rule.id_ref is not None and rule.id_ref.name == p.name))
        if named:
            refs.append(ScopeRef(SourceKind.PATH, p.name))
    for _, ref in rule.parent if rule else ():
        if ref.kind is SourceKind.HEADER:
            refs.append(ref)
    return refs


def random_like(scenery: Scenery, op: Operation, ref: ScopeRef, planned: Planned) -> str:
    """A random id shaped like the real one (a UUID where the parameter is one)."""
    param = op.parameter(ref.name)
    if param is not None and param.schema.get("format") == "uuid":
        return scenery.maker.fresh_uuid()
    rng, real = scenery.suite.rng, planned.value(ref) or "orgkit"
    pools = (string.digits, string.ascii_lowercase, string.ascii_uppercase)
    return "".join(next((rng.choice(pool) for pool in pools if c in pool), c) for c in real)


def code_fields(op: Operation) -> list[str]:
    """The error body fields that carry a status or a code (never the message)."""
    shape = op.error_shape
    fields = [shape.status_field] if shape.status_field else []
    for template in shape.templates.values():
        if isinstance(template, dict):
            fields += [k for k, v in template.items() if v == "{code}" and k not in fields]
    return fields


# -- odd ids --------------------------------------------------------------------------------


def odd_ids(scenery: Scenery, op: Operation) -> Run:
    """Each odd value in each path parameter, the other values real, as a persona allowed."""
    names = [p.name for p in op.parameters if p.location == "path"]
    if not names:
        raise NotApplicable("the operation has no path parameter")
    requests: list[tuple[str, Persona, Planned]] = []
    for name in names:
        base, persona = odd_base(scenery, op, name)
        requests += [(f"{label} in {name}", persona,
                      replace(base, path={**base.path, name: value})) for label, value in ODD_IDS]
    api, target = scenery.suite.api, scenery.suite.target

    def step(label: str, persona: Persona, planned: Planned) -> Callable[[], Exchange]:
        return lambda: odd_path_ids_rejected(api, op, label, send(target, planned,
                                                                  persona.token))

    return lambda: each(step(*request) for request in requests)


def odd_base(scenery: Scenery, op: Operation, name: str) -> tuple[Planned, Persona]:
    """The request with real values elsewhere, and who sends it (else sampled values)."""
    try:
        planned = scenery.plan(op, pins={name: PLACEHOLDER})
        return planned, scenery.actor(planned)
    except SetupFailed:
        return forgery.sampled(scenery, op), broadest_persona(scenery.suite.personas)


CHECKS: tuple[tuple[str, Prepare], ...] = (
    ("wrong_parent_not_found", hierarchy),
    ("refused_create_leaves_nothing", forgery.leakage),
    ("read_only_fields_ignored", forgery.mass_assignment),
    ("odd_path_ids_rejected", odd_ids),
    ("existence_not_revealed", existence),
)
