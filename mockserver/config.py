"""Serving configuration, as a frozen value built by the CLI or by tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from orgkit.specs import SPEC_FILES, SpecSource
from orgkit.tokens import TokenConfig

BUNDLED = tuple(SpecSource.of(name) for name in SPEC_FILES)  # the default: every bundled API
DEFAULT_CORS = r"https?://(localhost|127\.0\.0\.1|\[::1\])(:\d+)?"


@dataclass(frozen=True)
class ServeConfig:
    """Everything `orgkit serve` can set."""

    host: str = "127.0.0.1"
    port: int = 8080
    # Data sets merged by API section (fixtures.combine); None or (): fixtures/default.json.
    fixtures: Path | tuple[Path, ...] | None = None
    seed: int = 1
    # The documents served, each at its x-orgkit.mount, keyed by its x-orgkit.api name.
    apis: tuple[SpecSource, ...] = field(default_factory=lambda: BUNDLED)
    cors_origin_regex: str | None = DEFAULT_CORS  # None: CORS off
    cors_origins: tuple[str, ...] = ()
    latency_ms: int = 0
    latency_jitter_ms: int = 0
    max_body_bytes: int = 1024 * 1024
    max_blob_bytes: int = 5 * 1024 * 1024
    validate_responses: bool = False
    fast_path: bool = True  # body-less operations skip Connexion (mockserver/fastpath.py)
    lenient_query: bool = False  # ignore undeclared query parameters instead of a 400
    read_cache: bool = True  # a repeated generic read is answered again until a write
    quiet: bool = False  # no request line per request on the console
    watch: bool = False  # reload when a served spec or the fixtures file changes
    tokens: TokenConfig = field(default_factory=TokenConfig)
    request_log_size: int = 1000
    state: Path | None = None  # SQLite file keeping the state across restarts; None: in memory
    state_reset: bool = False  # discard the state file and start from the fixtures
    # Transport protections (mockserver/guard.py, mockserver/transport.py; README "Threat model").
    allowed_hosts: tuple[str, ...] = ()  # Host names answered beside loopback and `host`
    control_token: str | None = None  # when set, every control call must present it
    max_control_body_bytes: int = 32 * 1024 * 1024  # fixtures and snapshots are larger than
    #                                                 API bodies (the default set: 0.4 MB)
    max_string_length: int = 4096  # per string in an API request body (the seed sets none)
    max_headers: int = 100
    max_header_bytes: int = 32 * 1024
    request_read_timeout_s: float = 15.0  # the whole request (head and body) must arrive by then
    keep_alive_timeout_s: float = 5.0

    @property
    def fixture_files(self) -> tuple[Path, ...]:
        """The data set files given (empty: the bundled default)."""
        if self.fixtures is None or isinstance(self.fixtures, tuple):
            return self.fixtures or ()
        return (self.fixtures,)

    @property
    def base_url(self) -> str:
        """Where the mock listens, as clients reach it."""
        return f"http://{self.host}:{self.port}"
