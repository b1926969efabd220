"""POST /__mock/fixtures {"generate": ...}: bounded sizes, built off the event loop, one at a time.

Generating and indexing the largest allowed data set takes seconds; in a worker thread the mock
keeps answering meanwhile, and the new state replaces the old one in a single step.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import fields
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
    from fixtures import GenerateConfig

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


class Generations:
    """Runs at most one generation at a time, in a worker thread."""

    def __init__(self, mock: Mock) -> None:
        self.mock = mock
        self._busy = False

    async def generate_and_load(self, options: Any) -> str:
        """Generate a data set from options and make it the state; its format."""
        keywords = checked_options(options)
        if self._busy:
            raise Conflict("a data set is being generated already; retry when it is loaded")
        self._busy = True
        try:
            dataset, stores = await asyncio.to_thread(self._build, keywords)
        finally:
            self._busy = False
        self.mock.install(dataset, stores)
        return str(dataset["format"])

    def _build(self, keywords: dict[str, int]) -> tuple[dict[str, Any], dict[str, Any]]:
        from fixtures import GenerateConfig, generate
        from fixtures.dataset import check

        dataset = check(generate(GenerateConfig(**keywords)), "generated data set")
        return dataset, self.mock.prepare(dataset)
