"""Request bodies read under a limit, and handed on to the next layer once read."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping
from typing import Any

from orgkit.errors import TooLarge
from orgkit.rules import mappings

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]


async def read_bounded(receive: Receive, headers: Mapping[str, str], limit: int) -> bytes:
    """The whole body; TooLarge for a declared or streamed body over `limit`, before reading on."""
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge(f"the request body has {declared} bytes; the limit is {limit}")
    chunks, size, more = [], 0, True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"the request body exceeds the limit of {limit} bytes")
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


def replay(body: bytes, receive: Receive) -> Receive:
    """Hand the buffered body to the next layer once, then defer to the real receive."""
    sent = [False]

    async def replayed() -> Message:
        if sent[0]:
            return await receive()
        sent[0] = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed


def overlong(value: Any, limit: int) -> str | None:
    """Where a JSON value holds a string or key longer than `limit` ('body.name'), if anywhere."""
    stack: list[tuple[str, Any]] = [("body", value)]
    while stack:  # a loop, not recursion: the nesting depth is the client's choice
        where, item = stack.pop()
        if isinstance(item, str) and len(item) > limit:
            return where
        if isinstance(item, dict):
            for key, inner in item.items():
                if len(key) > limit:
                    return f"a key of {where}"
                stack.append((f"{where}.{key}", inner))
        elif isinstance(item, list):
            stack.extend((f"{where}[{i}]", inner) for i, inner in enumerate(item))
    return None


def string_cap(schemas: Iterable[Any], fallback: int) -> int:
    """The longest string a request body may hold: the mock's fallback for strings the spec
    leaves unbounded, or the longest maxLength the request schemas declare if that is more
    (declared limits themselves are enforced by schema validation)."""
    limits: list[int] = [node["maxLength"] for node in mappings(list(schemas))
              if isinstance(node.get("maxLength"), int) and not isinstance(node["maxLength"], bool)]
    return max([fallback, *limits])
