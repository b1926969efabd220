"""`orgkit contract`: set up, run the families, write the reports, choose the exit code."""

from __future__ import annotations

import difflib
import importlib
import os
import random
import sys
import time
from collections.abc import Callable, Iterable
from typing import TextIO

from contract_tests.certificate import verdict_text
from contract_tests.config import ContractConfig as ContractConfig  # orgkit_cli imports it here
from contract_tests.personas import load as load_personas
from contract_tests.redaction import Redactor
from contract_tests.results import CheckResult, Outcome, Results
from contract_tests.suite import Suite
from contract_tests.target import Target
from orgkit.errors import ConfigError
from orgkit.model import Operation
from orgkit.specs import load_spec

Family = Callable[[Suite], None]


def family(name: str) -> Family:
    """The run function of a check family (module contract_tests.families.<name>)."""
    module = importlib.import_module(f"contract_tests.families.{name}")
    run: Family = module.run
    return run


def prepare(config: ContractConfig, results: Results, target: Target | None = None) -> Suite:
    """Everything a run needs; ConfigError for an unreachable target or rejected tokens."""
    api = load_spec(config.source)
    check_operations(config, api.model.operations)
    target = target or Target(config.base_url)
    target.ping()
    personas = load_personas(config.personas, api.model.name, api.model.identity)
    suite = Suite(config, api, target, personas, results, random.Random(config.seed))
    from contract_tests.preflight import check_mount, check_tokens

    check_tokens(suite)
    check_mount(suite)
    return suite


def check_operations(config: ContractConfig, operations: Iterable[Operation]) -> None:
    """ConfigError naming --operation ids the API does not have, with the closest ones."""
    ops = list(operations)
    known = [op.operation_id for op in ops]
    api = ops[0].api if ops else config.api
    for wanted in config.operations:
        if wanted not in known:
            close = difflib.get_close_matches(wanted, known, n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise ConfigError(f"--operation {wanted!r} is not an operation id of the "
                              f"{api} API{hint}")


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
    """Run the suite; 0 without failures (advisories too when strict), 1 otherwise."""
    from contract_tests.reports import write_reports

    out = out or sys.stderr  # looked up per call: a default bound at import outlives stderr
    results = Results()
    suite = prepare(config, results, target)
    redactor = Redactor.of(suite.secrets())
    results.on_result = progress_printer(out, suite) if live(out) else None
    try:
        execute(suite)
    finally:
        suite.target.close()
        if results.on_result is not None:
            print(file=out)  # end the progress line
    paths = write_reports(suite)
    print(redactor.text(closing(suite)), file=out)
    for path in paths:
        print(f"report: {path}", file=out)
    return results.exit_code(strict=config.strict)


def live(out: TextIO) -> bool:
    """Whether to show live progress: a terminal, and not a CI job."""
    isatty = getattr(out, "isatty", None)
    return bool(isatty and isatty()) and not os.environ.get("CI")


def progress_printer(out: TextIO, suite: Suite) -> Callable[[CheckResult], None]:
    """One overwritten line: family, operation n/m, elapsed seconds, failures so far."""
    order = [op.operation_id for op in suite.api.model.operations
             if suite.config.selects(op.operation_id)]
    position = {op_id: i + 1 for i, op_id in enumerate(order)}
    started = time.monotonic()

    def show(result: CheckResult) -> None:
        n = position.get(result.operation_id, 0)
        failed = suite.results.count(Outcome.FAIL)
        line = (f"{result.family}: operation {n}/{len(order)} {result.operation_id} · "
                f"{time.monotonic() - started:.0f} s · {failed} failed")
        print(f"\r\x1b[2K{line[:160]}", end="", file=out, flush=True)

    return show


def closing(suite: Suite) -> str:
    """The verdict line, then the failing (and advisory) check × operation pairs, compactly."""
    results = suite.results
    lines = [f"contract: {verdict_text(results, suite.config.strict)}"]
    for title, found in (("failed", results.failures()), ("advisory", results.advisories())):
        if found:
            lines.append(f"{title} (check × operation):")
            lines += [f"  {r.family}/{r.check} × {r.operation_id}: {r.message[:160]}"
                      for r in found]
    return "\n".join(lines)

