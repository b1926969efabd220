"""The context every family runs in, and the helper that turns a check into a verdict."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from contract_tests.checks.base import is_advisory
from contract_tests.config import ContractConfig
from contract_tests.failures import CheckFailure
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
    started: float = field(default_factory=time.time)  # epoch seconds, for the certificate

    def verdict(self, family: str, check: str, op: Operation,
                run: Callable[[], Exchange | None]) -> bool:
        """Run one check; record pass, or fail / advisory with its evidence. Whether it passed."""
        started = time.monotonic()
        try:
            exchange = run()
        except CheckFailure as failure:
            advisory = is_advisory(check, failure, rule_inferred=op.rights.inferred)
            outcome = Outcome.ADVISORY if advisory else Outcome.FAIL
            self.results.add(CheckResult(family, check, op.operation_id, outcome,
                                         failure.message, failure.expected, failure.exchange,
                                         time.monotonic() - started))
            return False
        self.results.add(CheckResult(family, check, op.operation_id, Outcome.PASS,
                                     exchange=exchange, seconds=time.monotonic() - started))
        return True

    def not_applicable(self, family: str, check: str, op: Operation, reason: str) -> None:
        """Record that a check cannot apply to the operation (no body, no uuid parameter)."""
        self.results.add(CheckResult(family, check, op.operation_id, Outcome.NOT_APPLICABLE,
                                     reason))

    def not_tested(self, family: str, check: str, op: Operation, reason: str) -> None:
        """Record that a check could apply but did not run, and why."""
        self.results.add(CheckResult(family, check, op.operation_id, Outcome.NOT_TESTED, reason))

    # The name families used before verdicts were split: a skip is "not tested".
    skip = not_tested

    def secrets(self) -> list[str]:
        """Every credential of the run (tokens, client secrets): never printed or reported."""
        return [s for p in self.personas.values() for s in (p.token, *p.secrets) if s]

