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


class Router:
    """Routes paths relative to an API's mount; literal segments win over templated ones."""

    def __init__(self, model: ApiModel) -> None:
        by_path: dict[str, dict[str, Operation]] = {}
        for op in model.operations:
            by_path.setdefault(op.path, {})[op.method] = op
        # Literal paths first so /orgs/archive-like literals never lose to /orgs/{org_id}.
        ordered = sorted(by_path.items(), key=lambda kv: (kv[0].count("{"), kv[0]))
        # Grouped by segment count (a template's parameters never span a "/"), so a request
        # tries only the templates of its own depth.
        self._routes: dict[int, list[tuple[re.Pattern[str], dict[str, Operation]]]] = {}
        for path, ops in ordered:
            self._routes.setdefault(path.count("/"), []).append((_compile(path), ops))

    def match(self, method: str, path: str) -> Match | None:
        """The operation for method+path; Match with op None when the method is not allowed."""
        # Two templates may both match (/orgs/name/apps: /orgs/name/{name} and /orgs/{id}/apps):
        # the first (most literal) one that has the method wins; if none has it, the 405 names
        # the methods of the first match.
        refused: Match | None = None
        for pattern, ops in self._routes.get(path.count("/"), ()):
            found = pattern.fullmatch(path)
            if found is None:
                continue
            op = ops.get(method.upper())
            if op is None and method.upper() == "HEAD":
                op = ops.get("GET")
            if op is not None:
                return Match(op, found.groupdict(), tuple(sorted(ops)))
            refused = refused or Match(None, found.groupdict(), tuple(sorted(ops)))
        return refused


def _compile(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    regex = "".join(
        f"(?P<{p[1:-1]}>[^/]+)" if p.startswith("{") else re.escape(p) for p in parts
    )
    return re.compile(regex)
