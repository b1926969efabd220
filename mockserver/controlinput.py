"""Bodies of the control API checked before anything changes: clear messages, no internals."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from orgkit.errors import ConfigError
from orgkit.tokens import ALGORITHMS

# A year either way: negative lifetimes mint already-expired tokens for testing 401s.
MAX_TTL_SECONDS = 366 * 24 * 3600
TOKEN_KEYS = ("persona", "ttl_seconds", "algorithm")


@dataclass(frozen=True)
class TokenRequest:
    """What POST /__mock/tokens asks for: a persona's claims or free claims, how to sign them."""

    persona: str | None
    claims: Mapping[str, Any]
    ttl_seconds: int | None
    algorithm: str


def token_request(body: Any) -> TokenRequest:
    """The checked body of POST /__mock/tokens; ConfigError says what is wrong."""
    if not isinstance(body, Mapping):
        raise ConfigError("send {\"persona\": NAME} or {\"sub\": ..., \"tid\": ...}, "
                          "optionally with ttl_seconds and algorithm")
    ttl = body.get("ttl_seconds")
    if ttl is not None and (isinstance(ttl, bool) or not isinstance(ttl, int)
                            or abs(ttl) > MAX_TTL_SECONDS):
        raise ConfigError(f"ttl_seconds must be a whole number of seconds from "
                          f"-{MAX_TTL_SECONDS} to {MAX_TTL_SECONDS}, got {ttl!r:.40}")
    algorithm = body.get("algorithm", "HS256")
    if algorithm not in ALGORITHMS:
        raise ConfigError(f"algorithm must be one of {list(ALGORITHMS)}, got {algorithm!r:.40}")
    persona = body.get("persona")
    claims = {k: v for k, v in body.items() if k not in TOKEN_KEYS}
    if persona is None and "sub" not in claims:
        raise ConfigError("a token needs at least a 'sub' (or send 'persona')")
    if persona is not None and (not isinstance(persona, str) or claims):
        raise ConfigError(f"send a persona name alone (with {list(TOKEN_KEYS[1:])} if wanted), "
                          f"or claims without a persona; got {sorted(body)}")
    return TokenRequest(persona, claims, ttl, str(algorithm))
