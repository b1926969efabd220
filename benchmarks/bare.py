"""The honest ceiling: a bare ASGI app on the mock's uvicorn (uvloop, httptools) that answers
every request with one pre-built body. `python benchmarks/bare.py PORT BODY_FILE [STATUS]`."""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

import uvicorn

Message = MutableMapping[str, Any]


def bare_app(body: bytes, status: int = 200) -> Callable[..., Awaitable[None]]:
    """An ASGI app that drains the request and sends `body` as JSON."""
    start = {"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]}
    end = {"type": "http.response.body", "body": body}

    async def app(scope: Message, receive: Callable[[], Awaitable[Message]],
                  send: Callable[[Message], Awaitable[None]]) -> None:
        if scope["type"] != "http":
            return
        more = True
        while more:  # read the request body, as any real handler must
            more = (await receive()).get("more_body", False)
        await send(start)
        await send(end)

    return app


def main() -> None:
    """Serve the body on 127.0.0.1:PORT until killed."""
    port, body = int(sys.argv[1]), Path(sys.argv[2]).read_bytes()
    status = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    uvicorn.run(bare_app(body, status), host="127.0.0.1", port=port, loop="uvloop",
                http="httptools", lifespan="off", log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
