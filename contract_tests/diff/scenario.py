"""The scenario: planned once from the spec and its rules, played against both sides at once.

Per operation (spec order): setup (what the request needs, created through the rules' parents
and the spec's links by the contract suite's planning code), rights probes (no token, every
other persona, a foreign tenant), negative data (a body without its required fields), the call
itself with the spec's example data as a persona the rules allow, an undeclared method; then
list walks in both paging styles (after every create) and teardown of everything created.
Every request goes through the Lockstep transport, so the right side gets the same request with
its own ids and tokens, in the same order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from contract_tests.diff.classification import NEGATIVE
from contract_tests.diff.lockstep import Lockstep
from contract_tests.diff.mapping import IdMap, Origin, strings_in
from contract_tests.diff.steps import Context, Step
from contract_tests.personas import Persona
from contract_tests.requests import Planned, SetupFailed, body_schema
from contract_tests.scenery import Scenery
from contract_tests.sites import MUTATING, home_persona
from contract_tests.suite import Suite
from contract_tests.target import Target
from contract_tests.tenancy import scoped
from contract_tests.walks import Walker, default_order
from orgkit.errors import ConfigError, OrgkitError
from orgkit.model import Operation

# Methods tried, in order, to find one a path does not declare (the 405 probe).
UNDECLARED = ("PATCH", "PUT", "POST", "DELETE", "GET")


@dataclass(frozen=True)
class Paging:
    """How long list walks are: page size and the most pages walked."""

    per_page: int
    bound: int


PAGING = {"quick": Paging(10, 20), "full": Paging(5, 100)}


@dataclass
class Played:
    """What a played scenario left: the steps and the operations it could not set up."""

    steps: list[Step]
    skipped: dict[str, str] = field(default_factory=dict)


def map_personas(left: Mapping[str, Persona], right: Mapping[str, Persona], ids: IdMap) -> None:
    """Map each left persona's token, user, tenant and organisation to the same role's."""
    missing = sorted(set(left) - set(right))
    if missing:
        raise ConfigError(f"the right personas file lacks the roles {missing} "
                          "(both files need the same persona names)")
    for name, lp in left.items():
        rp = right[name]
        pairs = [("token", lp.token, rp.token), ("user", lp.caller.subject, rp.caller.subject),
                 ("tenant", lp.tenant_id, rp.tenant_id), ("org", lp.org_id, rp.org_id),
                 ("tid", lp.caller.tenant, rp.caller.tenant)]
        for fact, lv, rv in pairs:
            if lv and rv:
                ids.add(lv, rv, Origin(0, f"persona {name} {fact}"))


class Player:
    """Plays the scenario: the suite's planning code drives the left side through Lockstep."""

    def __init__(self, suite: Suite, lock: Lockstep, right: Mapping[str, Persona],
                 walk_targets: tuple[Target, Target], paging: Paging) -> None:
        self.suite, self.lock, self.right = suite, lock, right
        self.scenery = Scenery(suite)
        self.home = home_persona(suite.personas)
        self.walk_targets, self.paging = walk_targets, paging
        self.probed_paths: set[str] = set()
        self.lists: list[tuple[Operation, Planned, Persona]] = []
        self.played = Played(lock.steps)

    def play(self, operations: list[Operation]) -> Played:
        """Every operation in order, then teardown."""
        try:
            for op in operations:
                self.operation(op)
            for op, planned, actor in self.lists:  # after every create: made items are listed
                self.walks(op, planned, actor)
        finally:
            self.teardown()
        return self.played

    def at(self, phase: str, op: Operation | None, label: str, expect: str = "",
           persona: str | None = None) -> None:
        """Set what the next requests are for."""
        self.lock.context = Context(phase, op.operation_id if op else None, label, expect,
                                    persona)

    def operation(self, op: Operation) -> None:
        """Setup, probes, the call, walks and the method probe of one operation."""
        self.at("setup", op, "prepare the request")
        try:
            planned = self.scenery.plan(op, fresh=op.method in MUTATING)
            actor = self.scenery.actor(planned, [self.home])
            self.probes(op, planned, actor)
            self.at("call", op, f"as {actor.name}", "allowed", actor.name)
            exchange = self.scenery.call(planned, actor)
            self.scenery.adopt(planned, exchange, actor)
            if op.pagination is not None and exchange.status == 200:
                self.lists.append((op, planned, actor))
            self.method_probe(op, planned, actor)
        except (SetupFailed, OrgkitError) as exc:
            self.played.skipped[op.operation_id] = str(exc)

    def probes(self, op: Operation, planned: Planned, actor: Persona) -> None:
        """No token, each other persona (only refused ones where the call changes state), and
        the actor aimed at another tenant."""
        if op.rights.needs_token:
            self.at("probe", op, "without a token", "unauthenticated")
            self.scenery.call(planned, None)
        for persona in self.scenery.personas():
            refused = self.scenery.refusal(persona, planned) is not None
            if persona is actor or (op.method in MUTATING and not refused):
                continue
            self.at("probe", op, f"as {persona.name}", "refused" if refused else "allowed",
                    persona.name)
            self.scenery.call(planned, persona)
        self.foreign(op, actor)
        self.negative(op, planned, actor)

    def negative(self, op: Operation, planned: Planned, actor: Persona) -> None:
        """The actor's request with an empty JSON body where the body requires fields."""
        media, schema = body_schema(op)
        if "json" not in media or not schema.get("required"):
            return
        self.at("probe", op, f"{NEGATIVE} (required fields missing)", "", actor.name)
        self.scenery.call(replace(planned, body={}), actor)

    def foreign(self, op: Operation, actor: Persona) -> None:
        """The actor's request aimed at another tenant's resources."""
        away = self.scenery.away
        if away is None or not scoped(op):
            return
        self.at("setup", op, "prepare the foreign-tenant request")
        planned = self.scenery.plan(op, site=away, fresh=op.method in MUTATING)
        if self.scenery.refusal(actor, planned) is None:
            return
        self.at("probe", op, f"as {actor.name} in another tenant", "isolated", actor.name)
        self.scenery.call(planned, actor)

    def walks(self, op: Operation, planned: Planned, actor: Persona) -> None:
        """Walk the list in each paging style on both sides, independently."""
        rule = op.pagination
        assert rule is not None
        per_page = min(self.paging.per_page, rule.max_per_page)
        right_planned = translate(planned, self.lock.ids)
        order = default_order(rule)
        for style in rule.styles:
            left = Walker(self.walk_targets[0], planned, actor.token, rule)
            right = Walker(self.walk_targets[1], right_planned, self.right[actor.name].token,
                           rule)
            walks = (left.walk(style, per_page, order, self.paging.bound),
                     right.walk(style, per_page, order, self.paging.bound))
            self.at("walk", op, f"{style.value} walk, per_page={per_page}", "", actor.name)
            self.lock.record_walk(walks, planned_values(planned))

    def method_probe(self, op: Operation, planned: Planned, actor: Persona) -> None:
        """A method the path does not declare, once per path: 405 with an Allow header."""
        if op.path in self.probed_paths:
            return
        self.probed_paths.add(op.path)
        declared = self.suite.api.model.path_methods(op.path)
        method = next((m for m in UNDECLARED if m not in declared), None)
        if method is None:
            return
        self.at("probe", op, f"{method} (not declared for the path)", "", actor.name)
        self.suite.target.call(method, planned.url_path, token=actor.token)

    def teardown(self) -> None:
        """Undo what the scenario created, newest first (best effort, recorded as steps)."""
        self.at("teardown", None, "delete what the scenario created")
        for undo in reversed(self.suite.cleanup):
            try:
                undo()
            except Exception:  # best effort, as in the contract suite; answers are recorded
                pass
        self.suite.cleanup.clear()


def translate(planned: Planned, ids: IdMap) -> Planned:
    """The right side's version of a planned request."""
    return Planned(planned.op, {k: ids.translate_text(v) for k, v in planned.path.items()},
                   ids.translate(dict(planned.query)), ids.translate(dict(planned.headers)),
                   ids.translate(planned.body), planned.content)


def planned_values(planned: Planned) -> frozenset[str]:
    """The strings of a planned request (for dependencies)."""
    return strings_in({"p": dict(planned.path), "q": dict(planned.query),
                       "h": dict(planned.headers), "b": planned.body})
