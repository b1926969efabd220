"""What one contract run is asked to do, as a frozen value."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from orgkit.errors import ConfigError
from orgkit.specs import SPEC_FILES, SpecSource

FAMILIES = ("conformance", "rights", "pagination", "errors", "workflows", "reliability",
            "authorization")


@dataclass(frozen=True)
class Profile:
    """How hard a run tries."""

    name: str
    max_examples: int  # Schemathesis / Hypothesis examples per operation
    stateful_steps: int
    page_sizes: int  # how many per_page values pagination explores per list
    burst: int  # reliability: concurrent requests
    # Schemathesis phases the conformance family draws cases from (contract_tests.phases).
    phases: tuple[str, ...] = ("examples", "coverage", "fuzzing")


PROFILES = {
    "quick": Profile("quick", max_examples=5, stateful_steps=20, page_sizes=2, burst=20),
    "full": Profile("full", max_examples=40, stateful_steps=100, page_sizes=6, burst=100),
}


@dataclass(frozen=True)
class ContractConfig:
    """A contract run: which API, where, who, and which families."""

    api: str
    base_url: str
    personas: Path
    report_dir: Path = Path("reports")
    profile: str = "quick"
    seed: int = 0
    only: tuple[str, ...] = ()
    # Operation ids every family is restricted to (empty: every one), for focused runs.
    operations: tuple[str, ...] = ()
    label: str = ""  # names the implementation under test in the reports
    strict: bool = False  # advisory verdicts fail the run too (exit 1)
    overlays: tuple[Path, ...] = ()  # OpenAPI Overlay files applied to the document, in order

    def __post_init__(self) -> None:
        if self.api not in SPEC_FILES and not Path(self.api).is_file():
            raise ConfigError(f"--api must be one of {', '.join(SPEC_FILES)} (or --spec an "
                              f"existing file), got {self.api!r}")
        url = urlparse(self.base_url)
        if url.scheme not in ("http", "https") or not url.netloc:
            raise ConfigError(f"--base-url must be an http(s) URL including the API's server "
                              f"path (e.g. http://127.0.0.1:8080/svx), got {self.base_url!r}")
        if self.profile not in PROFILES:
            raise ConfigError(f"--profile must be one of {list(PROFILES)}, got {self.profile!r}")
        unknown = sorted(set(self.only) - set(FAMILIES))
        if unknown:
            raise ConfigError(f"--only got unknown families {unknown}; known: {list(FAMILIES)}")

    @property
    def source(self) -> SpecSource:
        """The document under test: a bundled API or a file, with its overlays."""
        return SpecSource.of(self.api, tuple(self.overlays))

    @property
    def families(self) -> tuple[str, ...]:
        """The families to run, in order."""
        return tuple(f for f in FAMILIES if not self.only or f in self.only)

    def selects(self, operation_id: str) -> bool:
        """Whether the run covers an operation (see `operations`)."""
        return not self.operations or operation_id in self.operations

    @property
    def settings(self) -> Profile:
        """The profile's settings."""
        return PROFILES[self.profile]
