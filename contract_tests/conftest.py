"""The plain-pytest entry: `pytest contract_tests --api svx --base-url URL --personas FILE`.

One test per (family, operationId) of the spec; each fails when a check of that family failed on
that operation. The families run once per session, through the same runner as `orgkit contract`,
and the same reports are written. Without `--api` every test is skipped, so collecting this
folder by accident breaks nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from contract_tests.config import ContractConfig
from contract_tests.redaction import Redactor
from contract_tests.results import Results
from contract_tests.runner import check_operations
from orgkit.errors import OrgkitError
from orgkit.specs import load_spec


def pytest_addoption(parser: pytest.Parser) -> None:
    """The options of `orgkit contract`, for pytest."""
    group = parser.getgroup("orgkit contract suite")
    group.addoption("--api", help="the API under test: svx, transmit or an OpenAPI file")
    group.addoption("--overlay", action="append", default=[], metavar="FILE",
                    help="an OpenAPI Overlay applied to the document (repeatable, in order)")
    group.addoption("--base-url", help="e.g. http://127.0.0.1:8080/svx (server path included)")
    group.addoption("--personas", help="the personas file (orgkit-personas/1)")
    group.addoption("--profile", default="quick", choices=["quick", "full"])
    group.addoption("--seed", type=int, default=0, help="seed of the generated cases")
    group.addoption("--only", default="", help="comma-separated families (default: all)")
    group.addoption("--report-dir", default="reports", help="where the reports go")
    group.addoption("--operation", action="append", default=[], metavar="OPERATION_ID",
                    help="only this operation (repeatable)")
    group.addoption("--label", default="", help="names the implementation in the reports")
    # --strict is pytest's own flag (its strict mode); it makes advisory verdicts fail too.


CONTRACT = pytest.StashKey["ContractConfig | None"]()
CLOSING = pytest.StashKey[str]()  # the run's closing lines, redacted


def pytest_configure(config: pytest.Config) -> None:
    """Check the options before collection; a usage error ends the session with exit code 2."""
    config.stash[CONTRACT] = None
    api = config.getoption("api", None)
    if api is None:
        return
    missing = [o for o in ("base_url", "personas") if not config.getoption(o)]
    if missing:
        flags = ", ".join("--" + m.replace("_", "-") for m in missing)
        pytest.exit(f"orgkit: error: --api needs {flags}", returncode=2)
    try:
        contract = ContractConfig(
            api=api, base_url=config.getoption("base_url"),
            personas=Path(config.getoption("personas")),
            report_dir=Path(config.getoption("report_dir")), profile=config.getoption("profile"),
            seed=config.getoption("seed"),
            only=tuple(x for x in config.getoption("only").split(",") if x),
            operations=tuple(config.getoption("operation")),
            label=config.getoption("label"), strict=config.getoption("strict"),
            overlays=tuple(Path(o) for o in config.getoption("overlay")))
        check_operations(contract, load_spec(contract.source).model.operations)
        config.stash[CONTRACT] = contract
    except OrgkitError as exc:
        pytest.exit(f"orgkit: error: {exc}", returncode=2)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize `family_operation` over the configured families × the spec's operations."""
    if "family_operation" not in metafunc.fixturenames:
        return
    config = metafunc.config.stash.get(CONTRACT, None)
    if config is None:
        skip = pytest.mark.skip(reason="contract options not given (--api, --base-url, "
                                       "--personas); see contract_tests/README.md")
        metafunc.parametrize("family_operation", [pytest.param(("-", "-"), marks=skip)],
                             ids=["not-configured"])
        return
    pairs = [(f, op.operation_id) for f in config.families
             for op in load_spec(config.source).model.operations
             if config.selects(op.operation_id)]
    metafunc.parametrize("family_operation", pairs, ids=[f"{f}-{o}" for f, o in pairs])


@dataclass(frozen=True)
class Run:
    """The verdicts of the session's run, whether advisories fail, and what to redact."""

    results: Results
    strict: bool
    redactor: Redactor


@pytest.fixture(scope="session")
def contract_results(request: pytest.FixtureRequest) -> Iterator[Run]:
    """Run the configured families once; the verdicts of the whole run."""
    from contract_tests.reports import write_reports
    from contract_tests.runner import closing, execute, prepare

    config = request.config.stash.get(CONTRACT, None)
    assert config is not None  # parametrization skips every test without --api
    results = Results()
    try:
        suite = prepare(config, results)
    except OrgkitError as exc:
        pytest.exit(f"orgkit: error: {exc}", returncode=2)
    try:
        execute(suite)
    finally:
        suite.target.close()
    write_reports(suite)
    redactor = Redactor.of(suite.secrets())
    request.config.stash[CLOSING] = redactor.text(closing(suite))
    yield Run(results, config.strict, redactor)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The verdict line with every count, and the failing and advisory check × operation."""
    text = terminalreporter.config.stash.get(CLOSING, None)
    if text:
        terminalreporter.write_sep("=", "orgkit contract")
        terminalreporter.write_line(text)
