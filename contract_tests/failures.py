"""CheckFailure, how a check says a property is violated, and `fail`, which raises it.

Below the checks package, the suite and the request sender, which all raise it: none of them
imports another for it (no import cycle).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from contract_tests.target import Exchange


class CheckFailure(AssertionError):
    """A check found the property violated; `expected` says what should have happened.

    `advisory=True` when the violated expectation is our inference (a rule marked
    `inferred: true`, a default the seed is silent on): the verdict is ADVISORY, not FAIL.
    """

    def __init__(self, message: str, expected: str = "", *, advisory: bool = False) -> None:
        super().__init__(message)
        self.message, self.expected, self.advisory = message, expected, advisory
        self.exchange: Exchange | None = None  # the answer that shows it (set by `fail`)


def fail(message: str, expected: str, exchange: Exchange | None = None, *,
         advisory: bool = False) -> CheckFailure:
    """A CheckFailure carrying the exchange that shows it."""
    failure = CheckFailure(message, expected, advisory=advisory)
    failure.exchange = exchange
    return failure
