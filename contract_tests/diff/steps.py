"""The steps of a played scenario: what was asked of both sides and what each answered."""

from __future__ import annotations

from dataclasses import dataclass

from contract_tests.target import Exchange
from contract_tests.walks import Walk

PHASES = ("setup", "call", "probe", "walk", "teardown")


@dataclass(frozen=True)
class Context:
    """Why a request is sent: its phase, operation, a label and the oracle's rights outcome."""

    phase: str
    operation: str | None = None
    label: str = ""
    # What the spec's rights rule predicts for the caller: allowed | refused | unauthenticated
    # ("" when the step is no rights probe).
    expect: str = ""
    persona: str | None = None


@dataclass(frozen=True)
class Step:
    """One request sent to both sides (or one list walk on both sides) and the answers."""

    number: int
    context: Context
    left: Exchange
    right: Exchange
    depends: tuple[int, ...] = ()  # earlier steps whose ids the request uses (transitively)
    walks: tuple[Walk, Walk] | None = None

    @property
    def operation(self) -> str:
        """The operation the step belongs to ("" for teardown and shared setup)."""
        return self.context.operation or ""
