"""Named checks: small functions that raise CheckFailure saying what was expected."""

from __future__ import annotations

from contract_tests.checks.base import CHECKS, check
from contract_tests.failures import CheckFailure

__all__ = ["CHECKS", "CheckFailure", "check"]
