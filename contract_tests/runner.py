"""`orgkit contract`: set up, run the families, write the reports, choose the exit code."""

from __future__ import annotations

import difflib
import importlib
import random
import sys
from collections.abc import Callable, Iterable
from typing import TextIO

from contract_tests.config import ContractConfig as ContractConfig  # orgkit.cli imports it here
from contract_tests.personas import load as load_personas
from contract_tests.results import CheckResult, Outcome, Results
from contract_tests.suite import Suite
from contract_tests.target import Target
from orgkit.errors import ConfigError
from orgkit.model import Operation
from orgkit.specs import load_api

Family = Callable[[Suite], None]


def family(name: str) -> Family:
    """The run function of a check family (module contract_tests.families.<name>)."""
    module = importlib.import_module(f"contract_tests.families.{name}")
    run: Family = module.run
    return run


def prepare(config: ContractConfig, results: Results, target: Target | None = None) -> Suite:
    """Everything a run needs; ConfigError for an unreachable target or rejected tokens."""
    api = load_api(config.api)
    check_operations(config, api.model.operations)
    target = target or Target(config.base_url)
    target.ping()
    personas = load_personas(config.personas, config.api)
    suite = Suite(config, api, target, personas, results, random.Random(config.seed))
    from contract_tests.preflight import check_tokens

    check_tokens(suite)
    return suite


def check_operations(config: ContractConfig, operations: Iterable[Operation]) -> None:
    """ConfigError naming --operation ids the API does not have, with the closest ones."""
    known = [op.operation_id for op in operations]
    for wanted in config.operations:
        if wanted not in known:
            close = difflib.get_close_matches(wanted, known, n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise ConfigError(f"--operation {wanted!r} is not an operation id of the "
                              f"{config.api} API{hint}")


def execute(suite: Suite) -> None:
    """Run the configured families, then undo what the run created."""
    try:
        for name in suite.config.families:
            family(name)(suite)
    finally:
        for undo in reversed(suite.cleanup):
            try:
                undo()
            except Exception:  # cleanup is best effort; the verdicts are already recorded
                pass


def run_contract(config: ContractConfig, *, out: TextIO | None = None,
                 target: Target | None = None) -> int:
    """Run the suite; 0 when every check passed, 1 otherwise (usage errors raise)."""
    from contract_tests.reports import write_reports

    out = out or sys.stderr  # looked up per call: a default bound at import outlives stderr
    results = Results(on_result=progress_printer(out))
    suite = prepare(config, results, target)
    try:
        execute(suite)
    finally:
        suite.target.close()
    paths = write_reports(suite)
    print(summary(results), file=out)
    for path in paths:
        print(f"report: {path}", file=out)
    return 1 if results.failures() else 0


def progress_printer(out: TextIO) -> Callable[[CheckResult], None]:
    """Live progress: one line per family change, a line per failure."""
    state = {"family": ""}

    def show(result: CheckResult) -> None:
        if result.family != state["family"]:
            state["family"] = result.family
            print(f"== {result.family}", file=out, flush=True)
        if result.outcome is Outcome.FAIL:
            print(f"  FAIL {result.check} {result.operation_id}: {result.message}", file=out,
                  flush=True)

    return show


def summary(results: Results) -> str:
    """The closing line, e.g. `contract: 812 passed, 0 failed, 14 skipped`."""
    return (f"contract: {results.count(Outcome.PASS)} passed, {results.count(Outcome.FAIL)} "
            f"failed, {results.count(Outcome.SKIP)} skipped")
