"""`orgkit diff`: configuration and the run (diff.command writes the reports)."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from contract_tests.config import ContractConfig
from contract_tests.diff.analysis import Finding, analyse, contract_findings
from contract_tests.diff.classification import Judge
from contract_tests.diff.lockstep import Lockstep
from contract_tests.diff.mapping import IdMap
from contract_tests.diff.replay import minimise
from contract_tests.diff.scenario import PAGING, Played, Player, map_personas
from contract_tests.personas import Persona
from contract_tests.personas import load as load_personas
from contract_tests.preflight import check_tokens
from contract_tests.results import Results
from contract_tests.runner import check_operations
from contract_tests.sites import selected_operations
from contract_tests.suite import Suite
from contract_tests.target import Target
from orgkit.errors import ConfigError
from orgkit.specs import LoadedApi, load_spec


@dataclass(frozen=True)
class Side:
    """One implementation: its base URL (with the API's server path) and personas file."""

    base_url: str
    personas: Path


@dataclass(frozen=True)
class DiffConfig:
    """What one diff run compares, and how."""

    api: str
    left: Side
    right: Side
    seed: int = 0
    profile: str = "quick"
    operations: tuple[str, ...] = ()
    report_dir: Path = Path("reports")
    overlays: tuple[Path, ...] = ()  # OpenAPI Overlay files applied to the document

    def contract(self, side: Side) -> ContractConfig:
        """The contract-suite configuration of one side (validates URL, API and profile)."""
        return ContractConfig(self.api, side.base_url, side.personas, self.report_dir,
                              self.profile, self.seed, operations=self.operations,
                              overlays=self.overlays)


@dataclass(frozen=True)
class Outcome:
    """A finished run: its steps, findings and what could not be set up."""

    config: DiffConfig
    played: Played
    findings: list[Finding]
    seconds: float

    @property
    def exit_code(self) -> int:
        """1 when a contract difference was found, else 0."""
        return 1 if contract_findings(self.findings) else 0


def side_personas(config: DiffConfig, side: Side, api: LoadedApi) -> dict[str, Persona]:
    """A side's personas, after the contract suite's preflight (reachable, tokens accepted)."""
    contract = config.contract(side)
    if not side.personas.is_file():
        raise ConfigError(f"personas file not found: {side.personas}")
    target = Target(contract.base_url)
    try:
        target.ping()
        personas = load_personas(side.personas, api.model.name, api.model.identity)
        check_tokens(Suite(contract, api, target, personas, Results()))
    finally:
        target.close()
    return personas


def diff(config: DiffConfig) -> Outcome:
    """Play the scenario against both sides and classify every difference."""
    api = load_spec(config.contract(config.left).source)
    check_operations(config.contract(config.left), api.model.operations)
    left, right = (side_personas(config, s, api) for s in (config.left, config.right))
    ids = IdMap()
    map_personas(left, right, ids)
    started = time.monotonic()
    lock = Lockstep(config.left.base_url, config.right.base_url, ids)
    suite = Suite(config.contract(config.left), api,
                  Target(config.left.base_url, transport=lock), left, Results(),
                  random.Random(config.seed))
    walkers = (Target(config.left.base_url), Target(config.right.base_url))
    try:
        player = Player(suite, lock, right, walkers, PAGING[config.profile])
        played = player.play(selected_operations(suite))
    finally:
        for target in (suite.target, *walkers):
            target.close()
        lock.close()
    judge = Judge(api, urlsplit(config.left.base_url).path)
    findings = analyse(played.steps, judge, ids)

    def fresh() -> Lockstep:
        renewed = IdMap()
        map_personas(left, right, renewed)
        return Lockstep(config.left.base_url, config.right.base_url, renewed)

    findings = minimise(findings, played.steps, judge, fresh)
    return Outcome(config, played, findings, time.monotonic() - started)

