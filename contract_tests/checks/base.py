"""The check registry: each check has a name that states the property it proves."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from contract_tests.failures import CheckFailure

F = TypeVar("F", bound=Callable[..., Any])
# stated: the seed says it (a violation fails); inferred: the whole expectation is ours
# (advisory); rights-rule: as stated as the operation's x-orgkit-rights rule (advisory where
# the rule is marked `inferred: true`).
BASES = ("stated", "inferred", "rights-rule")


@dataclass(frozen=True)
class CheckInfo:
    """A registered check; `basis` "inferred" makes every failure of it advisory."""

    name: str
    family: str
    title: str
    basis: str = "stated"


CHECKS: dict[str, CheckInfo] = {}


def check(name: str, family: str, title: str, basis: str = "stated") -> Callable[[F], F]:
    """Register a check function under a property name (e.g. `pages_are_disjoint`).

    `basis="inferred"` declares that the whole expectation is our inference, not the seed's.
    """
    if basis not in BASES:
        raise ValueError(f"check {name!r}: basis must be one of {BASES}, got {basis!r}")

    def register(fn: F) -> F:
        if name in CHECKS:
            raise ValueError(f"check {name!r} registered twice")
        CHECKS[name] = CheckInfo(name, family, title, basis)
        fn.check_name = name  # type: ignore[attr-defined]
        return fn

    return register


def is_advisory(check_name: str, failure: CheckFailure, rule_inferred: bool = False) -> bool:
    """Whether a failure is advisory: flagged so, the check's basis is inferred, or the check
    rests on the operation's rights rule and that rule is inferred (`rule_inferred`)."""
    info = CHECKS.get(check_name)
    basis = info.basis if info is not None else "stated"
    return failure.advisory or basis == "inferred" or (basis == "rights-rule" and rule_inferred)
