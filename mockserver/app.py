"""The app factory: Connexion for validation and docs, in the gateway, the guard, CORS outside."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from starlette.middleware.cors import CORSMiddleware

from mockserver.config import ServeConfig
from mockserver.control import build_control, control_paths
from mockserver.gateway import Gateway
from mockserver.guard import Guard
from mockserver.heap import collection_paused
from mockserver.mock import Mock


class MockApp:
    """The ASGI application of one mock; `.mock` gives tests and tools its state."""

    def __init__(self, mock: Mock) -> None:
        self.mock = mock
        paths = control_paths(mock)
        gateway = Gateway(functools.partial(_connexion, mock), build_control(mock), mock, paths)
        self.stop = gateway.stop
        inner = Guard(gateway, mock, paths)
        config = mock.config
        self._asgi: Any = inner
        if config.cors_origin_regex or config.cors_origins:
            self._asgi = CORSMiddleware(
                inner, allow_origins=list(config.cors_origins),
                allow_origin_regex=config.cors_origin_regex, allow_methods=["*"],
                allow_headers=["*"], expose_headers=["Location", "Allow"], max_age=600,
            )

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self._asgi(scope, receive, send)


def _connexion(mock: Mock) -> Any:
    """Connexion for the mock (imported on first use: importing it is a third of start-up)."""
    from mockserver.adapter import build_connexion

    return build_connexion(mock)


def create_app(config: ServeConfig | None = None,
               dataset: Mapping[str, Any] | None = None) -> MockApp:
    """Build a mock: the config's fixtures (default set unless given) loaded and served."""
    config = config or ServeConfig()
    # Parsing specs and fixtures allocates millions of objects nothing frees early.
    with collection_paused():
        data = dataset if dataset is not None else given_dataset(config)
        return MockApp(Mock(config, data))


def given_dataset(config: ServeConfig) -> dict[str, Any]:
    """The data set the config names: its files merged, the default filling in bundled APIs."""
    from orgkit_fixtures import combine

    from orgkit.specs import load_spec

    files = config.fixture_files
    return combine(files, [load_spec(s).model.name for s in config.apis] if files else ())
