"""`orgkit serve --watch`: reload the fixtures or rebuild the app when a served file changes.

A broken edit is reported in one line and the previous version keeps serving. A fixtures change
loads the new data set (the state starts again from it); a spec change rebuilds the app and keeps
the state when it still fits the new specs (else the fixtures are loaded afresh).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from mockserver.app import MockApp, create_app, given_dataset
from mockserver.generation import Loads
from orgkit.errors import OrgkitError
from orgkit.specs import load_spec

# Editors save in bursts (write, rename, chmod); wait this long for the burst to end.
DEBOUNCE_MS = 300


class Reloading:
    """The ASGI app `orgkit serve --watch` runs: forwards to the current mock, swapped on edits."""

    def __init__(self, app: MockApp, out: TextIO | None = None) -> None:
        self.current = app
        self.out = out or sys.stderr
        config = app.mock.config
        self.files = config.fixture_files
        self.fixtures = {p.resolve() for p in self.files} or {_default_path()}
        self.specs = {path.resolve() for source in config.apis
                      for path in (source.path, *source.overlays)}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.current(scope, receive, send)

    def stop(self) -> None:
        """Stop waiting in injected latency (see StoppingServer)."""
        self.current.stop()

    @property
    def watched(self) -> set[Path]:
        """The files whose edits reload the mock."""
        return {*self.fixtures, *self.specs}

    async def watch(self, stop: asyncio.Event) -> None:
        """Reload on every change to a watched file until stop is set."""
        from watchfiles import awatch

        wanted = self.watched
        folders = {path.parent for path in wanted}
        async for changes in awatch(*folders, stop_event=stop, debounce=DEBOUNCE_MS,
                                    watch_filter=lambda _, p: Path(p).resolve() in wanted):
            await self.reload({Path(p).resolve() for _, p in changes})

    async def reload(self, changed: Iterable[Path]) -> bool:
        """Apply changed files; False (one line said why, nothing changed) when they are broken."""
        changed = set(changed)
        try:
            if changed & self.specs:
                self.current = await asyncio.to_thread(self._rebuilt)
                self._say("specs changed: app rebuilt")
            elif changed & self.fixtures:
                await Loads(self.current.mock).load_files(self.files)
                names = ", ".join(sorted(p.name for p in changed & self.fixtures))
                self._say(f"{names} changed: data set reloaded")
        # A spec the model builder cannot read may surface as KeyError or TypeError.
        except (OrgkitError, OSError, ValueError, KeyError, TypeError) as exc:
            self._say(f"reload failed, still serving the previous version: {_one_line(exc)}")
            return False
        return True

    def _rebuilt(self) -> MockApp:
        """A new app from the specs on disk, holding the old state if it still fits."""
        old = self.current.mock
        load_spec.cache_clear()
        try:
            fresh = create_app(old.config, given_dataset(old.config))
        finally:
            load_spec.cache_clear()  # a broken spec is not cached; a good one is loaded again
        try:
            fresh.mock.restore(old.snapshot())
        except OrgkitError as exc:
            self._say(f"the state does not fit the new specs, fixtures reloaded: {_one_line(exc)}")
        fresh.mock.faults = old.faults
        fresh.mock.log = old.log
        return fresh

    def _say(self, message: str) -> None:
        print(f"orgkit: --watch: {message}", file=self.out, flush=True)


def _default_path() -> Path:
    from orgkit_fixtures import default_path

    return default_path().resolve()


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 300 else text[:297] + "..."
