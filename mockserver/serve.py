"""Run the mock with uvicorn and tell the user where everything is."""

from __future__ import annotations

import asyncio
import errno
import socket
from collections.abc import Mapping
from types import FrameType
from typing import Any

import uvicorn

from mockserver.app import MockApp, create_app
from mockserver.config import ServeConfig
from mockserver.console import configure_console
from mockserver.heap import settle_for_serving
from mockserver.mock import Mock
from mockserver.transport import server_config
from mockserver.watch import Reloading
from orgkit.errors import ConfigError

# Long enough for a working day of frontend development against the mock.
BANNER_TTL = 24 * 3600
# After a stop signal, requests still running get this long before uvicorn cancels them.
GRACE_SECONDS = 3


def banner(app: MockApp) -> str:
    """Base URLs, docs and ready-to-paste tokens for the default personas, in aligned columns."""
    config, mock = app.mock.config, app.mock
    apis = [(rt.model.title, config.base_url + rt.model.mount) for rt in mock.runtimes.values()]
    personas = _persona_rows(mock)
    width = max(len(label) for label, _ in [*apis, ("control API", ""), *personas]) + 2
    url_width = max(len(base) for _, base in apis) + 2
    lines = ["orgkit mock is up:"]
    lines += [f"  {title:<{width}}{base:<{url_width}}docs: {base}/ui/" for title, base in apis]
    lines.append(f"  {'control API':<{width}}{config.base_url}/__mock   (dashboard: "
                 f"{config.base_url}/__mock/)")
    lines.append(f"  {'state':<{width}}{state_line(app)}")
    lines.append(f"personas (Authorization: Bearer <token>; valid {BANNER_TTL // 3600} h; "
                 "more: orgkit token --persona NAME):")
    lines += [f"  {name:<{width}}{value}" for name, value in personas]
    return "\n".join(lines)


def _persona_rows(mock: Mock) -> list[tuple[str, str]]:
    """(name, token) of the served APIs' user personas, then (name, credentials) of their
    application personas (the kind comes from the entry, not from the API's name)."""
    from orgkit_fixtures import persona_token

    from orgkit.personas import PersonaKind, persona_kind

    personas: Mapping[str, Any] = {n: e for n, e in mock.dataset.get("personas", {}).items()
                                   if e.get("api") in mock.runtimes}
    users = [(name, persona_token(mock.dataset, name, mock.keyring, ttl_seconds=BANNER_TTL,
                                  model=mock.runtimes[entry["api"]].model))
             for name, entry in personas.items() if persona_kind(entry) is PersonaKind.USER]
    return users + [(name, f"client_id={entry['client_id']} client_secret="
                           f"{entry['client_secret']}  (POST {_token_path(mock, entry['api'])})")
                    for name, entry in personas.items()
                    if persona_kind(entry) is PersonaKind.APPLICATION]


def _token_path(mock: Mock, api: str) -> str:
    model = mock.runtimes[api].model
    return model.mount + (model.auth.token_url or "")


def state_line(app: MockApp) -> str:
    """Where the state lives: a state file (kept across restarts) or memory (lost on exit)."""
    durable = app.mock.durable
    if durable is None:
        return "in memory (lost on exit; --state PATH keeps it across restarts)"
    return f"{durable.path} (SQLite; kept across restarts, --state-reset starts afresh)"


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to host:port; ConfigError (one clear line) when that is impossible."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        sock = socket.socket(family, socket.SOCK_STREAM)
    except (OSError, OverflowError) as exc:
        raise ConfigError(f"cannot listen on {host}:{port}: {exc}") from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)  # clients that connect right after the banner wait in the backlog
    except (OSError, OverflowError) as exc:
        sock.close()
        reason = "the port is in use" if isinstance(exc, OSError) and \
            exc.errno == errno.EADDRINUSE else str(exc)
        raise ConfigError(f"cannot listen on {host}:{port}: {reason}") from None
    return sock


def run(config: ServeConfig) -> None:
    """Serve until interrupted (uvicorn directly: `connexion run` would reload on venv edits).

    The port is bound before anything is loaded or printed, so a port in use is one error line.
    """
    sock = listen(config.host, config.port)
    configure_console(requests=not config.quiet)
    app = create_app(config)
    settle_for_serving()
    print(banner(app), flush=True)
    served: MockApp | Reloading = Reloading(app) if config.watch else app
    if isinstance(served, Reloading):
        print(f"watching {', '.join(sorted(p.name for p in served.watched))} (--watch)",
              flush=True)
    server = StoppingServer(server_config(served, config, GRACE_SECONDS), served)
    server.run(sockets=[sock])


class StoppingServer(uvicorn.Server):
    """uvicorn's server, telling the mock when a signal asks it to stop."""

    def __init__(self, config: uvicorn.Config, app: MockApp | Reloading) -> None:
        super().__init__(config)
        self.app = app
        self.loop: asyncio.AbstractEventLoop | None = None

    async def serve(self, sockets: list[socket.socket] | None = None) -> None:
        """Serve, remembering the loop that signal handlers must hand work to."""
        self.loop = asyncio.get_running_loop()
        if not isinstance(self.app, Reloading):
            await super().serve(sockets)
            return
        stop = asyncio.Event()
        watcher = asyncio.create_task(self.app.watch(stop))
        try:
            await super().serve(sockets)
        finally:
            stop.set()
            await watcher

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        """Requests sleeping in injected latency answer 503 now instead of holding shutdown."""
        if self.loop is not None:
            self.loop.call_soon_threadsafe(self.app.stop)
        super().handle_exit(sig, frame)
