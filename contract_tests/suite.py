"""The context every family runs in, and the helper that turns a check into a verdict."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from contract_tests.checks import CheckFailure
from contract_tests.config import ContractConfig
from contract_tests.personas import Persona
from contract_tests.results import CheckResult, Outcome, Results
from contract_tests.target import Exchange, Target
from orgkit.model import Operation
from orgkit.specs import LoadedApi


@dataclass
class Suite:
    """One run: the spec (the only source of expectations), the target, personas, results."""

    config: ContractConfig
    api: LoadedApi
    target: Target
    personas: dict[str, Persona]
    results: Results
    rng: random.Random = field(default_factory=random.Random)
    cleanup: list[Callable[[], Any]] = field(default_factory=list)
    generated: int = 0  # Schemathesis cases sent and judged (as `st run` counts "generated")

    def verdict(self, family: str, check: str, op: Operation,
                run: Callable[[], Exchange | None]) -> bool:
        """Run one check; record pass, or fail with its evidence. Returns whether it passed."""
        try:
            exchange = run()
        except CheckFailure as failure:
            self.results.add(CheckResult(family, check, op.operation_id, Outcome.FAIL,
                                         failure.message, failure.expected,
                                         getattr(failure, "exchange", None)))
            return False
        self.results.add(CheckResult(family, check, op.operation_id, Outcome.PASS,
                                     exchange=exchange))
        return True

    def skip(self, family: str, check: str, op: Operation, reason: str) -> None:
        """Record that a check does not apply (or cannot run) and why."""
        self.results.add(CheckResult(family, check, op.operation_id, Outcome.SKIP, reason))


def fail(message: str, expected: str, exchange: Exchange | None = None) -> CheckFailure:
    """A CheckFailure carrying the exchange that shows it."""
    failure = CheckFailure(message, expected)
    failure.exchange = exchange  # type: ignore[attr-defined]
    return failure
