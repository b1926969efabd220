"""One test per family × operation: it fails when any check of the family failed there.

Advisory verdicts (an inferred expectation violated) do not fail the test unless `--strict`.
"""

from __future__ import annotations

from contract_tests.conftest import Run
from contract_tests.results import Outcome


def test_contract(contract_results: Run, family_operation: tuple[str, str]) -> None:
    """No FAIL verdict (nor ADVISORY with --strict) for this family on this operation."""
    family, operation_id = family_operation
    failing = {Outcome.FAIL, Outcome.ADVISORY} if contract_results.strict else {Outcome.FAIL}
    failed = [contract_results.redactor.result(r) for r in contract_results.results
              if r.family == family and r.operation_id == operation_id and r.outcome in failing]
    report = "\n\n".join(
        f"{r.check} ({r.outcome.value}): {r.message}\n  expected: {r.expected}"
        + (f"\n  request: {r.exchange.curl()}\n  response: {r.exchange.status} "
           f"{r.exchange.response_text[:500]}" if r.exchange else "")
        for r in failed)
    assert not failed, f"{len(failed)} failed check(s) of {family} on {operation_id}:\n{report}"
