"""Match a method and path against an API's operations (for errors and 405 `Allow`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from orgkit.model import ApiModel, Operation


@dataclass(frozen=True)
class Match:
    """The result of routing: the operation (None when only the path matched) and path values."""

    op: Operation | None
    params: dict[str, str]
    allowed: tuple[str, ...]


@dataclass(frozen=True)
class _Route:
    """One path's operations by method, and the methods a 405 names."""

    pattern: re.Pattern[str]
    ops: dict[str, Operation]
    allowed: tuple[str, ...]


class Router:
    """Routes paths relative to an API's mount; literal segments win over templated ones."""

    def __init__(self, model: ApiModel) -> None:
        by_path: dict[str, dict[str, Operation]] = {}
        for op in model.operations:
            by_path.setdefault(op.path, {})[op.method] = op
        # Literal paths first so /orgs/archive-like literals never lose to /orgs/{org_id}.
        ordered = [(path, _Route(_compile(path), ops, tuple(sorted(ops)))) for path, ops in
                   sorted(by_path.items(), key=lambda kv: (kv[0].count("{"), kv[0]))]
        # A path without parameters is one dict lookup away (it is first in the order anyway).
        self._literal = {path: route for path, route in ordered if "{" not in path}
        # Templates grouped by segment count (a parameter never spans a "/") and first segment,
        # so a request tries only those that could match it, still in the order above.
        templated = [(path, route) for path, route in ordered if "{" in path]
        self._routes: dict[tuple[int, str | None], list[_Route]] = {}
        for depth, head in {(path.count("/"), _head(path)) for path, _ in templated}:
            self._routes[(depth, head)] = [route for path, route in templated
                                           if path.count("/") == depth
                                           and _head(path) in (head, None)]

    def match(self, method: str, path: str) -> Match | None:
        """The operation for method+path; Match with op None when the method is not allowed."""
        # Two templates may both match (/orgs/name/apps: /orgs/name/{name} and /orgs/{id}/apps):
        # the first (most literal) one that has the method wins; if none has it, the 405 names
        # the methods of the first match.
        method = method.upper()
        refused: Match | None = None
        literal = self._literal.get(path)
        if literal is not None:
            op = _op(literal, method)
            if op is not None:
                return Match(op, {}, literal.allowed)
            refused = Match(None, {}, literal.allowed)
        depth = path.count("/")
        routes = self._routes.get((depth, _head(path))) or self._routes.get((depth, None), [])
        for route in routes:
            found = route.pattern.fullmatch(path)
            if found is None:
                continue
            op = _op(route, method)
            if op is not None:
                return Match(op, found.groupdict(), route.allowed)
            refused = refused or Match(None, found.groupdict(), route.allowed)
        return refused


def _op(route: _Route, method: str) -> Operation | None:
    """The route's operation for an upper-case method (HEAD falls back to GET)."""
    op = route.ops.get(method)
    if op is None and method == "HEAD":
        op = route.ops.get("GET")
    return op


def _head(path: str) -> str | None:
    """A path's first segment when it is literal (None: a template parameter, or no "/")."""
    if not path.startswith("/"):
        return None
    head = path[1:].split("/", 1)[0]
    return None if "{" in head else head


def _compile(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    regex = "".join(
        f"(?P<{p[1:-1]}>[^/]+)" if p.startswith("{") else re.escape(p) for p in parts
    )
    return re.compile(regex)
