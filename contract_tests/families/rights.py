"""The rights family: authentication, the rights rule per persona, tenant isolation, state.

Expectations come from the oracle `orgkit.rights.authorize` over the spec's `x-orgkit-rights`
rule, the personas file (what each persona holds) and the concrete request the scenery plans.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from contract_tests import stock, tenancy
from contract_tests.checks.auth import (
    each,
    qualified_caller_allowed,
    rights_enforced,
    unauthenticated_refused,
)
from contract_tests.families import escalation
from contract_tests.personas import Persona
from contract_tests.requests import Planned, SetupFailed, send
from contract_tests.scenery import Scenery
from contract_tests.sites import fresh_for_each_caller, selected_operations
from contract_tests.suite import Suite
from contract_tests.target import Exchange
from orgkit.model import Operation
from orgkit.rightsrules import RightsMode

FAMILY = "rights"
PER_OPERATION = ("unauthenticated_refused", "rights_enforced", "qualified_caller_allowed")
GARBAGE_TOKEN = "orgkit-not-a-token"


@dataclass(frozen=True)
class Scene:
    """A planned request and the path values pinned for every persona's variant of it."""

    planned: Planned
    pins: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Call:
    """A persona sending a planned request, and why the oracle expects what it does."""

    persona: Persona
    planned: Planned
    reason: str = ""
    status: int = 403


def run(suite: Suite) -> None:
    """Judge every selected operation, then tenant isolation and rights following state."""
    scenery = Scenery(suite)
    operations = selected_operations(suite)
    for op in operations:
        check_operation(suite, scenery, op)
    escalation.run(suite, scenery)
    if any(tenancy.scoped(op) for op in suite.api.model.operations):  # an API with tenants
        for op in operations:
            tenancy.check_isolation(suite, scenery, op)
        tenancy.check_follow_state(suite, scenery, operations)


def check_operation(suite: Suite, scenery: Scenery, op: Operation) -> None:
    """The three per-operation checks; skipped when the request cannot be prepared."""
    try:
        scenes = plan_scenes(scenery, op)
        refused = [c for scene in scenes for c in refused_calls(scenery, scene)]
        allowed = [c for scene in scenes for c in allowed_calls(scenery, scene)]
    except SetupFailed as exc:
        for name in PER_OPERATION:
            suite.not_tested(FAMILY, name, op, f"cannot prepare the request: {exc}")
        return
    check_unauthenticated(suite, scenery, scenes[0].planned)
    check_refused(suite, scenery, op, refused)
    check_allowed(suite, scenery, op, allowed)


def plan_scenes(scenery: Scenery, op: Operation) -> list[Scene]:
    """The request at the home site, plus one inside each confined token's own organization."""
    scenes = [Scene(scenery.plan(op))]
    confined = op.rights.org_confined_to
    if confined is not None:
        for persona in scenery.personas():
            if persona.caller.confined and persona.caller.org:
                pins = {confined.name: persona.caller.org}
                scenes.append(Scene(scenery.plan(op, persona, pins=pins), pins))
    return scenes


def refused_calls(scenery: Scenery, scene: Scene) -> list[Call]:
    """Personas the oracle refuses this request (owner mode: everybody but the owner)."""
    calls, planned = [], scene.planned
    owner = scenery.owner_of(planned)
    for persona in scenery.personas():
        if planned.op.rights.mode is RightsMode.OWNER:
            if owner is not None and persona.caller.subject != owner:
                calls.append(Call(persona, planned, "only the item's owner may see it", 404))
            continue
        reason = scenery.refusal(persona, planned)
        if reason is not None:
            calls.append(Call(persona, scenery.with_body(planned, persona), reason))
    return calls


def allowed_calls(scenery: Scenery, scene: Scene) -> list[Call]:
    """Personas the oracle allows; each gets its own disposable item where it needs one."""
    op, calls = scene.planned.op, []
    fresh = fresh_for_each_caller(op)
    for persona in scenery.personas():
        if scenery.refusal(persona, scene.planned) is not None:
            continue
        planned = scenery.plan(op, persona, fresh=fresh, pins=scene.pins)
        if not scenery.may_hand_out(persona, planned):
            continue  # the grant rule (x-orgkit-grants) refuses it the rights this body names
        owner = scenery.owner_of(planned)
        if op.rights.mode is RightsMode.OWNER and owner != persona.caller.subject:
            continue
        calls.append(Call(persona, planned))
    return calls


def check_unauthenticated(suite: Suite, scenery: Scenery, scene: Planned) -> None:
    """No token, a tampered signature, a garbage token."""
    public = scene.op.rights.mode is RightsMode.PUBLIC

    def attempt(label: str, token: str | None) -> Callable[[], Exchange]:
        def one() -> Exchange:
            exchange = send(suite.target, scene, token)
            unauthenticated_refused(label, exchange, public=public, api=suite.api, op=scene.op)
            return exchange
        return one

    attempts = broken_credentials(scenery, public)
    suite.verdict(FAMILY, "unauthenticated_refused", scene.op,
                  lambda: each(attempt(label, token) for label, token in attempts))


def broken_credentials(scenery: Scenery, public: bool) -> list[tuple[str, str | None]]:
    """No token; for secured operations also a tampered and a garbage token."""
    attempts: list[tuple[str, str | None]] = [("no token", None)]
    if not public:
        holder = scenery.personas()[0]
        attempts += [(f"{holder.name}'s token with a tampered signature", tamper(holder.token)),
                     ("a garbage token", GARBAGE_TOKEN)]
    return attempts


def tamper(token: str) -> str:
    """The token with one character of its signature changed (any token: one char changed)."""
    head, dot, signature = token.rpartition(".")
    text = signature if dot else token
    middle = len(text) // 2
    swapped = "A" if text[middle:middle + 1] != "A" else "B"
    changed = text[:middle] + swapped + text[middle + 1:]
    return f"{head}.{changed}" if dot else changed


def check_refused(suite: Suite, scenery: Scenery, op: Operation, calls: list[Call]) -> None:
    """rights_enforced over every refused persona."""
    if not calls:
        if not (op.rights.can_forbid or op.rights.mode is RightsMode.OWNER):
            suite.not_applicable(FAMILY, "rights_enforced", op, "the rights rule refuses no "
                                 f"authenticated caller ({op.rights.mode.value})")
        else:
            suite.not_tested(FAMILY, "rights_enforced", op, "no persona of the personas file "
                             f"lacks the qualifying rights ({op.rights.mode.value})")
        return

    def judge(call: Call, exchange: Exchange) -> None:
        rights_enforced(call.persona.name, exchange, reason=call.reason, api=suite.api,
                        op=op, status=call.status)

    suite.verdict(FAMILY, "rights_enforced", op, lambda: send_all(suite, scenery, calls, judge))


def check_allowed(suite: Suite, scenery: Scenery, op: Operation, calls: list[Call]) -> None:
    """qualified_caller_allowed over every allowed persona."""
    if not calls:
        suite.not_tested(FAMILY, "qualified_caller_allowed", op,
                         "no persona of the personas file holds a qualifying right")
        return
    secret = stock.unknown_secret(calls[0].planned)
    if secret:
        suite.not_tested(FAMILY, "qualified_caller_allowed", op, secret)
        return

    def judge(call: Call, exchange: Exchange) -> None:
        qualified_caller_allowed(call.persona.name, exchange, api=suite.api, op=op)

    suite.verdict(FAMILY, "qualified_caller_allowed", op,
                  lambda: send_all(suite, scenery, calls, judge))


def send_all(suite: Suite, scenery: Scenery, calls: Sequence[Call],
             judge: Callable[[Call, Exchange], None]) -> Exchange | None:
    """Send every call (recording what it created for cleanup) and judge each answer."""

    def step(call: Call) -> Callable[[], Exchange]:
        def one() -> Exchange:
            exchange = send(suite.target, call.planned, call.persona.token)
            scenery.adopt(call.planned, exchange, call.persona)
            judge(call, exchange)
            return exchange
        return one

    return each(step(call) for call in calls)
