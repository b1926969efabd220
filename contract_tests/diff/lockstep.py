"""A transport that sends every request to the left side and its mirror to the right side.

The scenario is planned and driven by the contract suite's own planning code against the left
side; each request is then translated through the id map (persona facts, ids created at earlier
steps) and sent to the right side at once, so both sides see the same sequence of calls.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode

import httpx

from contract_tests.diff.mapping import IdMap, Origin, strings_in
from contract_tests.diff.steps import Context, Step
from contract_tests.target import Exchange
from contract_tests.walks import Walk

SKIPPED_HEADERS = ("host", "content-length", "authorization")


class Lockstep(httpx.BaseTransport):
    """Mirrors requests left -> right, learns ids from both answers and records the steps."""

    def __init__(self, left_base: str, right_base: str, ids: IdMap,
                 on_step: Callable[[Step], None] | None = None, timeout: float = 30.0) -> None:
        self.left_base, self.right_base = left_base.rstrip("/"), right_base.rstrip("/")
        self.ids = ids
        self.context = Context("setup")
        self.steps: list[Step] = []
        self.on_step = on_step
        self._left = httpx.HTTPTransport()
        self._right = httpx.Client(timeout=timeout, follow_redirects=False)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send to both sides; the left answer goes back to the planning code."""
        request.read()
        answer = self._left.handle_request(request)
        answer.read()
        left = exchange_of(request, answer.status_code, answer.headers, answer.text)
        mirrored = self.mirror(request)
        reply = self._right.send(mirrored)
        right = exchange_of(mirrored, reply.status_code, reply.headers, reply.text)
        self.record(left, right, request_values(request))
        headers = [(k, v) for k, v in answer.headers.items()
                   if k.lower() not in ("content-encoding", "transfer-encoding")]
        return httpx.Response(answer.status_code, headers=headers, content=answer.content,
                              request=request)

    def record(self, left: Exchange, right: Exchange, values: frozenset[str]) -> Step:
        """Number the step, note what it depends on, learn the ids it shows."""
        number = len(self.steps) + 1
        step = Step(number, self.context, left, right, self.depends(values))
        if 200 <= left.status < 300 and 200 <= right.status < 300:
            created = left.method == "POST"
            self.ids.learn(left.json(), right.json(),
                           Origin(number, f"step {number}", created), values)
        self.steps.append(step)
        if self.on_step is not None:
            self.on_step(step)
        return step

    def record_walk(self, walks: tuple[Walk, Walk], values: frozenset[str]) -> Step:
        """Record a walk of the same list on both sides as one step."""
        first = tuple(w.pages[0].exchange if w.pages else _nothing(w) for w in walks)
        step = Step(len(self.steps) + 1, self.context, first[0], first[1], self.depends(values),
                    walks)
        self.steps.append(step)
        if self.on_step is not None:
            self.on_step(step)
        return step

    def depends(self, values: frozenset[str]) -> tuple[int, ...]:
        """The earlier steps whose ids these values use, with what those steps used."""
        found: set[int] = set()
        todo = self.ids.uses(values)
        while todo:
            number = todo.pop()
            if number in found or number > len(self.steps):
                continue
            found.add(number)
            todo += list(self.steps[number - 1].depends)
        return tuple(sorted(found))

    def mirror(self, request: httpx.Request) -> httpx.Request:
        """The right side's version of a left request."""
        return translated(request, self.ids, self.left_base, self.right_base)

    def close(self) -> None:
        """Release both connection pools."""
        self._left.close()
        self._right.close()


def translated(request: httpx.Request, ids: IdMap, from_base: str,
               to_base: str) -> httpx.Request:
    """A request with every mapped value replaced and its base URL moved."""
    headers = {k: ids.translate_text(v) for k, v in request.headers.items()
               if k.lower() not in SKIPPED_HEADERS}
    auth = request.headers.get("authorization")
    if auth is not None:
        scheme, _, token = auth.partition(" ")
        headers["Authorization"] = f"{scheme} {ids.right_of(token) or token}"
    body = json_of(request)
    content = request.content if body is None else json.dumps(ids.translate(body)).encode()
    return httpx.Request(request.method, translated_url(request.url, ids, from_base, to_base),
                         headers=headers, content=content)


def translated_url(url: httpx.URL, ids: IdMap, from_base: str, to_base: str) -> str:
    """A URL handed out by the first side maps whole; else the base (or origin) is moved and
    path segments and query values are mapped."""
    whole = ids.right_of(str(url)) or ids.right_of(str(url.copy_with(query=None)))
    if whole is not None:
        return whole
    bare = str(url.copy_with(query=None))
    if bare.startswith(from_base):
        bare = to_base + ids.translate_text(bare[len(from_base):])
    else:
        to = httpx.URL(to_base)
        bare = str(url.copy_with(scheme=to.scheme, host=to.host, port=to.port, query=None,
                                 path=ids.translate_text(url.path)))
    query = [(k, ids.translate_text(v))
             for k, v in parse_qsl(url.query.decode(), keep_blank_values=True)]
    return f"{bare}?{urlencode(query)}" if query else bare


def _nothing(walk: Walk) -> Exchange:
    """A stand-in answer for a walk that got no page (its problem says why)."""
    return Exchange("GET", walk.describe(), {}, None, 0, {}, walk.problem)


def json_of(request: httpx.Request) -> Any:
    """A request's JSON body, None when it has none."""
    if "json" not in request.headers.get("content-type", "") or not request.content:
        return None
    try:
        return json.loads(request.content)
    except ValueError:
        return None


def request_values(request: httpx.Request) -> frozenset[str]:
    """The strings a request carries: path segments, query values, header values, body."""
    segments = {unquote(s) for s in request.url.path.split("/") if s}
    query = {v for _, v in parse_qsl(request.url.query.decode(), keep_blank_values=True)}
    header = {v for k, v in request.headers.items() if k.lower() not in SKIPPED_HEADERS}
    return frozenset(segments | query | header) | strings_in(json_of(request))


def exchange_of(request: httpx.Request, status: int, headers: httpx.Headers,
                text: str) -> Exchange:
    """An Exchange from a request and the parts of its answer."""
    return Exchange(request.method, str(request.url), dict(request.headers),
                    request.content or None, status, dict(headers), text)
