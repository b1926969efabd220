"""Live mocks for the contract-suite tests: uvicorn in a background thread on a free port.

The suite itself never imports `mockserver`; its tests may, to have something to judge.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from orgkit_fixtures import export_personas, write_personas

from mockserver.app import MockApp, create_app

# asgi_live lives beside this file; test modules import it the same way (they cannot import
# conftest), so the live-server helper exists once.
from tests.contract_tests.asgi_live import MOUNTS, serving


@dataclass(frozen=True)
class LiveMock:
    """A served mock: its origin, a personas file made for it, and the app (for its state)."""

    origin: str
    personas: Path
    app: MockApp

    def base_url(self, api: str) -> str:
        """The base URL of one API (server path included)."""
        return self.origin + MOUNTS[api]


def personas_for(app: MockApp, origin: str, folder: Path) -> Path:
    """A personas file whose tokens this app's keyring signed, for this origin."""
    path = folder / "personas.json"
    write_personas(export_personas(app.mock.dataset, base_url=origin,
                                   keyring=app.mock.keyring), path)
    return path


@pytest.fixture(scope="session")
def live_mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveMock]:
    """The default mock, live for the whole session, with its personas file."""
    app = create_app()
    with serving(app) as origin:
        yield LiveMock(origin, personas_for(app, origin, tmp_path_factory.mktemp("live")), app)


class DetailErrors:
    """The mock, except that every API 4xx/5xx body becomes `{"detail": ...}` (a common default
    of web frameworks): a broken implementation the errors checks must catch."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/__mock"):
            await self.app(scope, receive, send)
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def rewrite(message: Any) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                if message["status"] < 400:
                    await send(message)
                return
            if start["status"] < 400:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                body = json.dumps({"detail": b"".join(chunks).decode("utf-8", "replace")})
                headers = [(k, v) for k, v in start.get("headers", [])
                           if k.lower() not in (b"content-length", b"content-type")]
                headers += [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body.encode())).encode())]
                await send({**start, "headers": headers})
                await send({"type": "http.response.body", "body": body.encode()})

        await self.app(scope, receive, rewrite)


@pytest.fixture(scope="session")
def broken_mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveMock]:
    """A live mock whose error bodies are `{"detail": ...}` instead of the API's shape."""
    app = create_app()
    with serving(DetailErrors(app)) as origin:
        yield LiveMock(origin, personas_for(app, origin, tmp_path_factory.mktemp("broken")), app)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Print the mutation score when test_mutations ran (caught / total faults)."""
    from tests.contract_tests import faults

    score = config.stash.get(faults.SCORE_KEY, {})
    if score:
        caught = sum(score.values())
        terminalreporter.write_line(f"mutation score: {caught}/{len(score)} faults caught by "
                                    "the contract suite")
        for name, ok in score.items():
            terminalreporter.write_line(f"  {'caught' if ok else 'MISSED'}: {name}")
