"""One test per family × operation: it fails when any check of the family failed there."""

from __future__ import annotations

from contract_tests.results import Outcome, Results


def test_contract(contract_results: Results, family_operation: tuple[str, str]) -> None:
    """No FAIL verdict for this family on this operation."""
    family, operation_id = family_operation
    failed = [r for r in contract_results if r.family == family
              and r.operation_id == operation_id and r.outcome is Outcome.FAIL]
    report = "\n\n".join(
        f"{r.check}: {r.message}\n  expected: {r.expected}"
        + (f"\n  request: {r.exchange.curl()}\n  response: {r.exchange.status} "
           f"{r.exchange.response_text[:500]}" if r.exchange else "")
        for r in failed)
    assert not failed, f"{len(failed)} failed check(s) of {family} on {operation_id}:\n{report}"
