"""Run the contract suite (the `orgkit contract` command) against the independent implementation.

The suite runs in a subprocess, as a vendor runs it, so client and server do not share a GIL;
both APIs can be judged at once.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MOUNTS = {"svx": "/svx", "transmit": "/cis"}
SEED = 20261202
REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Verdict:
    """What one suite run answered: exit code and failed (check, operation) pairs."""

    api: str
    exit_code: int
    failures: tuple[tuple[str, str], ...]
    summary: dict[str, Any]
    output: str

    def failed_checks(self) -> set[str]:
        """The names of the checks that failed anywhere."""
        return {check for check, _ in self.failures}

    def describe(self) -> str:
        """Failures and the tail of the console output, for assertion messages."""
        lines = [f"{c} {o}: {m}" for c, o, m in (
            (f["check"], f.get("operation_id") or f.get("operation"), f.get("message", "")[:300])
            for f in self.summary.get("failures", []))]
        return "\n".join([f"{self.api}: exit {self.exit_code}", *lines, self.output[-2000:]])


def start(api: str, origin: str, personas: Path, operations: Iterable[str], reports: Path,
          only: Iterable[str] = ()) -> subprocess.Popen[str]:
    """Start `orgkit contract` for one API (quick profile, fixed seed) without waiting."""
    command = [sys.executable, "-m", "orgkit_cli", "contract", "--api", api,
               "--base-url", origin + MOUNTS[api], "--personas", str(personas),
               "--profile", "quick", "--seed", str(SEED), "--report-dir", str(reports)]
    command += [arg for op in operations for arg in ("--operation", op)]
    if only:
        command += ["--only", ",".join(only)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            cwd=REPO)


def finish(api: str, process: subprocess.Popen[str], reports: Path) -> Verdict:
    """Wait for a run and read its summary.json."""
    output, _ = process.communicate(timeout=600)
    summary_file = reports / "summary.json"
    summary = json.loads(summary_file.read_text()) if summary_file.exists() else {}
    failures = tuple((f["check"], f.get("operation_id") or f.get("operation", ""))
                     for f in summary.get("failures", []))
    return Verdict(api, process.returncode, failures, summary, output)
