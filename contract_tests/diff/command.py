"""`orgkit diff` as a command: the run, its reports, the totals printed and the exit code."""

from __future__ import annotations

import sys
from typing import TextIO

from contract_tests.diff.report import summary_line, write_reports
from contract_tests.diff.run import DiffConfig, diff


def run_diff(config: DiffConfig, *, out: TextIO | None = None) -> int:
    """Run, write the reports, print the totals; the exit code (usage errors raise)."""
    out = out or sys.stderr
    outcome = diff(config)
    paths = write_reports(outcome)
    print(summary_line(outcome), file=out)
    for path in paths:
        print(f"report: {path}", file=out)
    return outcome.exit_code
