"""Conformance: Schemathesis fuzzes every operation (positive and negative) as the broadest persona.

Each case goes out through the suite's Target; every named check runs on every answer it applies
to, and each operation × check gets one verdict with the first failing case as its evidence.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import httpx
import hypothesis
from hypothesis import HealthCheck, Phase
from schemathesis import GenerationMode

from contract_tests.checks import CHECKS
from contract_tests.checks.conformance import CONFORMANCE_CHECKS, SKIPPED
from contract_tests.driver import (
    Deadline,
    Tally,
    api_operation,
    applies,
    auth_headers,
    broadest_persona,
    emit,
    load_schema,
    run_check,
    send_case,
    undo_create,
)
from contract_tests.suite import Suite
from orgkit.model import Operation

FAMILY = "conformance"
# Seconds for the whole family; operations left when it is spent are skipped, saying so.
BUDGET = {"quick": 240.0, "full": 1800.0}
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


def run(suite: Suite) -> None:
    """Fuzz every operation of the API and record one verdict per operation × check."""
    schema = load_schema(suite)
    # The Authorization header is ours: generated (or negated) security headers would be
    # overwritten by it and then judged as if they had been sent.
    schema.config.generation.update(with_security_parameters=False)
    persona = broadest_persona(suite.personas)
    fuzz = Fuzzer(suite, schema, auth_headers(persona), Deadline(BUDGET[suite.config.profile]))
    for op in suite.api.model.operations:
        if fuzz.deadline.passed:
            _skip_all(suite, op, f"the family's time budget ({fuzz.deadline.seconds:.0f} s) "
                                 "was spent before this operation")
            continue
        notes = fuzz.operation(op)
        _verdicts(suite, op, fuzz.tally, notes)


class Fuzzer:
    """Drives Hypothesis over one operation at a time and tallies check outcomes."""

    def __init__(self, suite: Suite, schema: Any, headers: Mapping[str, str],
                 deadline: Deadline) -> None:
        self.suite, self.schema, self.headers, self.deadline = suite, schema, headers, deadline
        self.tally = Tally()

    def operation(self, op: Operation) -> dict[str, str]:
        """Run both generation modes; notes say why a mode produced no case."""
        notes: dict[str, str] = {}
        for mode in MODES:
            try:
                strategy = api_operation(self.schema, op).as_strategy(generation_mode=mode)
                self._drive(strategy, lambda case: self._case(op, case))
            except hypothesis.errors.Unsatisfiable:
                notes[mode.value] = f"Schemathesis can generate no {mode.value} case for it"
            except Exception as exc:  # generation problems must not stop the other operations
                notes[mode.value] = f"{mode.value} generation failed: {exc!r}"[:300]
        return notes

    def _drive(self, strategy: Any, body: Callable[[Any], None]) -> None:
        profile = self.suite.config.settings

        @hypothesis.seed(self.suite.config.seed)
        @hypothesis.settings(max_examples=profile.max_examples, database=None, deadline=None,
                             suppress_health_check=list(HealthCheck), phases=[Phase.generate],
                             verbosity=hypothesis.Verbosity.quiet)
        @hypothesis.given(strategy)
        def test(case: Any) -> None:
            if not self.deadline.passed:
                body(case)

        test()

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
        for name, fn in CONFORMANCE_CHECKS.items():
            if applies(name, case, sent.response):
                self.tally.record(op.operation_id, name, _safe_check(fn, case, sent, self.headers),
                                  sent.exchange)
        if 200 <= sent.exchange.status < 300:
            undo_create(self.suite, op, sent.exchange, self.headers)


def _safe_check(fn: Callable[..., Any], case: Any, sent: Any,
                headers: Mapping[str, str]) -> str | None:
    try:
        return run_check(fn, case, sent.response, headers)
    except Exception as exc:  # a crashing check is reported, not hidden
        return f"the check could not judge this answer: {exc!r}"


NOT_APPLIED = {
    "negative_data_rejection": "no case violated the schema",
    "error_shape_matches": "no case got a 4xx/5xx answer",
    "response_headers_conformance": "no answer had a status that documents response headers",
}


def _verdicts(suite: Suite, op: Operation, tally: Tally, notes: dict[str, str]) -> None:
    why = "; ".join(notes.values())
    for name in CONFORMANCE_CHECKS:
        reason = NOT_APPLIED.get(name, "no case was generated")
        if name == "negative_data_rejection" and "negative" in notes:
            reason = notes["negative"]
        elif why and name not in NOT_APPLIED:
            reason = f"{reason} ({why})"
        emit(suite, FAMILY, op, name, tally.get(op.operation_id, name), reason,
             CHECKS[name].title)
    for name, reason in SKIPPED.items():
        suite.skip(FAMILY, name, op, reason)


def _skip_all(suite: Suite, op: Operation, reason: str) -> None:
    for name in (*CONFORMANCE_CHECKS, *SKIPPED):
        suite.skip(FAMILY, name, op, reason)
