"""`orgkit diff` speed: the full SVX scenario against two local mocks (other id seeds)."""

from __future__ import annotations

from pathlib import Path

from orgkit_fixtures import export_personas, load, write_personas
from servers import start_orgkit

from contract_tests.diff.run import DiffConfig, Side, diff


def measure(folder: Path) -> float:
    """Seconds the scenario takes (personas' preflight excluded); raises on any difference."""
    servers = [start_orgkit(seed=1), start_orgkit(seed=2)]
    try:
        sides = []
        for number, server in enumerate(servers):
            path = folder / f"diff-personas-{number}.json"
            write_personas(export_personas(load(), base_url=server.base.removesuffix("/svx")),
                           path)
            sides.append(Side(server.base, path))
        outcome = diff(DiffConfig("svx", sides[0], sides[1], report_dir=folder / "diff"))
    finally:
        for server in servers:
            server.stop()
    if outcome.findings or outcome.played.skipped:
        raise RuntimeError(f"mock against mock: {len(outcome.findings)} differences, "
                           f"{len(outcome.played.skipped)} operations not set up")
    return outcome.seconds
