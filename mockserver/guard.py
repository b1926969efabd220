"""The guard stage in front of the gateway: header limits, the Host check, the control API's door.

What it protects against is written down in README.md ("Threat model"). In short: a web page the
developer visits (cross-origin calls, DNS rebinding) and oversized requests; with a control
token, other users of a shared machine.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from mockserver.bodies import read_bounded, replay
from mockserver.config import DEFAULT_CORS
from mockserver.dashboard import PAGE_PATH
from mockserver.mock import Mock
from mockserver.render import Refused, error_response, send_response
from orgkit.errors import DomainError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
LOOPBACK_ORIGIN = re.compile(DEFAULT_CORS)
# Control paths any client may use without the control token: public keys, and (added per
# served API, see plugin_prefixes) the URLs its plugin's routes hand out (blob and logo URLs;
# uploads carry their own signature).
PUBLIC_KEYS = ("/__mock/jwks.json", "/.well-known/jwks.json")
# Plugin routes with these methods take a body: uploads, read under max_blob_bytes.
BODY_METHODS = frozenset({"PUT", "POST", "PATCH"})
TOKEN_HEADER = "x-orgkit-control-token"
# Methods a browser may send cross-origin without a preflight when the body is form-like.
NEEDS_JSON = frozenset({"POST", "PUT", "PATCH"})


class Door(Enum):
    """Which kind of path a request is for; each has its own checks and error shape."""

    API = "api"
    CONTROL = "control"
    PUBLIC = "public"  # public control paths and the OAuth token endpoint
    OTHER = "other"


@dataclass(frozen=True)
class Seen:
    """What the guard read from a request: its path's door and its lower-cased headers."""

    door: Door
    headers: Mapping[str, str]


class Guard:
    """The first stage of every request (inside CORS, so preflights are answered before it)."""

    def __init__(self, inner: ASGIApp, mock: Mock, control_paths: tuple[str, ...]) -> None:
        self.inner, self.mock, self.control_paths = inner, mock, control_paths
        config = mock.config
        self.names = frozenset({*LOOPBACK_NAMES, config.host.lower(),
                                *(h.lower() for h in config.allowed_hosts)})
        self.origin_regex = re.compile(config.cors_origin_regex or DEFAULT_CORS)
        self.public = (*PUBLIC_KEYS, *plugin_prefixes(mock))
        self.uploads = plugin_prefixes(mock, BODY_METHODS)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.inner(scope, receive, send)
            return
        seen = Seen(self._door(scope["path"]), {})
        try:
            self._check_headers(scope["headers"])
            self._check_host(scope, _host(scope["headers"]))
            if seen.door in (Door.CONTROL, Door.PUBLIC):
                seen = Seen(seen.door, {k.decode("latin-1").lower(): v.decode("latin-1")
                                        for k, v in scope["headers"]})
            if seen.door is Door.CONTROL:
                self._check_control(scope, seen.headers)
            if seen.door in (Door.CONTROL, Door.PUBLIC):
                body = await read_bounded(receive, seen.headers, self._body_limit(scope))
                receive = replay(body, receive)
        except (Refused, DomainError) as exc:
            await self._refuse(send, scope["path"], seen.door, exc)
            return
        await self.inner(scope, receive, send)

    def _door(self, path: str) -> Door:
        if path.startswith(self.public):
            return Door.PUBLIC
        if path.startswith(self.control_paths):
            return Door.PUBLIC if not path.startswith("/__mock") else Door.CONTROL
        return Door.API if self.mock.api_for_path(path) else Door.OTHER

    def _check_headers(self, raw: list[tuple[bytes, bytes]]) -> None:
        """431 past the count or size limit."""
        config = self.mock.config
        if len(raw) > config.max_headers:
            raise Refused(431, "request_header_fields_too_large",
                          f"the request has {len(raw)} headers; the limit is {config.max_headers}")
        size = sum(len(k) + len(v) for k, v in raw)
        if size > config.max_header_bytes:
            raise Refused(431, "request_header_fields_too_large",
                          f"the request headers have {size} bytes; the limit is "
                          f"{config.max_header_bytes}")

    def _check_host(self, scope: Scope, host: str | None) -> None:
        """421 unless the Host names this server (DNS rebinding sends the attacker's name)."""
        if host is None:
            return  # HTTP/1.0 without Host: URLs fall back to the bound address
        name = host_name(host)
        server = scope.get("server") or ("",)
        if name in self.names or name == str(server[0]).lower():
            return
        raise Refused(421, "misdirected_request",
                      f"this mock does not answer to the host {name!r}; it answers to "
                      f"{', '.join(sorted(self.names))} (start it with --allowed-host NAME "
                      "to add one)")

    def _check_control(self, scope: Scope, headers: Mapping[str, str]) -> None:
        """Same-site callers only, JSON for state changes, and the control token when set."""
        origin = headers.get("origin")
        if origin is not None and not self._origin_allowed(origin, scope, headers):
            raise Refused(403, "forbidden", f"the control API refuses calls from the origin "
                          f"{origin!r}; allowed: this server, loopback and the CORS origins")
        if origin is None and headers.get("sec-fetch-site") == "cross-site":
            raise Refused(403, "forbidden", "the control API refuses cross-site calls")
        media = headers.get("content-type", "").split(";")[0].strip().lower()
        if scope["method"] in NEEDS_JSON and not _is_json(media):
            raise Refused(415, "unsupported_media_type",
                          f"{scope['method']} {scope['path']} needs Content-Type: "
                          f"application/json (got {media or 'none'}); send {{}} for no options")
        # A browser cannot send the token when it opens the dashboard; the page holds no data
        # and sends the token with every JSON call it makes.
        if not (scope["path"] == PAGE_PATH and scope["method"] in ("GET", "HEAD")):
            self._check_token(headers)

    def _origin_allowed(self, origin: str, scope: Scope, headers: Mapping[str, str]) -> bool:
        config = self.mock.config
        same = f"{scope.get('scheme', 'http')}://{headers.get('host', '')}"
        return (origin in config.cors_origins or origin == same
                or self.origin_regex.fullmatch(origin) is not None
                or LOOPBACK_ORIGIN.fullmatch(origin) is not None)

    def _check_token(self, headers: Mapping[str, str]) -> None:
        expected = self.mock.config.control_token
        if expected is None:
            return
        scheme, _, value = headers.get("authorization", "").partition(" ")
        given = headers.get(TOKEN_HEADER) or (value.strip() if scheme.lower() == "bearer" else "")
        if not hmac.compare_digest(given.encode(), expected.encode()):
            raise Refused(401, "unauthenticated",
                          "this mock's control API needs its control token: send "
                          f"'Authorization: Bearer TOKEN' or '{TOKEN_HEADER}: TOKEN'")

    def _body_limit(self, scope: Scope) -> int:
        config = self.mock.config
        if self.uploads and scope["path"].startswith(self.uploads):
            return config.max_blob_bytes
        if scope["path"].startswith("/__mock") and not scope["path"].startswith(self.public):
            return config.max_control_body_bytes
        return config.max_body_bytes

    async def _refuse(self, send: Send, path: str, door: Door,
                      exc: Refused | DomainError) -> None:
        found = self.mock.api_for_path(path) if door is Door.API else None
        shape = None if found is None else self.mock.runtimes[found[0]].model.error_shape
        await send_response(send, error_response(shape, exc, {"Connection": "close"}))


def plugin_prefixes(mock: Mock, methods: frozenset[str] | None = None) -> tuple[str, ...]:
    """The fixed part (up to the first `{`) of the served plugins' own routes, for methods."""
    found = {path.partition("{")[0]
             for runtime in mock.runtimes.values() for route in runtime.plugin.routes
             for method, _, path in [route.partition(" ")] if methods is None or method in methods}
    return tuple(sorted(found))


def host_name(host: str) -> str:
    """The name part of a Host header, lower-cased: 'LocalHost:8080' → 'localhost'."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].partition("]")[0]
    if host.count(":") == 1:
        host = host.partition(":")[0]
    return host.rstrip(".")


def _host(raw: list[tuple[bytes, bytes]]) -> str | None:
    """The Host header (servers hand ASGI apps lower-case names)."""
    for name, value in raw:
        if name.lower() == b"host":
            return value.decode("latin-1")
    return None


def _is_json(media: str) -> bool:
    return media == "application/json" or (media.startswith("application/")
                                           and media.endswith("+json"))
