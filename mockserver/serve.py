"""Run the mock with uvicorn and tell the user where everything is."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mockserver.app import MockApp, create_app
from mockserver.config import ServeConfig
from mockserver.heap import settle_for_serving
from mockserver.transport import server_config

# Long enough for a working day of frontend development against the mock.
BANNER_TTL = 24 * 3600


def banner(app: MockApp) -> str:
    """Base URLs, docs and ready-to-paste tokens for the default personas."""
    from fixtures import persona_token

    config, mock = app.mock.config, app.mock
    lines = ["orgkit mock is up:"]
    for runtime in mock.runtimes.values():
        base = config.base_url + runtime.model.mount
        lines.append(f"  {runtime.model.title:<14} {base}   docs: {base}/ui/")
    lines.append(f"  control API    {config.base_url}/__mock")
    lines.append(f"personas (Authorization: Bearer <token>; valid {BANNER_TTL // 3600} h; "
                 "more: orgkit token --persona NAME):")
    personas: Mapping[str, Any] = mock.dataset.get("personas", {})
    for name, entry in personas.items():
        if entry.get("api") == "svx":
            token = persona_token(mock.dataset, name, mock.keyring, ttl_seconds=BANNER_TTL)
            lines.append(f"  {name:<20} {token}")
    for name, entry in personas.items():
        if entry.get("api") == "transmit":
            lines.append(f"  {name:<20} client_id={entry['client_id']} "
                         f"client_secret={entry['client_secret']}  (POST /cis/oidc/token)")
    return "\n".join(lines)


def run(config: ServeConfig) -> None:
    """Serve until interrupted (uvicorn directly: `connexion run` would reload on venv edits)."""
    import uvicorn

    app = create_app(config)
    settle_for_serving()
    print(banner(app), flush=True)
    uvicorn.Server(server_config(app, config)).run()
