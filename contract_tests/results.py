"""What a run found: one result per operation × family × check, with the evidence."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from contract_tests.target import Exchange


class Outcome(StrEnum):
    """A check's verdict.

    FAIL breaks an expectation the seed states; ADVISORY breaks one we inferred (a rule with
    `inferred: true`, or a default the seed is silent on); NOT_APPLICABLE: the check cannot
    apply to the operation (no body, no uuid parameter); NOT_TESTED: it could apply but did
    not run, and the message says why.
    """

    PASS = "pass"
    FAIL = "fail"
    ADVISORY = "advisory"
    NOT_APPLICABLE = "not_applicable"
    NOT_TESTED = "not_tested"


# How each outcome is named in verdict lines and report totals, in report order.
LABELS = {Outcome.PASS: "passed", Outcome.FAIL: "failed", Outcome.ADVISORY: "advisory",
          Outcome.NOT_APPLICABLE: "not applicable", Outcome.NOT_TESTED: "not tested"}


@dataclass(frozen=True)
class CheckResult:
    """One verdict with what was sent, what came back and what was expected."""

    family: str
    check: str
    operation_id: str
    outcome: Outcome
    message: str = ""
    expected: str = ""
    exchange: Exchange | None = None
    seconds: float = 0.0  # how long the check ran (0 for verdicts recorded without running)


@dataclass
class Results:
    """All verdicts of a run; `on_result` sees each as it arrives (live progress)."""

    items: list[CheckResult] = field(default_factory=list)
    on_result: Callable[[CheckResult], None] | None = None

    def add(self, result: CheckResult) -> None:
        """Record a verdict."""
        self.items.append(result)
        if self.on_result is not None:
            self.on_result(result)

    def __iter__(self) -> Iterator[CheckResult]:
        return iter(self.items)

    def failures(self) -> list[CheckResult]:
        """The failed verdicts."""
        return self.having(Outcome.FAIL)

    def advisories(self) -> list[CheckResult]:
        """The advisory verdicts (inferred expectations violated)."""
        return self.having(Outcome.ADVISORY)

    def having(self, outcome: Outcome) -> list[CheckResult]:
        """The verdicts with one outcome, in the order they were recorded."""
        return [r for r in self.items if r.outcome is outcome]

    def count(self, outcome: Outcome, family: str | None = None) -> int:
        """How many verdicts have an outcome (in one family)."""
        return sum(1 for r in self.items
                   if r.outcome is outcome and (family is None or r.family == family))

    def exit_code(self, *, strict: bool = False) -> int:
        """0 without failures (advisories allowed unless strict), else 1."""
        return 1 if self.failures() or (strict and self.advisories()) else 0

