"""The check registry: each check has a name that states the property it proves."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class CheckFailure(AssertionError):
    """A check found the property violated; `expected` says what should have happened."""

    def __init__(self, message: str, expected: str = "") -> None:
        super().__init__(message)
        self.message, self.expected = message, expected


@dataclass(frozen=True)
class CheckInfo:
    """A registered check."""

    name: str
    family: str
    title: str


CHECKS: dict[str, CheckInfo] = {}


def check(name: str, family: str, title: str) -> Callable[[F], F]:
    """Register a check function under a property name (e.g. `pages_are_disjoint`)."""

    def register(fn: F) -> F:
        if name in CHECKS:
            raise ValueError(f"check {name!r} registered twice")
        CHECKS[name] = CheckInfo(name, family, title)
        fn.check_name = name  # type: ignore[attr-defined]
        return fn

    return register
