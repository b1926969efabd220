"""PUT and POST /__mock/fixtures: bounded generation sizes, built off the event loop, one at a time.

Generating and indexing the largest allowed data set takes seconds; in a worker thread the mock
keeps answering meanwhile, and the new state replaces the old one in a single step.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

from mockserver.mock import Mock
from orgkit.errors import Conflict, InvalidInput

# Documented in README.md (control API). Large enough for load tests, small enough that one
# generation stays a few seconds and a few hundred MB.
LIMITS: Mapping[str, int] = {
    "tenants": 2000, "orgs_per_tenant": 500, "admins_per_tenant": 50, "admins_per_org": 20,
    "invitations": 10_000, "main_active": 1000, "main_archived": 1000, "deployments": 1000,
    "application_agents": 1000, "blobs": 1000, "extra_users": 1000, "transmit_apps": 100,
    "transmit_organizations": 10_000,
}
MAX_ORGS = 20_000  # tenants × orgs_per_tenant
MAX_SEED = 2**63


def checked_options(options: Any) -> dict[str, int]:
    """The generate options as GenerateConfig keywords; InvalidInput names what is wrong."""
    from orgkit_fixtures import GenerateConfig

    if not isinstance(options, dict):
        raise InvalidInput('POST /__mock/fixtures takes {"generate": {...}}')
    known = {f.name for f in fields(GenerateConfig)}
    unknown = sorted(set(options) - known)
    if unknown:
        raise InvalidInput(f"unknown generate options {unknown}; known: {sorted(known)}")
    for name, value in options.items():
        top = MAX_SEED if name == "seed" else LIMITS.get(name, 0)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= top:
            raise InvalidInput(f"generate.{name} must be a whole number from 0 to {top}, "
                               f"got {value!r}")
    defaults = GenerateConfig()
    orgs = options.get("tenants", defaults.tenants) * options.get("orgs_per_tenant",
                                                                   defaults.orgs_per_tenant)
    if orgs > MAX_ORGS:
        raise InvalidInput(f"tenants × orgs_per_tenant is {orgs}; the limit is {MAX_ORGS}")
    return dict(options)


class Loads:
    """Builds new data sets in a worker thread, one at a time, and swaps them in."""

    def __init__(self, mock: Mock) -> None:
        self.mock = mock
        self._busy = False

    async def generate(self, options: Any) -> str:
        """Generate a data set from options and make it the state; its format."""
        keywords = checked_options(options)
        return await self._off_loop(lambda: _generated(keywords))

    async def load(self, data: Any) -> str:
        """Check a data set (`orgkit-fixtures/1`) and make it the state; its format."""
        from orgkit_fixtures.dataset import check

        return await self._off_loop(lambda: self.mock.check_dataset(check(data, "request body")))

    async def load_file(self, path: Path | None) -> str:
        """Read, check and install the data set in a file (None: the bundled one)."""
        from orgkit_fixtures import load

        return await self._off_loop(lambda: self.mock.check_dataset(load(path)))

    async def _off_loop(self, make: Callable[[], dict[str, Any]]) -> str:
        if self._busy:
            raise Conflict("a data set is being loaded already; retry when it is done")
        self._busy = True
        try:
            dataset, stores = await asyncio.to_thread(self._build, make)
        finally:
            self._busy = False
        self.mock.install(dataset, stores)
        return str(dataset["format"])

    def _build(self, make: Callable[[], dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
        dataset = make()
        return dataset, self.mock.prepare(dataset)


def _generated(keywords: dict[str, int]) -> dict[str, Any]:
    from orgkit_fixtures import GenerateConfig, generate
    from orgkit_fixtures.dataset import check

    return check(generate(GenerateConfig(**keywords)), "generated data set")
