"""PUT and POST /__mock/fixtures: data sets built off the event loop, one at a time (the
generator bounds its own options: fixtures.config.checked_options).

Generating and indexing the largest allowed data set takes seconds; in a worker thread the mock
keeps answering meanwhile, and the new state replaces the old one in a single step.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mockserver.mock import Mock
from orgkit.errors import Conflict


class Loads:
    """Builds new data sets in a worker thread, one at a time, and swaps them in."""

    def __init__(self, mock: Mock) -> None:
        self.mock = mock
        self._busy = False

    async def generate(self, options: Any) -> str:
        """Generate a data set from options and make it the state; its format."""
        from orgkit_fixtures.config import checked_options

        keywords = checked_options(options)
        return await self._off_loop(lambda: _generated(keywords))

    async def load(self, data: Any) -> str:
        """Check a data set (`orgkit-fixtures/1`) and make it the state; its format."""
        from orgkit_fixtures.dataset import check

        return await self._off_loop(lambda: self.mock.check_dataset(check(data, "request body")))

    async def load_files(self, paths: tuple[Path, ...]) -> str:
        """Read, merge, check and install the data sets in files (none: the bundled one)."""
        from orgkit_fixtures import combine

        return await self._off_loop(
            lambda: self.mock.check_dataset(combine(paths, self.mock.runtimes)))

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
