"""Workflows: Schemathesis stateful runs along the spec's links (create → read/update/... → delete).

One state machine per operation whose 2xx answer has links (the "root"), limited to the root and
the operations it links to. The root runs as a persona allowed to call it, with the scope
parameters its rights name pinned to that persona's tenant/org, so creates succeed and the
linked operations act on real resources. Everything a scenario creates is deleted at its end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import hypothesis
import schemathesis
from hypothesis import HealthCheck, Phase
from schemathesis import GenerationMode
from schemathesis.generation.stateful import run_state_machine_as_test

from contract_tests.checks import CHECKS
from contract_tests.checks.conformance import WORKFLOW_CHECKS
from contract_tests.driver import (
    Deadline,
    Sent,
    Tally,
    applies,
    auth_headers,
    best_caller,
    delete_links,
    emit,
    run_check,
    schema_document,
    send_case,
    undo_create,
)
from contract_tests.personas import Persona
from contract_tests.sites import selected_operations
from contract_tests.suite import Suite
from orgkit.model import Operation

FAMILY = "workflows"
BUDGET = {"quick": 120.0, "full": 900.0}
LINK_CHECKS = ("use_after_free", "ensure_resource_availability")


@dataclass
class Root:
    """A workflow: the operation that starts it, who runs it, what is pinned, what it reached."""

    op: Operation
    targets: tuple[Operation, ...]
    persona: Persona | None = None
    pins: dict[tuple[str, str], str] = field(default_factory=dict)
    statuses: list[int] = field(default_factory=list)
    problem: str = ""


def run(suite: Suite) -> None:
    """Run every workflow the spec's links define; one verdict per operation × check."""
    tally, deadline = Tally(), Deadline(BUDGET[suite.config.profile])
    roots = find_roots(suite)
    for root in roots:
        plan(suite, root)
        if root.persona is not None and not deadline.passed:
            Workflow(suite, root, tally, deadline).run()
        elif root.persona is not None:
            root.problem = f"the family's time budget ({deadline.seconds:.0f} s) was spent"
    for op in selected_operations(suite):
        _verdicts(suite, op, roots, tally)


def find_roots(suite: Suite) -> list[Root]:
    """Every operation with links on a 2xx answer, with the operations they lead to."""
    roots = []
    for op in suite.api.model.operations:
        ids = [link.operation_id for link in op.links if link.status.startswith("2")]
        targets = tuple(suite.api.model.operation(i) for i in dict.fromkeys(ids))
        # A focused run (--operation) follows links only between operations it selected: a
        # workflow whose root is left out does not run, and says so to what it leads to.
        if targets and any(suite.config.selects(o.operation_id) for o in (op, *targets)):
            roots.append(focused(suite, op, targets))
    return roots


def focused(suite: Suite, op: Operation, targets: tuple[Operation, ...]) -> Root:
    """The root with only the selected targets; a problem when it cannot run for that."""
    chosen = tuple(t for t in targets if suite.config.selects(t.operation_id))
    root = Root(op, chosen)
    if not suite.config.selects(op.operation_id):
        root.problem = f"operation {op.operation_id} not selected (--operation)"
    elif not chosen:
        names = ", ".join(t.operation_id for t in targets)
        root.problem = f"none of the operations its links lead to is selected ({names})"
    return root


def plan(suite: Suite, root: Root) -> None:
    """Pick the persona with the most rights among those allowed to call the root."""
    if root.problem:
        return
    found = best_caller(suite, root.op)
    if found is None:
        root.problem = (f"no persona of the personas file may call {root.op.operation_id} in "
                        "its own tenant/org, so no workflow could start")
        return
    root.persona, root.pins = found


class Workflow:
    """The state machine of one root, driven through the suite's target."""

    def __init__(self, suite: Suite, root: Root, tally: Tally, deadline: Deadline) -> None:
        self.suite, self.root, self.tally, self.deadline = suite, root, tally, deadline
        assert root.persona is not None
        self.headers = auth_headers(root.persona)
        self.labels = {f"{o.method} {o.path}": o for o in (root.op, *root.targets)}
        self._last: Sent | None = None

    def run(self) -> None:
        """Run the bounded scenarios; a problem that stops them is kept for the verdicts."""
        profile = self.suite.config.settings
        settings = hypothesis.settings(
            max_examples=profile.max_examples, stateful_step_count=profile.stateful_steps,
            database=None, deadline=None, suppress_health_check=list(HealthCheck),
            phases=[Phase.generate], verbosity=hypothesis.Verbosity.quiet)
        machine = hypothesis.seed(self.suite.config.seed)(self.machine())
        try:
            run_state_machine_as_test(machine, settings=settings)
        except TimeoutError as exc:
            self.root.problem = str(exc)
        except Exception as exc:  # e.g. no answer: a failure, and what ran keeps its verdicts
            self.root.problem = f"the stateful run stopped: {exc!r}"[:400]
            last = self._last.exchange if self._last else None
            self.tally.record(self.root.op.operation_id, "not_a_server_error",
                              self.root.problem, last)

    def schema(self) -> Any:
        """A schema limited to this workflow's operations, positive data only."""
        document = schema_document(self.suite)
        schema = schemathesis.openapi.from_dict(document, config=schemathesis.Config())
        schema.config.update(base_url=self.suite.target.base_url)
        schema.config.generation.update(modes=[GenerationMode.POSITIVE],
                                        with_security_parameters=False)
        # Only the spec's links: inferred ones would be expectations the spec does not state.
        schema.config.phases.stateful.inference.algorithms = []
        ids = [o.operation_id for o in (self.root.op, *self.root.targets)]
        return schema.include(operation_id=ids)

    def machine(self) -> type[Any]:
        """The Schemathesis state machine with our transport, pins, checks and cleanup."""
        flow = self
        base: type[Any] = self.schema().as_state_machine()

        class Machine(base):  # type: ignore[misc, valid-type]
            created: list[tuple[Operation, Sent]]

            def setup(self) -> None:
                super().setup()
                self.created = []

            def before_call(self, case: Any) -> None:
                super().before_call(case)
                flow.pin(case)

            def call(self, case: Any, **kwargs: Any) -> Any:
                sent = flow.send(case)
                op = flow.labels[case.operation.label]
                if 200 <= sent.exchange.status < 300 and any(delete_links(
                        flow.suite, op, sent.exchange.status)):
                    self.created.append((op, sent))
                return sent.response

            def validate_response(self, response: Any, case: Any,
                                  additional_checks: Any = None, **kwargs: Any) -> None:
                flow.judge(case, response, self.recorder)

            def teardown(self) -> None:
                for op, sent in self.created:
                    undo_create(flow.suite, op, sent.exchange, flow.headers)
                super().teardown()

        return Machine

    def pin(self, case: Any) -> None:
        """Put the persona's scope ids into the root's request (links fill the others)."""
        if self.deadline.passed:
            raise TimeoutError(f"time budget of {self.deadline.seconds:.0f} s spent")
        if case.operation.label != f"{self.root.op.method} {self.root.op.path}":
            return
        for (location, name), value in self.root.pins.items():
            container = {"path": case.path_parameters, "query": case.query,
                         "header": case.headers}[location]
            if container is None:
                container = {}
                setattr(case, {"query": "query", "header": "headers"}[location], container)
            container[name] = value

    def send(self, case: Any) -> Sent:
        """Send through the target; remember the exchange for the verdicts."""
        sent = send_case(self.suite.target, case, self.headers)
        if case.operation.label == f"{self.root.op.method} {self.root.op.path}":
            self.root.statuses.append(sent.exchange.status)
        self._last = sent
        return sent

    def judge(self, case: Any, response: Any, recorder: Any) -> None:
        """Run every workflow check that applies; keep the first failure per operation."""
        op = self.labels[case.operation.label]
        linked = recorder.find_parent(case_id=case.id) is not None
        for name, fn in WORKFLOW_CHECKS.items():
            if name in LINK_CHECKS and not linked:
                continue
            if applies(name, case, response):
                failure = run_check(fn, case, response, self.headers, recorder)
                exchange = self._last.exchange if self._last else None
                self.tally.record(op.operation_id, name, failure, exchange)


def _verdicts(suite: Suite, op: Operation, roots: list[Root], tally: Tally) -> None:
    involved = any(r.op == op or op in r.targets for r in roots)
    # Outside every workflow only the link checks are reported (not applicable), not all six.
    for name in WORKFLOW_CHECKS if involved else LINK_CHECKS:
        reason = _not_applied(op, name, roots)
        reached_by = any(op in r.targets for r in roots)
        applicable = involved and (name not in LINK_CHECKS or reached_by)
        emit(suite, FAMILY, op, name, tally.get(op.operation_id, name), reason,
             CHECKS[name].title, applicable=applicable)


def _not_applied(op: Operation, name: str, roots: list[Root]) -> str:
    starts = [r for r in roots if r.op == op]
    reached_by = [r for r in roots if op in r.targets]
    if not starts and not reached_by:
        return "no link of the spec starts at or leads to this operation"
    if name in LINK_CHECKS and not reached_by:
        return "the operation starts workflows; no link leads to it"
    if name == "error_shape_matches":
        return "no step got a 4xx/5xx answer"
    problems = [f"{r.op.operation_id}: {r.problem or _statuses(r)}" for r in reached_by or starts]
    return "never reached through a link (" + "; ".join(problems) + ")"


def _statuses(root: Root) -> str:
    seen = sorted(set(root.statuses))
    return (f"it answered {', '.join(map(str, seen))}" if seen
            else "it was never called") + f" as {root.persona.name if root.persona else '-'}"
