"""Conformance: Schemathesis' cases for every operation, sent as the broadest persona.

The cases are those of `st run`'s examples, coverage and fuzzing phases (contract_tests.phases).
Each goes out through the suite's Target; every named check runs on every answer it applies to,
and each operation × check gets one verdict with the first failing case as its evidence.
positive_data_acceptance is judged after each operation's cases, on the suite's own valid
requests (contract_tests.families.acceptance).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from contract_tests.checks import CHECKS
from contract_tests.checks.conformance import CONFORMANCE_CHECKS
from contract_tests.driver import (
    Deadline,
    Judge,
    Tally,
    api_operation,
    applies,
    auth_headers,
    broadest_persona,
    emit,
    guarded,
    load_schema,
    send_case,
    undo_create,
    violates_only_inferred,
)
from contract_tests.families.acceptance import CHECK as ACCEPTANCE
from contract_tests.families.acceptance import check_acceptance
from contract_tests.phases import CaseSource
from contract_tests.requests import body_schema
from contract_tests.scenery import Scenery
from contract_tests.sites import selected_operations
from contract_tests.suite import Suite
from orgkit.model import Operation
from orgkit.rules import without_inferred

FAMILY = "conformance"
# Seconds for the whole family; operations left when it is spent are skipped, saying so.
BUDGET = {"quick": 240.0, "full": 1800.0}
GUARDED = {name: guarded(fn) for name, fn in CONFORMANCE_CHECKS.items()}


def run(suite: Suite) -> None:
    """Send every selected operation's cases; record one verdict per operation × check."""
    schema = load_schema(suite)
    # The Authorization header is ours: generated (or negated) security headers would be
    # overwritten by it and then judged as if they had been sent.
    schema.config.generation.update(with_security_parameters=False)
    persona = broadest_persona(suite.personas)
    fuzz = Fuzzer(suite, schema, auth_headers(persona), Deadline(BUDGET[suite.config.profile]))
    scenery = Scenery(suite)
    for op in selected_operations(suite):
        if fuzz.deadline.passed:
            _skip_all(suite, op, f"the family's time budget ({fuzz.deadline.seconds:.0f} s) "
                                 "was spent before this operation")
            continue
        notes = fuzz.operation(op)
        _verdicts(suite, op, fuzz.tally, notes)
        check_acceptance(suite, scenery, op)


class Fuzzer:
    """Sends one operation's cases, phase by phase, and tallies check outcomes."""

    def __init__(self, suite: Suite, schema: Any, headers: Mapping[str, str],
                 deadline: Deadline) -> None:
        self.suite, self.schema, self.headers, self.deadline = suite, schema, headers, deadline
        profile = suite.config.settings
        self.source = CaseSource(profile.phases, profile.max_examples, suite.config.seed)
        self.tally = Tally()
        self.judge = Judge(headers)
        self.lenient: dict[str, Mapping[str, Any] | None] = {}

    def _lenient_body(self, op: Operation) -> Mapping[str, Any] | None:
        """The JSON body schema without our inferred keywords (None: no JSON body)."""
        if op.operation_id not in self.lenient:
            media, schema = body_schema(op)
            self.lenient[op.operation_id] = without_inferred(schema) if "json" in media else None
        return self.lenient[op.operation_id]

    def operation(self, op: Operation) -> dict[str, str]:
        """Send every phase's cases; notes say which phase could not generate, and why."""
        return self.source.drive(api_operation(self.schema, op),
                                 lambda case: self._case(op, case),
                                 lambda: not self.deadline.passed)

    def _case(self, op: Operation, case: Any) -> None:
        try:
            sent = send_case(self.suite.target, case, self.headers)
        except httpx.HTTPError as exc:
            self.tally.record(op.operation_id, "not_a_server_error",
                              f"no answer from the implementation: {exc!r}", None)
            return
        except Exception as exc:  # unreadable answers must fail, not vanish as "no case"
            self.tally.record(op.operation_id, "not_a_server_error",
                              f"the suite could not send this case or read its answer: {exc!r}",
                              None)
            return
        self.suite.generated += 1
        chosen = {name: fn for name, fn in GUARDED.items() if applies(name, case, sent.response)}
        inferred = self.suite.api.model.inferred_constraints
        lenient = self._lenient_body(op)
        for name, failure in self.judge.judge(case, sent.response, chosen).items():
            advisory = failure is not None and violates_only_inferred(
                name, failure, inferred, case, lenient)
            self.tally.record(op.operation_id, name, failure, sent.exchange, advisory=advisory)
        if 200 <= sent.exchange.status < 300:
            undo_create(self.suite, op, sent.exchange, self.headers)


NOT_APPLIED = {
    "negative_data_rejection": "no case violated the schema",
    "error_shape_matches": "no case got a 4xx/5xx answer",
    "response_headers_conformance": "no answer had a status that documents response headers",
}


def applicable(suite: Suite, op: Operation, name: str) -> bool:
    """False for response_headers_conformance on an operation that documents no headers."""
    if name != "response_headers_conformance":
        return True
    return any(r.headers for r in op.responses.values())


def _verdicts(suite: Suite, op: Operation, tally: Tally, notes: dict[str, str]) -> None:
    why = "; ".join(notes.values())
    for name in CONFORMANCE_CHECKS:
        reason = NOT_APPLIED.get(name, "no case was generated")
        if why:
            reason = f"{reason} ({why})"
        emit(suite, FAMILY, op, name, tally.get(op.operation_id, name), reason,
             CHECKS[name].title, applicable=applicable(suite, op, name))


def _skip_all(suite: Suite, op: Operation, reason: str) -> None:
    for name in (*CONFORMANCE_CHECKS, ACCEPTANCE):
        suite.skip(FAMILY, name, op, reason)
