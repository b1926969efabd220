"""What a run found: one result per operation × family × check, with the evidence."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from contract_tests.target import Exchange


class Outcome(StrEnum):
    """A check's verdict."""

    PASS = "pass"
    FAIL = "fail"
    SKIP = "skip"


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
        return [r for r in self.items if r.outcome is Outcome.FAIL]

    def count(self, outcome: Outcome, family: str | None = None) -> int:
        """How many verdicts have an outcome (in one family)."""
        return sum(1 for r in self.items
                   if r.outcome is outcome and (family is None or r.family == family))
