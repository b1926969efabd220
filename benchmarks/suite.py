"""Contract-suite speed: cases per second against bare `st run`, same spec, same server."""

from __future__ import annotations

import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from orgkit_fixtures import export_personas, load, persona_token, write_personas
from servers import ROOT, Server, start_orgkit

from contract_tests.config import FAMILIES, ContractConfig
from contract_tests.results import Results
from contract_tests.runner import execute, prepare
from orgkit.tokens import KeyRing

# The conformance family draws the cases of these st phases; the whole suite adds the other
# families' planned requests, compared with st's default run (which adds its stateful phase).
MATCHED_PHASES = "examples,coverage,fuzzing"
ALL_PHASES = "examples,coverage,fuzzing,stateful"
EXAMPLES = 5  # the quick profile's max_examples, as st's -n


def measure(folder: Path, repeats: int) -> dict[str, tuple[float, float]]:
    """Figure → (orgkit cases/s, st cases/s), medians over repeats, on a fresh mock each."""
    spec = folder / "svx-clean.json"
    subprocess.run([sys.executable, "-m", "orgkit_cli", "spec", "--api", "svx", "--out",
                    str(spec)], check=True, capture_output=True)
    server = start_orgkit()
    try:
        personas = folder / "personas.json"
        write_personas(export_personas(load(), base_url=server.base.removesuffix("/svx")),
                       personas)

        def ours(families: tuple[str, ...]) -> Callable[[], float]:
            return lambda: _suite_rate(server, personas, families)

        def bare(phases: str) -> Callable[[], float]:
            return lambda: _st_rate(server, spec, phases)

        return {
            "conformance family vs st run (examples, coverage, fuzzing)":
                (_median(repeats, ours(("conformance",))), _median(repeats, bare(MATCHED_PHASES))),
            "whole suite (six families) vs st run (all phases)":
                (_median(repeats, ours(FAMILIES)), _median(repeats, bare(ALL_PHASES))),
        }
    finally:
        server.stop()


def _median(repeats: int, once: Callable[[], float]) -> float:
    return statistics.median(once() for _ in range(repeats))


def _suite_rate(server: Server, personas: Path, families: tuple[str, ...]) -> float:
    """Cases per second of one suite run, set-up included (as st's start-up is).

    Conformance alone counts its Schemathesis cases (not the DELETEs that undo creates); the
    whole suite counts every request it sends, each of which some family judges.
    """
    started = time.perf_counter()
    suite = prepare(ContractConfig("svx", server.base, personas, only=families), Results())
    execute(suite)
    cases = suite.generated if families == ("conformance",) else suite.target.sent
    rate = cases / (time.perf_counter() - started)
    suite.target.close()
    _reset(server)
    return rate


def _st_rate(server: Server, spec: Path, phases: str) -> float:
    """Cases per second of `st run --checks all`, its own start-up included."""
    token = persona_token(load(), "global-admin", KeyRing())
    st = str(Path(sys.executable).parent / "st")
    started = time.perf_counter()
    done = subprocess.run([st, "run", str(spec), "--url", server.base, "-H",
                           f"Authorization: Bearer {token}", "--checks", "all",
                           "-n", str(EXAMPLES), "--seed", "1", "-w", "1", "--phases", phases],
                          capture_output=True, text=True, cwd=ROOT, timeout=1800)
    elapsed = time.perf_counter() - started
    _reset(server)
    found = re.search(r"(\d+) generated", done.stdout)
    if found is None:
        raise RuntimeError(f"cannot read st output:\n{done.stdout[-2000:]}")
    return int(found.group(1)) / elapsed


def _reset(server: Server) -> None:
    httpx.post(server.base.removesuffix("/svx") + "/__mock/reset", json={})
